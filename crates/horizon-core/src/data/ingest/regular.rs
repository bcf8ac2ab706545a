//! Raw series onto their frequency's grid: sorted, spans checked against memory, duplicates
//! merged, gaps filled by policy and counted.

use super::ends;
use super::options::{DuplicatePolicy, GapPolicy, IngestOptions, IngestStats, Mapping};
use super::rows::{Accumulator, RawSeries};
use crate::data::calendar::{Frequency, grid_frequency, infer_frequency, step_frequency};
use crate::data::validate::{Issue, IssueKind, Report};
use crate::data::{Panel, Series, key_label};
use chrono::NaiveDate;

/// Sort, merge duplicates, put every series on the frequency grid and fill gaps.
pub(super) fn build_panel(
    acc: Accumulator,
    mapping: &mut Mapping,
    opts: &IngestOptions,
    report: &mut Report,
    stats: &mut IngestStats,
) -> Option<Panel> {
    let n_exog = acc.n_exog;
    let mut raws = acc.series;
    for s in &mut raws {
        sort_raw(s, n_exog);
    }
    let stepped = infer_frequency(raws.iter().map(|s| s.dates.as_slice()));
    stats.dates_freq = grid_frequency(raws.iter().map(|s| s.dates.as_slice()));
    let freq = match mapping.freq.or(stepped) {
        Some(f) => f,
        None => {
            report.push(Issue::error(
                IssueKind::Frequency,
                "cannot infer the frequency: no two consecutive dates are 1, 7, 28–31 or 89–92 days apart \
                 (set the frequency: daily, weekly, monthly or quarterly)",
            ));
            return None;
        }
    };
    mapping.freq = Some(freq);
    if let Some(stepped) = stats
        .dates_freq
        .filter(|f| f.periods_per_year() < freq.periods_per_year())
    {
        report.push(Issue::warning(
            IssueKind::Frequency,
            format!(
                "the dates step like {} data but are read as {} (the frequency set): the {}s between them \
                 count as gaps",
                stepped.name(),
                freq.name(),
                freq.unit()
            ),
        ));
    }
    let strays = raws.iter().filter(|raw| stray_dates(raw, freq, report)).count();
    for raw in &raws {
        coarser_series(raw, freq, stepped, report);
    }
    if strays > 0 || !spans_fit_in_memory(&raws, freq, report) {
        return None;
    }
    let season = opts.season.unwrap_or(freq.default_season());
    // Days summed into months: the file's first and last day decide which months are partial.
    let extract = (freq == Frequency::Monthly)
        .then(|| ends::Extract::of(raws.iter().map(|r| r.dates.as_slice())))
        .flatten();
    let mut series = Vec::with_capacity(raws.len());
    for raw in raws {
        if let Some(s) = regularise(raw, freq, n_exog, extract.as_ref(), opts, report, stats) {
            if s.len() < season.saturating_mul(2) {
                report.push(
                    Issue::warning(
                        IssueKind::ShortSeries,
                        format!(
                            "{} observation(s), fewer than two seasons ({} for season {season}): seasonal patterns are poorly \
                             estimated; seasonal naive needs more than one season ({}) and otherwise falls back to naive",
                            s.len(),
                            season.saturating_mul(2),
                            season.saturating_add(1)
                        ),
                    )
                    .for_series(s.label()),
                );
            }
            series.push(s);
        }
    }
    early_ends(&series, freq, report);
    stats.series = series.len();
    if series.is_empty() {
        if !report.has_errors() {
            report.push(Issue::error(
                IssueKind::NoValues,
                "no series has a sales value: there is nothing to forecast from",
            ));
        }
        return None;
    }
    Some(Panel {
        id_columns: mapping.id_columns.clone(),
        date_column: mapping.date_column.clone(),
        value_column: mapping.value_column.clone(),
        exog_columns: mapping.exog_columns.clone(),
        freq,
        series,
    })
}

