//! Features cut into at most 255 bins by quantiles of their values (LightGBM's histogram
//! algorithm); the last bin of every feature holds the missing values.

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
        BinnedMatrix {
            rows,
            cols,
            bins,
            edges,
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
