//! One regression tree, grown leaf-wise on gradient histograms (Ke et al. 2017) with the
//! second-order gain of Chen & Guestrin (2016, eq. 7) and a learned direction for missing
//! values.

use crate::bins::{BinnedMatrix, MISSING, SparseRows};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Slots per feature in a histogram: one per possible bin, the missing bin last.
const SLOTS: usize = 256;
/// Rows per part of a histogram built in parallel. The parts depend on the row count only,
/// not on the threads, and are added in order, so a model is the same on any machine.
const CHUNK_ROWS: usize = 16_384;

/// A node: a split on a feature's raw value, or a leaf with its output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Split {
        feature: u32,
        /// Values `<= threshold` go left.
        threshold: f64,
        missing_left: bool,
        left: u32,
        right: u32,
    },
    Leaf {
        value: f64,
    },
}

/// A fitted tree; node 0 is the root. Plain data, so a booster serialises as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The output for one row given feature by feature through `x(f)`.
    pub fn predict_with(&self, x: impl Fn(usize) -> f64) -> f64 {
        let mut i = 0usize;
        loop {
            match &self.nodes[i] {
                Node::Leaf { value } => return *value,
                Node::Split {
                    feature,
                    threshold,
                    missing_left,
                    left,
                    right,
                } => {
                    let v = x(*feature as usize);
                    let go_left = if v.is_nan() { *missing_left } else { v <= *threshold };
                    i = if go_left { *left } else { *right } as usize;
                }
            }
        }
    }

    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.predict_with(|f| row.get(f).copied().unwrap_or(f64::NAN))
    }

    pub fn leaves(&self) -> usize {
        self.nodes.iter().filter(|n| matches!(n, Node::Leaf { .. })).count()
    }
}

/// Settings of one tree's growth.
#[derive(Debug, Clone)]
pub(crate) struct Grow {
    pub num_leaves: usize,
    pub max_depth: usize,
    pub min_data_in_leaf: usize,
    pub min_sum_hessian: f64,
    pub lambda: f64,
    pub min_gain: f64,
}

/// A leaf of the grown tree: its node and its rows `rows[start..end]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafRows {
    pub node: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    missing_left: bool,
}

/// Gradient and Hessian sums over a node's rows. Squared error has a unit Hessian (and the
/// pinball loss's leaves are refitted), so its Hessian sum is the row count; the count
/// objectives pass theirs.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    g: f64,
    h: f64,
}

struct Open {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    hist: Vec<FeatureHist>,
    sums: Sums,
    best: Option<Split>,
}

/// Grow one tree on the rows `rows` (permuted in place: each leaf's rows end up contiguous)
/// using only `features`. Leaves hold the Newton step `-G / (H + lambda)`; `hess` is `None` for
/// unit Hessians (H is then the row count).
pub(crate) fn grow(
    data: &BinnedMatrix,
    grad: &[f64],
    hess: Option<&[f64]>,
    rows: &mut [u32],
    features: &[usize],
    p: &Grow,
) -> (Tree, Vec<LeafRows>) {
    let mut active = vec![false; data.cols];
    for &f in features {
        active[f] = true;
    }
    let hist = histogram(data, grad, hess, rows);
    let sums = total(&hist, features.first().copied().unwrap_or(0));
    let count = rows.len();
    let mut nodes = vec![Node::Leaf { value: 0.0 }];
    let mut open = vec![Open {
        node: 0,
        start: 0,
        end: rows.len(),
        depth: 0,
        best: best_split(data, &hist, sums, count, &active, p, 0),
        hist,
        sums,
    }];
    let mut done: Vec<Open> = Vec::new();
    while open.len() + done.len() < p.num_leaves.max(2) {
        // The open leaf whose best split gains most.
        let Some(k) = open
            .iter()
            .enumerate()
            .filter(|(_, o)| o.best.is_some())
            .max_by(|a, b| gain(a.1).total_cmp(&gain(b.1)))
            .map(|(k, _)| k)
        else {
            break;
        };
        let leaf = open.swap_remove(k);
        let Some(split) = leaf.best else { continue };
        let goes_left = |r: u32| {
            let b = data.bin(r as usize, split.feature);
            if b == MISSING {
                split.missing_left
            } else {
                b <= split.bin
            }
        };
        let mid = leaf.start + partition(&mut rows[leaf.start..leaf.end], goes_left);
        let (left_node, right_node) = (nodes.len(), nodes.len() + 1);
        nodes[leaf.node] = Node::Split {
            feature: split.feature as u32,
            threshold: data.edges[split.feature][split.bin as usize],
            missing_left: split.missing_left,
            left: left_node as u32,
            right: right_node as u32,
        };
        nodes.push(Node::Leaf { value: 0.0 });
        nodes.push(Node::Leaf { value: 0.0 });
        // Histogram subtraction: build the smaller child, the other is parent minus it.
        let left_smaller = mid - leaf.start <= leaf.end - mid;
        let small_rows = if left_smaller {
            &rows[leaf.start..mid]
        } else {
            &rows[mid..leaf.end]
        };
        let small = histogram(data, grad, hess, small_rows);
        let mut large = leaf.hist;
        add(&mut large, &small, -1.0);
        let (left_hist, right_hist) = if left_smaller { (small, large) } else { (large, small) };
        let depth = leaf.depth + 1;
        for (node, start, end, hist) in [
            (left_node, leaf.start, mid, left_hist),
            (right_node, mid, leaf.end, right_hist),
        ] {
            let sums = total(&hist, split.feature);
            let best = best_split(data, &hist, sums, end - start, &active, p, depth);
            let child = Open {
                node,
                start,
                end,
                depth,
                hist,
                sums,
                best,
            };
            if child.best.is_some() {
                open.push(child);
            } else {
                done.push(child);
            }
        }
    }
    let mut leaves = Vec::with_capacity(open.len() + done.len());
    for leaf in open.into_iter().chain(done) {
        nodes[leaf.node] = Node::Leaf {
            value: -leaf.sums.g / (leaf.sums.h + p.lambda),
        };
        leaves.push(LeafRows {
            node: leaf.node,
            start: leaf.start,
            end: leaf.end,
        });
    }
    (Tree { nodes }, leaves)
}

