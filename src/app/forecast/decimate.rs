//! What the plot draws of a long series: at most a few points per pixel column of the visible
//! range, chosen so that no peak or trough disappears (the min/max per column decimation of
//! time-series viewers, e.g. Steinarsson 2013, "Downsampling time series for visual
//! representation", §3 "min-max"). Zooming in shows every point again.

/// Indices `[a, b)` of the sorted `xs` inside `[x0, x1]`, widened by one point on each side so
/// lines run to the edges of the view.
fn visible(xs: &[f64], x0: f64, x1: f64) -> (usize, usize) {
    let a = xs.partition_point(|x| *x < x0).saturating_sub(1);
    let b = (xs.partition_point(|x| *x <= x1) + 1).min(xs.len());
    (a, b.max(a))
}

/// The bucket (pixel column) of `x` among `buckets` columns over `[x0, x1]`.
fn bucket(x: f64, x0: f64, x1: f64, buckets: usize) -> usize {
    let t = ((x - x0) / (x1 - x0)).clamp(0.0, 1.0);
    ((t * buckets as f64) as usize).min(buckets - 1)
}

/// The points of the line `(xs, ys)` to draw over `[x0, x1]` on `buckets` pixel columns: every
/// visible point when there are at most two per column, else each column's lowest and highest
/// point in their x order. `xs` is sorted.
pub fn line(xs: &[f64], ys: &[f64], x0: f64, x1: f64, buckets: usize) -> Vec<[f64; 2]> {
    let n = xs.len().min(ys.len());
    let (a, b) = visible(&xs[..n], x0, x1);
    let buckets = buckets.max(1);
    if b - a <= 2 * buckets || x1 <= x0 || !(x1 - x0).is_finite() {
        return (a..b).map(|i| [xs[i], ys[i]]).collect();
    }
    let mut out = Vec::with_capacity(2 * buckets + 2);
    let mut i = a;
    while i < b {
        let k = bucket(xs[i], x0, x1, buckets);
        let (mut lo, mut hi) = (i, i);
        let mut j = i + 1;
        while j < b && bucket(xs[j], x0, x1, buckets) == k {
            if ys[j] < ys[lo] {
                lo = j;
            }
            if ys[j] > ys[hi] {
                hi = j;
            }
            j += 1;
        }
        let (first, second) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push([xs[first], ys[first]]);
        if second != first {
            out.push([xs[second], ys[second]]);
        }
        i = j;
    }
    out
}

/// A band `[lower, upper]` over `xs` reduced to one envelope per pixel column: the column's
/// first x, its lowest lower bound and its highest upper bound (the band never looks narrower
/// than it is).
pub fn band(xs: &[f64], lower: &[f64], upper: &[f64], x0: f64, x1: f64, buckets: usize) -> [Vec<f64>; 3] {
    let n = xs.len().min(lower.len()).min(upper.len());
    let (a, b) = visible(&xs[..n], x0, x1);
    let buckets = buckets.max(1);
    if b - a <= 2 * buckets || x1 <= x0 || !(x1 - x0).is_finite() {
        return [xs[a..b].to_vec(), lower[a..b].to_vec(), upper[a..b].to_vec()];
    }
    let [mut x, mut lo, mut hi] = [Vec::new(), Vec::new(), Vec::new()];
    let mut i = a;
    while i < b {
        let k = bucket(xs[i], x0, x1, buckets);
        let (mut l, mut u) = (lower[i], upper[i]);
        let mut j = i + 1;
        while j < b && bucket(xs[j], x0, x1, buckets) == k {
            l = l.min(lower[j]);
            u = u.max(upper[j]);
            j += 1;
        }
        x.push(xs[i]);
        lo.push(l);
        hi.push(u);
        i = j;
    }
    [x, lo, hi]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize) -> (Vec<f64>, Vec<f64>) {
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let ys: Vec<f64> = xs.iter().map(|x| (x * 0.37).sin() * 10.0 + (x * 0.011).cos()).collect();
        (xs, ys)
    }

    #[test]
    fn few_points_are_drawn_as_they_are() {
        let (xs, ys) = wave(50);
        let pts = line(&xs, &ys, 0.0, 49.0, 100);
        assert_eq!(pts.len(), 50);
        assert!(pts.iter().zip(xs.iter().zip(&ys)).all(|(p, (x, y))| p == &[*x, *y]));
    }

    /// Ten years of days on 800 columns: at most two points a column, every column's extremes
    /// kept, the whole line's minimum and maximum among them.
    #[test]
    fn long_lines_keep_every_columns_extremes() {
        let (xs, ys) = wave(3653);
        let pts = line(&xs, &ys, 0.0, 3652.0, 800);
        assert!(pts.len() <= 1600 && pts.len() >= 800, "{}", pts.len());
        assert!(pts.windows(2).all(|w| w[0][0] < w[1][0]), "x order kept");
        let (ymin, ymax) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(*y), b.max(*y)));
        assert!(pts.iter().any(|p| p[1] == ymin) && pts.iter().any(|p| p[1] == ymax));
        for k in 0..800 {
            let inside: Vec<f64> = (0..xs.len())
                .filter(|&i| bucket(xs[i], 0.0, 3652.0, 800) == k)
                .map(|i| ys[i])
                .collect();
            let drawn: Vec<f64> = pts
                .iter()
                .filter(|p| bucket(p[0], 0.0, 3652.0, 800) == k)
                .map(|p| p[1])
                .collect();
            let max = inside.iter().cloned().fold(f64::MIN, f64::max);
            let min = inside.iter().cloned().fold(f64::MAX, f64::min);
            assert!(drawn.contains(&max) && drawn.contains(&min), "column {k}");
        }
    }

    /// Zoomed in on a month: every point of the month, plus one on each side.
    #[test]
    fn zooming_in_shows_every_point() {
        let (xs, ys) = wave(3653);
        let pts = line(&xs, &ys, 1000.0, 1030.0, 800);
        assert_eq!(pts.len(), 33);
        assert_eq!((pts[0][0], pts[32][0]), (999.0, 1031.0));
    }

    #[test]
    fn bands_keep_their_envelope() {
        let (xs, ys) = wave(3653);
        let lo: Vec<f64> = ys.iter().map(|y| y - 2.0).collect();
        let hi: Vec<f64> = ys.iter().map(|y| y + 3.0).collect();
        let [x, l, u] = band(&xs, &lo, &hi, 0.0, 3652.0, 500);
        assert!(x.len() <= 500 && x.len() == l.len() && l.len() == u.len());
        let min_lo = lo.iter().cloned().fold(f64::MAX, f64::min);
        let max_hi = hi.iter().cloned().fold(f64::MIN, f64::max);
        assert_eq!(l.iter().cloned().fold(f64::MAX, f64::min), min_lo);
        assert_eq!(u.iter().cloned().fold(f64::MIN, f64::max), max_hi);
        assert!(l.iter().zip(&u).all(|(a, b)| a <= b));
    }

    #[test]
    fn empty_and_degenerate_views_do_not_panic() {
        assert!(line(&[], &[], 0.0, 1.0, 10).is_empty());
        let (xs, ys) = wave(100);
        assert_eq!(line(&xs, &ys, 5.0, 5.0, 10).len(), 3);
        assert!(line(&xs, &ys, 500.0, 600.0, 10).len() <= 1);
        let [x, _, _] = band(&xs, &ys, &ys, f64::NAN, f64::NAN, 10);
        assert!(x.len() <= 100);
    }
}
