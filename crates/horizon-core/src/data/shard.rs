//! Shards of a panel, for fanning training and forecasting out over machines: `horizon train
//! --shard K/N`, and `horizon_forecast.ray` in Python, give each series to shard K of N by a
//! stable hash of its id values (FNV-1a, 64 bits, of the cells each followed by the byte 0x1f),
//! so every scheduler (Ray, Kubernetes indexed jobs, Slurm arrays, Airflow) splits a panel the
//! same way, each series goes to exactly one shard, and a shard's series do not change when
//! other series come or go.

use super::{Panel, Series};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// The most shards a panel is split into.
pub const MAX_SHARDS: usize = 1_000_000;

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a shard: write K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. 3/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// FNV-1a, 64 bits (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The shard (1-based) of `count` that the series with id values `key` belongs to.
pub fn shard_of(key: &[String], count: usize) -> usize {
    let h = fnv1a(key.iter().flat_map(|c| c.bytes().chain(std::iter::once(0x1f))));
    (h % count.max(1) as u64) as usize + 1
}

impl Shard {
    /// Whether the series with id values `key` is in this shard.
    pub fn holds(&self, key: &[String]) -> bool {
        shard_of(key, self.count) == self.index
    }

    /// The panel of this shard's series (possibly none).
    pub fn of(&self, mut panel: Panel) -> Panel {
        panel.series.retain(|s| self.holds(&s.key));
        panel
    }

    /// The registered model name of this shard of model `base`: `sales-shard-3-of-8`.
    pub fn model_name(&self, base: &str) -> String {
        format!("{base}-shard-{}-of-{}", self.index, self.count)
    }
}

/// What a training run of `panel` with `recipe` (every setting that changes the model) starts
/// from, as a SHA-256: equal for the same series (ids, dates, values, drivers) and recipe,
/// whatever the order of the rows. A retried shard finds its version by it and is not
/// registered twice.
pub fn input_fingerprint(panel: &Panel, recipe: &str) -> String {
    let mut series: Vec<&Series> = panel.series.iter().collect();
    series.sort_by(|a, b| a.key.cmp(&b.key));
    let mut h = Sha256::new();
    h.update(recipe.as_bytes());
    h.update([0]);
    h.update(format!("{:?}", panel.freq).as_bytes());
    for c in &panel.exog_columns {
        h.update([0x1e]);
        h.update(c.as_bytes());
    }
    for s in series {
        for cell in &s.key {
            h.update([0x1f]);
            h.update(cell.as_bytes());
        }
        h.update([0]);
        h.update(crate::artifact::SeriesSummary::of(s).fingerprint.as_bytes());
        for column in &s.exog {
            for v in column {
                h.update(v.to_bits().to_le_bytes());
            }
        }
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    #[test]
    fn shards_parse_and_refuse() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        for bad in ["0/8", "9/8", "8", "a/b", "1/0", "1/2000000"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    /// The hash is pinned (other languages and older versions split the same way), and every
    /// series lands in exactly one shard.
    #[test]
    fn every_series_is_in_one_shard() {
        // The FNV test vectors: "" and "a", "foobar".
        assert_eq!(fnv1a("".bytes()), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a".bytes()), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("foobar".bytes()), 0x8594_4171_f739_67e8);
        let key = ["S01".to_string(), "P002".to_string()];
        assert_eq!(
            shard_of(&key, 1000),
            (fnv1a("S01\x1fP002\x1f".bytes()) % 1000) as usize + 1
        );
        let panel = retail(&RetailParams {
            stores: 4,
            products: 5,
            days: 30,
            ..Default::default()
        });
        let n = 3;
        let parts: Vec<Panel> = (1..=n)
            .map(|k| Shard { index: k, count: n }.of(panel.clone()))
            .collect();
        assert_eq!(parts.iter().map(|p| p.series.len()).sum::<usize>(), panel.series.len());
        assert!(parts.iter().all(|p| !p.series.is_empty()));
        for s in &panel.series {
            assert_eq!(parts.iter().filter(|p| p.find(&s.key).is_some()).count(), 1);
        }
    }

    #[test]
    fn the_fingerprint_follows_data_and_recipe_not_row_order() {
        let panel = retail(&RetailParams {
            stores: 2,
            products: 2,
            days: 30,
            ..Default::default()
        });
        let mut reversed = panel.clone();
        reversed.series.reverse();
        assert_eq!(input_fingerprint(&panel, "ets"), input_fingerprint(&reversed, "ets"));
        assert_ne!(input_fingerprint(&panel, "ets"), input_fingerprint(&panel, "arima"));
        let mut changed = panel.clone();
        changed.series[0].values[3] += 1.0;
        assert_ne!(input_fingerprint(&panel, "ets"), input_fingerprint(&changed, "ets"));
        let mut driver = panel.clone();
        driver.series[1].exog[0][5] += 0.5;
        assert_ne!(input_fingerprint(&panel, "ets"), input_fingerprint(&driver, "ets"));
        let mut renamed = panel.clone();
        renamed.series[0].key[0] = "S99".into();
        assert_ne!(input_fingerprint(&panel, "ets"), input_fingerprint(&renamed, "ets"));
    }
}
