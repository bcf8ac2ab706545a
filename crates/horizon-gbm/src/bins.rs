//! Features cut into at most 255 bins by quantiles of their values (LightGBM's histogram
//! algorithm); the last bin of every feature holds the missing values.
//!
//! Where a quarter of the matrix or more sits in its features' most frequent bins (the lags and
//! minima of slow movers are mostly zero), the rows are also kept as their other bins only, so
//! a histogram pass skips the frequent ones and recovers them from the node's total, as
//! LightGBM's sparse bins do (Ke et al. 2017, §3–4). Besides the work saved this keeps
//! consecutive rows from adding into the same slot, a chain of dependent additions. It costs up
//! to 1.5 bytes per entry and 4 per row beside the dense bins (which splitting reads).

use crate::Matrix;
use rayon::prelude::*;

/// Bin of a missing value.
pub const MISSING: u8 = u8::MAX;
/// At most this many bins for values (plus the missing bin).
pub const MAX_BINS: usize = 255;

/// Every feature as bin numbers, row-major (a row's bins are contiguous, so a histogram pass
/// reads each row's cache line once, as LightGBM's row-wise histograms do), with the upper
/// edge of each bin.
#[derive(Debug, Clone)]
pub struct BinnedMatrix {
    pub rows: usize,
    pub cols: usize,
    /// `bins[row * cols + feature]`.
    pub bins: Vec<u8>,
    /// `edges[f][b]`: values `<= edges[f][b]` (and above the previous edge) fall in bin `b`.
    pub edges: Vec<Vec<f64>>,
    /// Each feature's most frequent bin and every row's other bins, when that saves a
    /// histogram pass enough work ([`SPARSE_SHARE`]); made from `bins` by [`BinnedMatrix::new`].
    pub(crate) sparse: Option<SparseRows>,
}

/// Build [`SparseRows`] when at most this share of a matrix's entries lies outside their
/// features' most frequent bins. Measured on the retail panel's matrices at three levels of
/// demand (benches/RESULTS.md, "Sparse histograms"): with 53 % of the entries outside, a
/// booster trained in 36–43 % of the dense pass's time, with 80 % in 91 %, with 88 % in 140 %.
pub const SPARSE_SHARE: f64 = 0.75;

/// The entries of a binned matrix outside their features' most frequent bins, row by row.
#[derive(Debug, Clone)]
pub(crate) struct SparseRows {
    /// `frequent[f]`: feature `f`'s most frequent bin (which may be [`MISSING`]).
    pub frequent: Vec<u8>,
    /// Row `r`'s entries are `slots[offsets[r]..offsets[r + 1]]`.
    pub offsets: Vec<u32>,
    /// An entry's histogram slot, `feature * 256 + bin`.
    pub slots: Vec<u16>,
}

