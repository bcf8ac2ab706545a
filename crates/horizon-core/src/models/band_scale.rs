//! Bands calibrated on a backtest: the factor on a forecast's band distances from its point
//! that minimises the 95 % interval score (Gneiting & Raftery 2007; the M4 competition's MSIS
//! up to its scale) of the backtest's forecasts. Auto applies it to the model it chose.

/// A candidate's backtest forecasts, origin after origin: what happened, the points and the
/// 95 % bounds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Track {
    pub actual: Vec<f64>,
    pub point: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The bounds of the calibration: bands are never narrowed below half or widened beyond three
/// times what the model says.
const BAND_SCALE_LIMITS: (f64, f64) = (0.5, 3.0);

/// Fewest backtest forecasts a factor is learned from (three origins of a short horizon are
/// too few to judge a band by).
pub(crate) const MIN_POINTS: usize = 20;

impl Track {
    /// The mean 95 % interval score of the bands with their distances from the point scaled
    /// by `k`.
    pub(crate) fn interval_score(&self, k: f64) -> f64 {
        let n = self.actual.len() as f64;
        let mut total = 0.0;
        for i in 0..self.actual.len() {
            let (y, p) = (self.actual[i], self.point[i]);
            let (lo, hi) = (p - k * (p - self.lower[i]), p + k * (self.upper[i] - p));
            total += (hi - lo) + 40.0 * (lo - y).max(0.0) + 40.0 * (y - hi).max(0.0);
        }
        total / n
    }

    /// The factor on the bands' distances from the point that minimises their interval score
    /// on the backtest (Gneiting & Raftery 2007; the M4 competition's MSIS up to the scale):
    /// the score is convex and piecewise linear in the factor, so its minimum lies at 1, at a
    /// limit, or where an actual crosses a scaled bound. `None` without a usable backtest
    /// (fewer than [`MIN_POINTS`] forecasts).
    pub(crate) fn band_scale(&self) -> Option<f64> {
        let n = self.actual.len();
        if n < MIN_POINTS || [self.point.len(), self.lower.len(), self.upper.len()] != [n; 3] {
            return None;
        }
        let (low, high) = BAND_SCALE_LIMITS;
        let mut ks = vec![1.0, low, high];
        for i in 0..n {
            let (y, p) = (self.actual[i], self.point[i]);
            let (below, above) = (p - self.lower[i], self.upper[i] - p);
            if y < p && below > 0.0 {
                ks.push((p - y) / below);
            }
            if y > p && above > 0.0 {
                ks.push((y - p) / above);
            }
        }
        ks.into_iter()
            .filter(|k| k.is_finite() && (low..=high).contains(k))
            .map(|k| (self.interval_score(k), k))
            .filter(|(score, _)| score.is_finite())
            .min_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then((a.1 - 1.0).abs().total_cmp(&(b.1 - 1.0).abs()))
            })
            .map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band factor minimises the backtest's interval score: no factor on a fine grid of
    /// the allowed range scores lower; bands that miss most actuals are widened, bands far too
    /// wide narrowed.
    #[test]
    fn the_band_factor_minimises_the_backtest_interval_score() {
        let mut next = crate::stats::xorshift(5);
        let mut uniform = move || (next() % 10_000) as f64 / 10_000.0 - 0.5;
        for spread in [0.3, 1.0, 6.0] {
            let mut t = Track::default();
            for _ in 0..72 {
                let p = 100.0 + 10.0 * uniform();
                t.actual.push(p + 8.0 * spread * uniform());
                t.point.push(p);
                t.lower.push(p - 4.0);
                t.upper.push(p + 5.0);
            }
            let k = t.band_scale().unwrap();
            let best = t.interval_score(k);
            for g in 0..=2500 {
                let x = 0.5 + 2.5 * g as f64 / 2500.0;
                assert!(
                    best <= t.interval_score(x) + 1e-9,
                    "spread {spread}: {k} scores {best}, {x} {}",
                    t.interval_score(x)
                );
            }
            match spread {
                0.3 => assert!(k < 1.0, "{k}"),
                6.0 => assert!(k > 1.0, "{k}"),
                _ => {}
            }
        }
        assert_eq!(Track::default().band_scale(), None);
        // Too few forecasts to learn from: the bands stay as the model made them.
        let few = Track {
            actual: vec![130.0; MIN_POINTS - 1],
            point: vec![100.0; MIN_POINTS - 1],
            lower: vec![96.0; MIN_POINTS - 1],
            upper: vec![104.0; MIN_POINTS - 1],
        };
        assert_eq!(few.band_scale(), None);
        let enough = Track {
            actual: vec![130.0; MIN_POINTS],
            point: vec![100.0; MIN_POINTS],
            lower: vec![96.0; MIN_POINTS],
            upper: vec![104.0; MIN_POINTS],
        };
        assert_eq!(enough.band_scale(), Some(3.0));
    }
}