fn gain(o: &Open) -> f64 {
    o.best.map_or(f64::NEG_INFINITY, |s| s.gain)
}

/// Move the rows for which `left` holds to the front; returns how many there are.
fn partition(rows: &mut [u32], left: impl Fn(u32) -> bool) -> usize {
    let mut k = 0;
    for i in 0..rows.len() {
        if left(rows[i]) {
            rows.swap(i, k);
            k += 1;
        }
    }
    k
}

/// One feature's histogram: gradient and Hessian sums per bin (the Hessian sum is the row
/// count for unit Hessians).
type FeatureHist = [[f64; 2]; SLOTS];

/// Gradient sum and count per bin of every feature over `rows`, one pass over each row's
/// contiguous bins (row-wise, as LightGBM's default for dense data); many rows are cut into
/// parts of [`CHUNK_ROWS`] built on the threads there are and added up in order.
fn histogram(data: &BinnedMatrix, grad: &[f64], hess: Option<&[f64]>, rows: &[u32]) -> Vec<FeatureHist> {
    if let Some(sparse) = &data.sparse {
        return sparse_histogram(data.cols, sparse, grad, hess, rows);
    }
    let build = |rows: &[u32]| {
        let mut hist = vec![[[0.0; 2]; SLOTS]; data.cols];
        for &r in rows {
            let r = r as usize;
            let (g, w) = (grad[r], hess.map_or(1.0, |h| h[r]));
            for (h, &b) in hist.iter_mut().zip(data.row(r)) {
                let s = &mut h[b as usize];
                s[0] += g;
                s[1] += w;
            }
        }
        hist
    };
    if rows.len() <= CHUNK_ROWS {
        return build(rows);
    }
    let parts: Vec<Vec<FeatureHist>> = rows.par_chunks(CHUNK_ROWS).map(build).collect();
    let mut parts = parts.into_iter();
    let mut hist = parts.next().unwrap_or_else(|| build(&[]));
    for part in parts {
        add(&mut hist, &part, 1.0);
    }
    hist
}

/// [`histogram`] from the rows' entries outside their features' most frequent bins: those are
/// added up with the node's total, and each feature's frequent bin is the total less its other
/// bins. Parts of [`CHUNK_ROWS`] added in order, as the dense pass does.
fn sparse_histogram(
    cols: usize,
    sparse: &SparseRows,
    grad: &[f64],
    hess: Option<&[f64]>,
    rows: &[u32],
) -> Vec<FeatureHist> {
    let build = |rows: &[u32]| {
        let mut hist = vec![[[0.0; 2]; SLOTS]; cols];
        let mut total = [0.0; 2];
        let slots = hist.as_flattened_mut();
        for &r in rows {
            let r = r as usize;
            let (g, w) = (grad[r], hess.map_or(1.0, |h| h[r]));
            total[0] += g;
            total[1] += w;
            for &k in sparse.row(r) {
                let s = &mut slots[k as usize];
                s[0] += g;
                s[1] += w;
            }
        }
        (hist, total)
    };
    let (mut hist, total) = if rows.len() <= CHUNK_ROWS {
        build(rows)
    } else {
        let parts: Vec<(Vec<FeatureHist>, [f64; 2])> = rows.par_chunks(CHUNK_ROWS).map(build).collect();
        let mut parts = parts.into_iter();
        let mut sum = parts.next().unwrap_or_else(|| build(&[]));
        for (part, t) in parts {
            add(&mut sum.0, &part, 1.0);
            sum.1[0] += t[0];
            sum.1[1] += t[1];
        }
        sum
    };
    for (h, &d) in hist.iter_mut().zip(&sparse.frequent) {
        let rest = h.iter().fold([0.0; 2], |a, s| [a[0] + s[0], a[1] + s[1]]);
        h[d as usize] = [total[0] - rest[0], total[1] - rest[1]];
    }
    hist
}

/// `a += sign * b`, bin by bin.
fn add(a: &mut [FeatureHist], b: &[FeatureHist], sign: f64) {
    for (x, y) in a.iter_mut().zip(b) {
        for (s, t) in x.iter_mut().zip(y) {
            s[0] += sign * t[0];
            s[1] += sign * t[1];
        }
    }
}