/// Warn of each series whose data ends before the file's last period: its forecast starts
/// from its own last date, earlier than the others' (a product no longer sold, or rows lost in
/// an export).
fn early_ends(series: &[Series], freq: Frequency, report: &mut Report) {
    let Some(end) = series.iter().filter_map(|s| s.dates.last()).max().copied() else {
        return;
    };
    for s in series {
        let Some(&last) = s.dates.last() else { continue };
        // Periods, not dates: months dated the 1st and the 3rd end in the same month.
        let behind = freq.period_index(end, last).index;
        if behind > 0 {
            report.push(
                Issue::warning(
                    IssueKind::EarlyEnd,
                    format!(
                        "the series ends on {last}, {behind} {}(s) before the data's last date ({end}): its forecast \
                         starts from {last}, not from {end}",
                        freq.unit()
                    ),
                )
                .for_series(s.label()),
            );
        }
    }
}

/// Periods on the dense grid of a sorted raw series (first to last date).
fn span(raw: &RawSeries, freq: Frequency) -> usize {
    match (raw.dates.first(), raw.dates.last()) {
        (Some(&a), Some(&b)) => usize::try_from(freq.period_index(b, a).index)
            .unwrap_or(0)
            .saturating_add(1),
        _ => 0,
    }
}

/// Warn of a series whose dates clearly step at a coarser frequency than the file's (a monthly
/// series in a daily file: at least three steps, three in four of them a month apart). Read at
/// the file's frequency, the periods between its dates count as gaps, which is right for a
/// product sold on one day a month and wrong for monthly totals; only the user knows which.
/// A series that steps as the whole file does (`stepped`) is left to the file's warning.
fn coarser_series(raw: &RawSeries, freq: Frequency, stepped: Option<Frequency>, report: &mut Report) {
    let steps = raw.dates.len().saturating_sub(1);
    let Some(own) = infer_frequency(std::iter::once(raw.dates.as_slice())) else {
        return;
    };
    let like = raw
        .dates
        .windows(2)
        .filter(|w| step_frequency((w[1] - w[0]).num_days()) == Some(own))
        .count();
    if Some(own) == stepped || own.periods_per_year() >= freq.periods_per_year() || like < 3 || like * 4 < steps * 3 {
        return;
    }
    let mut issue = Issue::warning(
        IssueKind::Frequency,
        format!(
            "its dates step like {} data ({like} of {steps} steps) but the file is {}: the {}s between them count \
             as gaps (filled by the gap policy). If these are {} totals, put them in a file of their own",
            own.name(),
            freq.name(),
            freq.unit(),
            own.name()
        ),
    )
    .for_series(key_label(&raw.key));
    if let Some(&row) = raw.rows.first() {
        issue = issue.at_row(row as usize);
    }
    report.push(issue);
}

/// Whether a few dates of a sorted raw series lie far from all the others — one flipped digit
/// (2023 → 2123) would otherwise fill a century of gaps. The series' widest gap between
/// consecutive dates splits it in two; when the smaller side has at most 5 rows and 5 % of
/// them, and the gap is longer than ten years and than ten times the larger side's whole span
/// (so that a real pause — a shop closed for a few years, a pilot before a launch — is read),
/// the smaller side's rows are reported as an error.
fn stray_dates(raw: &RawSeries, freq: Frequency, report: &mut Report) -> bool {
    let n = raw.dates.len();
    if n < 3 {
        return false;
    }
    let periods = |a: NaiveDate, b: NaiveDate| freq.period_index(b, a).index;
    let Some((cut, gap)) = (1..n)
        .map(|i| (i, periods(raw.dates[i - 1], raw.dates[i])))
        .max_by_key(|&(_, g)| g)
    else {
        return false;
    };
    // The side before the gap is dates[..cut], the side after it dates[cut..].
    let (few, bulk) = if cut <= n - cut {
        (0..cut, cut..n)
    } else {
        (cut..n, 0..cut)
    };
    let bulk_span = periods(raw.dates[bulk.start], raw.dates[bulk.end - 1]);
    let ten_years = 10 * i64::try_from(freq.periods_per_year()).unwrap_or(i64::MAX);
    if few.len() > 5 || few.len() * 20 > n || gap <= bulk_span.saturating_mul(10).max(ten_years) {
        return false;
    }
    let rows: Vec<String> = few.clone().map(|i| raw.rows[i].to_string()).collect();
    let (d, first, last) = (raw.dates[few.start], raw.dates[bulk.start], raw.dates[bulk.end - 1]);
    report.push(
        Issue::error(
            IssueKind::Gap,
            format!(
                "{d} lies {} from the rest of this series ({first} to {last}, {} rows): a mistyped date? \
                 Fix or remove row(s) {}",
                years(gap, freq),
                bulk.len(),
                rows.join(", ")
            ),
        )
        .at_row(raw.rows[few.start] as usize)
        .for_series(key_label(&raw.key)),
    );
    true
}

