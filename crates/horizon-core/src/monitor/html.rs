//! The monitoring report for people: one self-contained HTML file (inline SVG, no script) with
//! the verdict and its reasons, the accuracy of the logged forecasts by step against the
//! backtest's promise, every series' verdict, and for the series that need attention a plot of
//! the training data's last stretch, the new sales, the forecasts made and the CUSUM statistic
//! of the drift check over the new days.

use super::log::ForecastLog;
use super::{MonitorReport, SeriesCheck, Verdict};
use crate::artifact::Artifact;
use crate::data::Panel;
use crate::headline::people;
use crate::report::escape;
use chrono::NaiveDate;
use std::fmt::Write;

/// Series drawn at most (those needing attention first).
const PLOTS: usize = 12;
/// Logged forecasts drawn per series at most (the latest).
const FORECASTS_DRAWN: usize = 5;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.2rem}.made{color:#666}\
.verdict{font-size:1.2rem;padding:.6rem 1rem;border-radius:.4rem}.ok{background:#e3f4e1}.watch{background:#fff3cd}.retrain{background:#f8d7da}\
table{border-collapse:collapse;font-size:.9rem}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}\
td.n{text-align:right}svg{max-width:100%;height:auto}";

/// The report as HTML; `artifact` gives the training data's last stretch, `panel` the new sales,
/// `logs` the forecasts made.
pub fn html(report: &MonitorReport, artifact: &Artifact, panel: &Panel, logs: &[ForecastLog]) -> String {
    let mut out = String::new();
    let title = format!("Monitoring {} version {}", report.model, report.version);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p class=\"made\">Checked {} on {}; trained on data up to {}.</p>\n",
        escape(&report.checked_at),
        escape(&report.data),
        report
            .trained_until
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        t = escape(&title),
    );
    let _ = writeln!(
        out,
        "<div class=\"verdict {v}\"><strong>Verdict: {v}</strong> — {} ok, {} to watch, {} to retrain.</div>",
        report.counts.ok,
        report.counts.watch,
        report.counts.retrain,
        v = report.verdict.word()
    );
    out.push_str("<ul>\n");
    for r in report.reasons.iter().chain(&report.notes) {
        let _ = writeln!(out, "<li>{}</li>", escape(r));
    }
    out.push_str("</ul>\n");
    accuracy(&mut out, report);
    series_table(&mut out, report);
    let mut shown: Vec<&SeriesCheck> = report.series.iter().filter(|c| c.verdict > Verdict::Ok).collect();
    if shown.is_empty() {
        shown = report.series.iter().take(3).collect();
        if !shown.is_empty() {
            out.push_str("<h2>A few series</h2>\n");
        }
    } else {
        out.push_str("<h2>Series that need attention</h2>\n");
    }
    for c in shown.into_iter().take(PLOTS) {
        let _ = writeln!(out, "<h3>{} — {}</h3>", escape(&c.label), c.verdict.word());
        out.push_str(&series_plot(c, artifact, panel, logs));
        if let Some(d) = &c.drift
            && !d.cusum.is_empty()
        {
            out.push_str(&cusum_plot(c, &d.cusum));
        }
        if let Some(d) = &c.drift {
            out.push_str("<table>\n<tr><th>check</th><th>test</th><th>statistic</th><th>p-value</th><th>finding</th><th>change</th></tr>\n");
            for t in &d.tests {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{} = {:.2}</td><td class=\"n\">{:.4}</td><td>{}</td><td>{}</td></tr>",
                    t.check.name(),
                    t.check.test(),
                    t.check.statistic(),
                    t.statistic,
                    t.p_value,
                    match (t.significant, t.material) {
                        (true, true) => "significant, material",
                        (true, false) => "significant, small",
                        _ => "—",
                    },
                    escape(&t.effect)
                );
            }
            let _ = writeln!(
                out,
                "<tr><td>stability</td><td>PSI over the reference's deciles (rule of thumb 0.25)</td><td class=\"n\">{:.3}</td><td></td><td>{}</td><td></td></tr>\n</table>",
                d.psi,
                if d.psi > super::stattest::PSI_MAJOR {
                    "above 0.25"
                } else {
                    "—"
                }
            );
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn accuracy(out: &mut String, report: &MonitorReport) {
    let Some(acc) = &report.accuracy else { return };
    out.push_str("<h2>Forecasts against actuals</h2>\n");
    let promise = report
        .promised
        .mase
        .map(|m| format!("The backtest promised MASE {m:.2}"))
        .unwrap_or_else(|| "The model has no backtest MASE".into());
    let cover = report
        .promised
        .coverage95
        .map(|c| format!(" and {:.0} % of actuals inside the 95 % range.", 100.0 * c))
        .unwrap_or_else(|| ".".into());
    let _ = writeln!(out, "<p>{promise}{cover} {} forecast(s) judged.</p>", acc.forecasts);
    for m in &acc.messages {
        let _ = writeln!(out, "<p>{}</p>", escape(m));
    }
    if acc.by_step.is_empty() {
        return;
    }
    out.push_str("<table>\n<tr><th>step</th><th>days</th><th>MASE</th><th>bias</th><th>coverage</th></tr>\n");
    for s in &acc.by_step {
        let cov: Vec<String> = s
            .scores
            .coverage
            .iter()
            .map(|c| format!("{} %: {:.0} %", c.level, 100.0 * c.observed))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            s.step,
            s.scores.pairs,
            s.scores.mase,
            s.scores.bias.map_or("—".into(), |b| format!("{:+.1} %", 100.0 * b)),
            cov.join(", ")
        );
    }
    out.push_str("</table>\n");
}

fn series_table(out: &mut String, report: &MonitorReport) {
    out.push_str("<h2>Every series</h2>\n<table>\n<tr><th>series</th><th>verdict</th><th>new days</th><th>level change</th><th>reasons</th></tr>\n");
    for c in &report.series {
        let change = c
            .drift
            .as_ref()
            .and_then(|d| d.level_change)
            .map(|c| format!("{:+.0} %", 100.0 * c))
            .unwrap_or_default();
        let reasons: Vec<String> = c.reasons.iter().map(|r| escape(r)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"{v}\">{v}</td><td class=\"n\">{}</td><td class=\"n\">{change}</td><td>{}</td></tr>",
            escape(&c.label),
            c.new_values,
            reasons.join("<br>"),
            v = c.verdict.word()
        );
    }
    out.push_str("</table>\n");
}

const W: f64 = 800.0;
const H: f64 = 260.0;
const LEFT: f64 = 60.0;
const BOTTOM: f64 = 28.0;

/// A line of the plot: points (x index, value), colour, name.
struct Line<'a> {
    points: Vec<(i64, f64)>,
    colour: &'a str,
    name: String,
}