/// The sums over a node, read off one (any) feature's histogram.
fn total(hist: &[FeatureHist], feature: usize) -> Sums {
    hist.get(feature).map_or(Sums::default(), |h| {
        h.iter().fold(Sums::default(), |s, b| Sums {
            g: s.g + b[0],
            h: s.h + b[1],
        })
    })
}

/// The split of highest gain over every active feature, bin boundary and direction for the
/// missing values; `None` if none is allowed or gains enough. A side's row count is estimated
/// from its Hessian sum as LightGBM does (`count / H` of the node: exact for unit Hessians).
fn best_split(
    data: &BinnedMatrix,
    hist: &[FeatureHist],
    sums: Sums,
    count: usize,
    active: &[bool],
    p: &Grow,
    depth: usize,
) -> Option<Split> {
    let min_data = p.min_data_in_leaf.max(1) as f64;
    let count = count as f64;
    if depth >= p.max_depth || count < 2.0 * min_data || sums.h < 2.0 * p.min_sum_hessian || sums.h <= 0.0 {
        return None;
    }
    let per_hessian = count / sums.h;
    let allowed = |s: Sums| s.h >= p.min_sum_hessian && (s.h * per_hessian).round() >= min_data;
    let score = |g: f64, h: f64| g * g / (h + p.lambda);
    let parent = score(sums.g, sums.h);
    let mut best: Option<Split> = None;
    for (f, slots) in hist.iter().enumerate().filter(|(f, _)| active[*f]) {
        let missing = slots[MISSING as usize];
        let n_bins = data.n_bins(f);
        // Without missing values both directions are the same split: try one (a bin with rows
        // has a positive Hessian sum; one found by subtraction, a sibling's or a sparse
        // histogram's frequent bin, may hold a rounding residue instead of zero).
        let has_missing = missing[1] > 1e-12 * sums.h;
        let directions: &[bool] = if has_missing { &[false, true] } else { &[false] };
        let mut left = Sums::default();
        for (b, slot) in slots.iter().enumerate().take(n_bins) {
            left.g += slot[0];
            left.h += slot[1];
            let last = b + 1 == n_bins;
            for &missing_left in directions {
                if last && missing_left {
                    continue;
                }
                let mut l = left;
                if missing_left {
                    l.g += missing[0];
                    l.h += missing[1];
                }
                let r = Sums {
                    g: sums.g - l.g,
                    h: sums.h - l.h,
                };
                if !allowed(l) || !allowed(r) {
                    continue;
                }
                let gain = 0.5 * (score(l.g, l.h) + score(r.g, r.h) - parent);
                if gain > p.min_gain && best.is_none_or(|s| gain > s.gain) {
                    best = Some(Split {
                        gain,
                        feature: f,
                        bin: b as u8,
                        missing_left,
                    });
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    /// Zero-heavy columns (with missing values) as slow movers' lags are, and one dense column.
    fn slow_movers(rows: usize) -> (BinnedMatrix, Vec<f64>, Vec<f64>) {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut columns: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(rows)).collect();
        let (mut grad, mut hess) = (Vec::new(), Vec::new());
        for r in 0..rows {
            for (f, c) in columns.iter_mut().enumerate().take(4) {
                let u = next();
                c.push(if u < 0.02 {
                    f64::NAN
                } else if u < 0.8 {
                    0.0
                } else {
                    (f + 1) as f64 * (u * 10.0).floor()
                });
            }
            columns[4].push(r as f64);
            grad.push(next() - 0.5);
            hess.push(0.1 + next());
        }
        let names = (0..5).map(|f| format!("x{f}")).collect();
        (BinnedMatrix::new(&Matrix { columns, names }, 255), grad, hess)
    }

    /// Skipping the frequent bins gives the histogram the dense pass gives, bin by bin, over
    /// many parts or one, with Hessians or unit ones.
    #[test]
    fn the_sparse_histogram_is_the_dense_one() {
        let (data, grad, hess) = slow_movers(40_000);
        let sparse = data.sparse.as_ref().expect("a zero-heavy matrix is kept sparse");
        assert_eq!(&sparse.frequent[..4], &[0, 0, 0, 0]);
        let dense = BinnedMatrix {
            sparse: None,
            ..data.clone()
        };
        let all: Vec<u32> = (0..40_000).collect();
        let some: Vec<u32> = (0..40_000).filter(|r| r % 3 != 0).take(9_000).collect();
        for rows in [&all[..], &some[..], &[][..]] {
            for h in [Some(&hess[..]), None] {
                let (a, b) = (histogram(&data, &grad, h, rows), histogram(&dense, &grad, h, rows));
                for (fa, fb) in a.iter().zip(&b) {
                    for (sa, sb) in fa.iter().zip(fb) {
                        assert!(
                            (sa[0] - sb[0]).abs() < 1e-9 && (sa[1] - sb[1]).abs() < 1e-9,
                            "{sa:?} vs {sb:?}"
                        );
                    }
                }
            }
        }
    }
}