/// `gap` periods in years, for messages (`100 years`, `2.5 years`).
fn years(gap: i64, freq: Frequency) -> String {
    let y = gap as f64 / freq.periods_per_year() as f64;
    if y >= 10.0 {
        format!("{y:.0} years")
    } else {
        format!("{y:.1} years")
    }
}

/// Refuse date ranges that would need an absurd grid (a stray year 0001 in a daily file): a
/// series may span at most max(100 × its rows, 20,000) periods, the panel at most
/// max(20 × its rows, 20,000,000).
fn spans_fit_in_memory(raws: &[RawSeries], freq: Frequency, report: &mut Report) -> bool {
    let mut ok = true;
    let mut total = 0usize;
    let mut rows = 0usize;
    for raw in raws {
        let n = raw.dates.len();
        let periods = span(raw, freq);
        total = total.saturating_add(periods);
        rows += n;
        if periods > (100 * n).max(20_000) {
            ok = false;
            let (first, last) = (raw.dates[0], raw.dates[n - 1]);
            let label = key_label(&raw.key);
            report.push(
                Issue::error(
                    IssueKind::Gap,
                    format!("dates run from {first} (row {}) to {last} (row {}): {periods} {freq} periods for {n} row(s) — check these dates", raw.rows[0], raw.rows[n - 1]),
                )
                .at_row(raw.rows[0] as usize)
                .for_series(label),
            );
        }
    }
    if ok && total > (20 * rows).max(20_000_000) {
        report.push(Issue::error(
            IssueKind::Gap,
            format!("the series span {total} {freq} periods in all for {rows} rows; the dates are too sparse to put on a regular grid"),
        ));
        ok = false;
    }
    ok
}

fn sort_raw(s: &mut RawSeries, n_exog: usize) {
    if s.dates.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    let mut order: Vec<usize> = (0..s.dates.len()).collect();
    order.sort_by_key(|&i| (s.dates[i], s.rows[i]));
    s.dates = order.iter().map(|&i| s.dates[i]).collect();
    s.values = order.iter().map(|&i| s.values[i]).collect();
    s.rows = order.iter().map(|&i| s.rows[i]).collect();
    if n_exog > 0 {
        s.exog = order
            .iter()
            .flat_map(|&i| s.exog[i * n_exog..(i + 1) * n_exog].iter().copied())
            .collect();
    }
}