/// The training data's last stretch, the new sales, and every logged forecast of the series.
fn series_plot(c: &SeriesCheck, artifact: &Artifact, panel: &Panel, logs: &[ForecastLog]) -> String {
    let freq = panel.freq;
    let Some(t) = artifact.training.series.iter().find(|s| s.key == c.key) else {
        return String::new();
    };
    let new_n = c.new_values.max(14);
    let back = t.recent.len().min((3 * new_n).max(8 * 7));
    let x0 = t.end;
    let x = |d: NaiveDate| freq.period_index(d, x0).index;
    let history: Vec<(i64, f64)> = t.recent[t.recent.len() - back..]
        .iter()
        .enumerate()
        .map(|(i, v)| ((i as i64) - (back as i64 - 1), *v))
        .collect();
    let mut lines = vec![Line {
        points: history,
        colour: "#3a6fd8",
        name: "training data".into(),
    }];
    if let Some(s) = panel.find(&c.key).map(|i| &panel.series[i]) {
        let new: Vec<(i64, f64)> = s
            .dates
            .iter()
            .zip(&s.values)
            .filter(|(d, _)| **d > t.end)
            .map(|(d, v)| (x(*d), *v))
            .collect();
        lines.push(Line {
            points: new,
            colour: "#1b7f3b",
            name: "new sales".into(),
        });
    }
    let mut band = Vec::new();
    // The latest forecasts made (a server may have logged many).
    let mut recent: Vec<&ForecastLog> = logs
        .iter()
        .filter(|l| l.forecasts.iter().any(|f| f.key == c.key))
        .collect();
    recent.sort_by(|a, b| b.made_at.cmp(&a.made_at));
    recent.truncate(FORECASTS_DRAWN);
    recent.reverse();
    for l in recent {
        for f in l.forecasts.iter().filter(|f| f.key == c.key) {
            lines.push(Line {
                points: f
                    .dates
                    .iter()
                    .zip(&f.forecast.point)
                    .map(|(d, v)| (x(*d), *v))
                    .collect(),
                colour: "#d0601a",
                name: format!("forecast made {}", l.made_at),
            });
            if let Some(i) = f.forecast.intervals.last() {
                band = f
                    .dates
                    .iter()
                    .enumerate()
                    .map(|(k, d)| (x(*d), i.lower[k], i.upper[k]))
                    .collect();
            }
        }
    }
    svg(
        &format!("{}: sales and forecasts", c.label),
        &lines,
        &band,
        Some(0),
        None,
    )
}