impl SparseRows {
    /// Row `r`'s entries outside the frequent bins, as histogram slots.
    #[inline]
    pub fn row(&self, r: usize) -> &[u16] {
        &self.slots[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    /// The sparse rows of `bins` (`cols` a row), if at most [`SPARSE_SHARE`] of the entries lie
    /// outside the frequent bins, every slot fits in 16 bits (up to 256 features) and every
    /// offset in 32.
    fn of(bins: &[u8], rows: usize, cols: usize) -> Option<SparseRows> {
        if cols == 0 || rows == 0 || cols > 256 {
            return None;
        }
        let mut counts = vec![[0usize; 256]; cols];
        for row in bins.chunks_exact(cols) {
            for (c, &b) in counts.iter_mut().zip(row) {
                c[b as usize] += 1;
            }
        }
        let frequent: Vec<u8> = counts
            .iter()
            .map(|c| (0..256).max_by_key(|&b| (c[b], std::cmp::Reverse(b))).unwrap_or(0) as u8)
            .collect();
        let kept: usize = counts.iter().zip(&frequent).map(|(c, &d)| rows - c[d as usize]).sum();
        if kept as f64 > SPARSE_SHARE * (rows * cols) as f64 || u32::try_from(kept).is_err() {
            return None;
        }
        let mut offsets = Vec::with_capacity(rows + 1);
        let mut slots = Vec::with_capacity(kept);
        offsets.push(0);
        for row in bins.chunks_exact(cols) {
            for (f, (&b, &d)) in row.iter().zip(&frequent).enumerate() {
                if b != d {
                    slots.push((f * 256 + b as usize) as u16);
                }
            }
            offsets.push(slots.len() as u32); // at most `kept`, which fits
        }
        Some(SparseRows {
            frequent,
            offsets,
            slots,
        })
    }
}

impl BinnedMatrix {
    /// Bin `m` with at most `max_bins` value bins per feature (2..=255).
    pub fn new(m: &Matrix, max_bins: usize) -> BinnedMatrix {
        let max_bins = max_bins.clamp(2, MAX_BINS);
        let (rows, cols) = (m.rows(), m.cols());
        let (edges, columns): (Vec<Vec<f64>>, Vec<Vec<u8>>) = m
            .columns
            .par_iter()
            .map(|c| {
                let e = edges(c, max_bins);
                let b = c.iter().map(|&v| bin_of(&e, v)).collect();
                (e, b)
            })
            .unzip();
        let mut bins = vec![0u8; rows * cols];
        for (f, column) in columns.iter().enumerate().filter(|_| cols > 0) {
            for (row, &b) in bins.chunks_exact_mut(cols).zip(column) {
                row[f] = b;
            }
        }
        let sparse = SparseRows::of(&bins, rows, cols);
        BinnedMatrix {
            rows,
            cols,
            bins,
            edges,
            sparse,
        }
    }

    /// The bin of feature `f` in row `r`.
    #[inline]
    pub fn bin(&self, r: usize, f: usize) -> u8 {
        self.bins[r * self.cols + f]
    }

    /// Row `r`'s bins, feature by feature.
    #[inline]
    pub fn row(&self, r: usize) -> &[u8] {
        &self.bins[r * self.cols..(r + 1) * self.cols]
    }

    pub fn n_bins(&self, f: usize) -> usize {
        self.edges[f].len()
    }
}

/// The bin of `v` under `edges` (the first edge `>= v`); NaN is [`MISSING`].
fn bin_of(edges: &[f64], v: f64) -> u8 {
    if v.is_nan() {
        return MISSING;
    }
    let i = edges.partition_point(|&e| e < v);
    i.min(edges.len().saturating_sub(1)) as u8
}

/// Upper bin edges: every distinct value when there are few, otherwise quantiles of a sample
/// of at most 50 000 values; the last edge is +inf so every value has a bin.
fn edges(values: &[f64], max_bins: usize) -> Vec<f64> {
    const SAMPLE: usize = 50_000;
    let step = values.len().div_ceil(SAMPLE).max(1);
    // Edges from the finite values (an infinite one would make a NaN midpoint); ±inf still fall
    // in the first and last bins.
    let mut sample: Vec<f64> = values.iter().step_by(step).copied().filter(|v| v.is_finite()).collect();
    sample.sort_by(f64::total_cmp);
    let mut distinct = sample.clone();
    distinct.dedup();
    let mut edges: Vec<f64> = if distinct.len() <= max_bins {
        // Midpoints between neighbouring values.
        distinct.windows(2).map(|w| w[0] + (w[1] - w[0]) / 2.0).collect()
    } else {
        let mut e: Vec<f64> = (1..max_bins).map(|k| sample[k * sample.len() / max_bins]).collect();
        e.dedup();
        e
    };
    edges.push(f64::INFINITY);
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_get_a_bin_each_and_nan_the_missing_bin() {
        let m = Matrix {
            columns: vec![vec![3.0, 1.0, 2.0, f64::NAN, 1.0]],
            names: vec!["x".into()],
        };
        let b = BinnedMatrix::new(&m, 255);
        assert_eq!(b.edges[0], vec![1.5, 2.5, f64::INFINITY]);
        assert_eq!(b.bins, vec![2, 0, 1, MISSING, 0]);
    }

    /// Mostly one value: the frequent bins are skipped row by row; a dense matrix is not.
    #[test]
    fn zero_heavy_features_keep_only_their_other_bins() {
        let m = Matrix {
            columns: vec![
                vec![0.0, 0.0, 3.0, 0.0, f64::NAN, 0.0],
                vec![f64::NAN, f64::NAN, f64::NAN, 2.0, f64::NAN, f64::NAN],
            ],
            names: vec!["lag".into(), "promo".into()],
        };
        let b = BinnedMatrix::new(&m, 255);
        let s = b.sparse.as_ref().expect("sparse");
        assert_eq!(s.frequent, vec![0, MISSING]);
        assert_eq!(s.offsets, vec![0, 0, 0, 1, 2, 3, 3]);
        assert_eq!(s.slots, vec![1, 256, MISSING as u16]);
        let dense = Matrix {
            columns: vec![(0..6).map(f64::from).collect()],
            names: vec!["x".into()],
        };
        assert!(BinnedMatrix::new(&dense, 255).sparse.is_none());
    }

    #[test]
    fn many_values_are_cut_by_quantiles() {
        let m = Matrix {
            columns: vec![(0..10_000).map(|i| i as f64).collect()],
            names: vec!["x".into()],
        };
        let b = BinnedMatrix::new(&m, 16);
        assert_eq!(b.n_bins(0), 16);
        // About 10 000 / 16 values per bin.
        let mut counts = [0usize; 16];
        for &k in &b.bins {
            counts[k as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (600..=650).contains(&c)), "{counts:?}");
    }
}