/// One sorted raw series → a dense series on the grid of `freq`.
///
/// `extract`: the days of the whole file when its rows are days, which decide whether a month
/// they are summed into is covered only in part at an end (see [`ends`]).
fn regularise(
    raw: RawSeries,
    freq: Frequency,
    n_exog: usize,
    extract: Option<&ends::Extract>,
    opts: &IngestOptions,
    report: &mut Report,
    stats: &mut IngestStats,
) -> Option<Series> {
    let label = key_label(&raw.key);
    let anchor = *raw.dates.first()?;
    // Periods left out at the start: the series' dates still step from `anchor`, so a month
    // dated the 30th stays on the 30th.
    let mut offset = 0usize;
    let date_of = |offset: usize, k: usize| freq.advance(anchor, (offset + k) as i64);
    let mut values: Vec<f64> = Vec::with_capacity(raw.dates.len());
    let mut seen: Vec<bool> = Vec::with_capacity(raw.dates.len());
    let mut counts: Vec<u32> = Vec::with_capacity(raw.dates.len());
    let mut exog: Vec<Vec<f64>> = vec![Vec::with_capacity(raw.dates.len()); n_exog];
    let mut exog_counts: Vec<Vec<u32>> = vec![Vec::with_capacity(raw.dates.len()); n_exog];
    let mut dup_rows: Vec<u32> = Vec::new();
    // Rows whose date differs from an earlier date of the same period (two days of one month in
    // a monthly file): merged like duplicates, and said so.
    let mut same_period: Vec<(u32, NaiveDate, NaiveDate)> = Vec::new();
    let mut off_grid = false;
    for (i, &d) in raw.dates.iter().enumerate() {
        let p = freq.period_index(d, anchor);
        if !p.on_grid {
            off_grid = true;
            report.push(
                Issue::error(
                    IssueKind::OffGrid,
                    format!("{d} is not on the {freq} grid of this series, which starts {anchor}"),
                )
                .at_row(raw.rows[i] as usize)
                .for_series(label.clone()),
            );
            continue;
        }
        let k = p.index as usize;
        while values.len() <= k {
            values.push(f64::NAN);
            seen.push(false);
            counts.push(0);
            for c in &mut exog {
                c.push(f64::NAN);
            }
            for c in &mut exog_counts {
                c.push(0);
            }
        }
        let v = raw.values[i];
        if seen[k] {
            dup_rows.push(raw.rows[i]);
            if raw.dates[i] != raw.dates[i - 1] {
                same_period.push((raw.rows[i], d, raw.dates[i - 1]));
            }
            if !v.is_nan() {
                values[k] = if values[k].is_nan() { v } else { values[k] + v };
                counts[k] += 1;
            }
        } else {
            seen[k] = true;
            values[k] = v;
            counts[k] = u32::from(!v.is_nan());
        }
        for (c, (col, count)) in exog.iter_mut().zip(&mut exog_counts).enumerate() {
            let x = raw.exog[i * n_exog + c];
            if !x.is_nan() {
                // Exogenous drivers (price, promotion) are averaged over duplicates: summed
                // here, divided below.
                col[k] = if col[k].is_nan() { x } else { col[k] + x };
                count[k] += 1;
            }
        }
    }
    for (col, count) in exog.iter_mut().zip(&exog_counts) {
        for (x, &n) in col.iter_mut().zip(count) {
            if n > 1 {
                *x /= f64::from(n);
            }
        }
    }
    if off_grid {
        return None;
    }
    // Ends that would be read as sales they are not are left out rather than filled.
    if let Some(extract) = extract
        .filter(|_| freq == Frequency::Monthly && !same_period.is_empty() && opts.duplicates == DuplicatePolicy::Sum)
    {
        let [first, last] = ends::partial_months(extract, anchor, values.len());
        for (part, end, row) in [(first, "starts", raw.rows.first()), (last, "ends", raw.rows.last())] {
            if let Some(p) = part {
                report.push(
                    Issue::warning(
                        IssueKind::PartialEnd,
                        format!(
                            "the data {end} inside the month of {} ({} of its {} days have rows): summed, it would \
                             look like a fall in sales, so it is left out",
                            p.start, p.covered, p.days
                        ),
                    )
                    .at_row(row.map_or(0, |r| *r as usize))
                    .for_series(label.clone()),
                );
            }
        }
        let front = usize::from(first.is_some());
        leave_out(
            front,
            usize::from(last.is_some()),
            &mut values,
            &mut seen,
            &mut counts,
            &mut exog,
        );
        offset += front;
    }
    let (head, tail) = ends::blank_ends(&values, &seen);
    for (n, end, first_date) in [
        (head, "first", date_of(offset, 0)),
        (tail, "last", date_of(offset, values.len().saturating_sub(tail))),
    ] {
        if n > 0 {
            report.push(
                Issue::warning(
                    IssueKind::PartialEnd,
                    format!(
                        "the {end} {n} {}(s) of this series have a blank sales cell (from {first_date}): they are \
                         left out, not filled (a forecast would start from the filled value)",
                        freq.unit(),
                    ),
                )
                .for_series(label.clone()),
            );
        }
    }
    if head + tail > 0 {
        leave_out(head, tail, &mut values, &mut seen, &mut counts, &mut exog);
        offset += head;
    }
    if !dup_rows.is_empty() {
        if opts.duplicates == DuplicatePolicy::Mean {
            for (v, &n) in values.iter_mut().zip(&counts) {
                if n > 1 {
                    *v /= n as f64;
                }
            }
        }
        stats.duplicates_merged += dup_rows.len();
        let rows: Vec<String> = dup_rows.iter().take(5).map(u32::to_string).collect();
        report.push(
            Issue::warning(
                IssueKind::Duplicate,
                format!(
                    "{} row(s) repeat a date of this series and were merged by {} (rows {}{})",
                    dup_rows.len(),
                    if opts.duplicates == DuplicatePolicy::Sum {
                        "sum"
                    } else {
                        "mean"
                    },
                    rows.join(", "),
                    if dup_rows.len() > 5 { ", …" } else { "" }
                ),
            )
            .at_row(dup_rows[0] as usize)
            .for_series(label.clone()),
        );
    }
    if let Some(&(row, date, earlier)) = same_period.first() {
        report.push(
            Issue::warning(
                IssueKind::Duplicate,
                format!(
                    "{} row(s) fall in a {freq} period that already has another date (row {row}: {date} joins {earlier}); \
                     they are merged into one period{}",
                    same_period.len(),
                    if opts.freq.is_some() {
                        ", as the frequency set asks".to_string()
                    } else {
                        format!(" — set the frequency if this file is finer than {freq}")
                    }
                ),
            )
            .at_row(row as usize)
            .for_series(label.clone()),
        );
    }
    // Gaps: periods never seen; missing values: seen with an empty cell.
    let gaps = seen.iter().filter(|s| !**s).count();
    let missing = values.iter().zip(&seen).filter(|(v, s)| **s && v.is_nan()).count();
    if gaps > 0 {
        let longest = longest_run(&seen);
        stats.gaps_filled += gaps;
        report.push(
            Issue::warning(
                IssueKind::Gap,
                format!(
                    "{gaps} missing {} period(s) filled with {} (longest gap: {longest}){}",
                    freq,
                    if opts.gaps == GapPolicy::Zero {
                        "zero"
                    } else {
                        "linear interpolation"
                    },
                    if longest * 4 >= values.len() {
                        " — a huge gap; check the data"
                    } else {
                        ""
                    }
                ),
            )
            .for_series(label.clone()),
        );
    }
    if values.iter().all(|v| v.is_nan()) {
        report.push(
            Issue::warning(
                IssueKind::NoValues,
                format!(
                    "every sales value of this series is missing ({} row(s)): there is nothing to forecast from, \
                     so it is left out",
                    raw.rows.len()
                ),
            )
            .at_row(raw.rows.first().map_or(0, |r| *r as usize))
            .for_series(label),
        );
        return None;
    }
    stats.missing_filled += missing;
    fill(&mut values, opts.gaps);
    for c in &mut exog {
        fill(c, GapPolicy::Linear);
    }
    let dates = (0..values.len()).map(|k| date_of(offset, k)).collect();
    Some(Series {
        key: raw.key,
        freq,
        dates,
        values,
        exog,
    })
}