/// The CUSUM statistic over the new days, with its alarm line.
fn cusum_plot(c: &SeriesCheck, path: &[f64]) -> String {
    let line = Line {
        points: path.iter().enumerate().map(|(k, v)| (k as i64, *v)).collect(),
        colour: "#7a3ad8",
        name: "CUSUM statistic (alarm above 5)".into(),
    };
    svg(
        &format!("{}: drift statistic over the new days", c.label),
        &[line],
        &[],
        None,
        Some(super::stattest::CUSUM_H),
    )
}

fn svg(label: &str, lines: &[Line<'_>], band: &[(i64, f64, f64)], vline: Option<i64>, hline: Option<f64>) -> String {
    let xs = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(band.iter().map(|b| b.0));
    let (xa, xb) = xs.fold((i64::MAX, i64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if xa > xb {
        return String::new();
    }
    let ys = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(band.iter().flat_map(|b| [b.1, b.2]))
        .chain(hline)
        .filter(|v| v.is_finite());
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo.min(0.0), hi)
    } else {
        (0.0, lo.abs().max(1.0) * 2.0)
    };
    let span = (xb - xa).max(1) as f64;
    let px = |v: i64| LEFT + (W - LEFT - 10.0) * (v - xa) as f64 / span;
    let py = |v: f64| 10.0 + (H - BOTTOM - 10.0) * (1.0 - (v - lo) / (hi - lo));
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\n",
        escape(label)
    );
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"10\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>",
        W - LEFT - 10.0,
        H - BOTTOM - 10.0
    );
    for (v, y) in [(lo, H - BOTTOM), (hi, 16.0)] {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            people(v)
        );
    }
    if !band.is_empty() {
        let pts: Vec<String> = band
            .iter()
            .map(|b| (b.0, b.2))
            .chain(band.iter().rev().map(|b| (b.0, b.1)))
            .filter(|p| p.1.is_finite())
            .map(|(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            out,
            "<polygon points=\"{}\" fill=\"#e8803a\" fill-opacity=\"0.25\"><title>range of the latest forecast</title></polygon>",
            pts.join(" ")
        );
    }
    if let Some(v) = vline.filter(|v| (xa..=xb).contains(v)) {
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"10\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 3\"><title>end of the training data</title></line>",
            H - BOTTOM,
            x = px(v)
        );
    }
    if let Some(v) = hline {
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>alarm line</title></line>",
            W - 10.0,
            y = py(v)
        );
    }
    for l in lines {
        let pts: Vec<String> = l
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"><title>{}</title></polyline>",
            pts.join(" "),
            l.colour,
            escape(&l.name)
        );
    }
    out.push_str("</svg>\n");
    out
}