/// Drop `front` periods at the start and `back` at the end of a series being regularised.
fn leave_out(
    front: usize,
    back: usize,
    values: &mut Vec<f64>,
    seen: &mut Vec<bool>,
    counts: &mut Vec<u32>,
    exog: &mut [Vec<f64>],
) {
    fn ends<T>(v: &mut Vec<T>, front: usize, back: usize) {
        v.truncate(v.len().saturating_sub(back).max(front));
        v.drain(..front.min(v.len()));
    }
    ends(values, front, back);
    ends(seen, front, back);
    ends(counts, front, back);
    for c in exog.iter_mut() {
        ends(c, front, back);
    }
}

fn longest_run(seen: &[bool]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for &s in seen {
        cur = if s { 0 } else { cur + 1 };
        best = best.max(cur);
    }
    best
}

/// Fill NaNs in place: zeros, or straight lines between neighbours (ends take the nearest
/// value). An all-NaN column becomes zeros.
pub fn fill(values: &mut [f64], policy: GapPolicy) {
    if policy == GapPolicy::Zero {
        values.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.0);
        return;
    }
    let known: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else {
        values.iter_mut().for_each(|v| *v = 0.0);
        return;
    };
    let (head, tail) = (values[first], values[last]);
    values[..first].iter_mut().for_each(|v| *v = head);
    values[last + 1..].iter_mut().for_each(|v| *v = tail);
    for w in known.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (va, vb) = (values[a], values[b]);
        for (k, v) in values[a + 1..b].iter_mut().enumerate() {
            *v = va + (vb - va) * (k + 1) as f64 / (b - a) as f64;
        }
    }
}
