//! Browser entry point: starts the workbench on the `<canvas id="horizon_canvas">` of
//! `wasm/index.html`, and reports start-up on `<body data-horizon="ready|error">` so scripted
//! browser checks can wait for it. The workbench's state line is mirrored on `<body>` too
//! (`data-status`, `data-busy`, `data-result`), because the canvas itself has no DOM to read.

use crate::app::HorizonApp;
use crate::app::platform::WebPlatform;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas = document
        .get_element_by_id("horizon_canvas")
        .ok_or("no element with id horizon_canvas")?
        .dyn_into::<web_sys::HtmlCanvasElement>()?;
    wasm_bindgen_futures::spawn_local(async move {
        let runner = eframe::WebRunner::new();
        let started = runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|cc| {
                    Ok(Box::new(PageApp {
                        app: HorizonApp::new(cc, Box::new(WebPlatform)),
                        published: Vec::new(),
                    }))
                }),
            )
            .await;
        if let Some(body) = document.body() {
            let state = if started.is_ok() { "ready" } else { "error" };
            let _ = body.set_attribute("data-horizon", state);
        }
    });
    Ok(())
}

/// The workbench on a page: each frame timed, and its state mirrored on `<body>` when it
/// changed.
struct PageApp {
    app: HorizonApp,
    /// What the page was last told: status, busy, series and model of the forecast.
    published: Vec<(&'static str, String)>,
}

impl eframe::App for PageApp {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, frame: &mut eframe::Frame) {
        let started = web_time::Instant::now();
        self.app.ui(ui, frame);
        frame_took(started.elapsed());
        let now = page_state(&self.app.workbench);
        if now != self.published {
            publish(&now);
            self.published = now;
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }
}

thread_local! {
    /// The longest time the workbench's own code (layout, polling, task steps) held a frame
    /// since the last [`reset_frame_stats`], in milliseconds. Painting is not included.
    static LONGEST_FRAME_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

fn frame_took(d: std::time::Duration) {
    LONGEST_FRAME_MS.with(|m| m.set(m.get().max(d.as_secs_f64() * 1e3)));
}

/// For scripts measuring responsiveness: the longest frame (the workbench's code, ms) since the
/// last call, and start a new measurement.
#[wasm_bindgen]
pub fn reset_frame_stats() -> f64 {
    LONGEST_FRAME_MS.with(|m| m.replace(0.0))
}

/// The `<body>` attributes that describe the workbench now.
pub fn page_state(wb: &crate::app::Workbench) -> Vec<(&'static str, String)> {
    let result = wb
        .forecast
        .result
        .as_ref()
        .map(|r| {
            let levels: Vec<String> = r
                .forecast
                .forecast
                .intervals
                .iter()
                .map(|i| horizon_core::export::level_label(i.level))
                .collect();
            format!(
                "{} | {} | {} steps | levels {} | {:.1} ms",
                r.history.label(),
                r.forecast.model,
                r.forecast.forecast.point.len(),
                levels.join(","),
                r.elapsed_ms
            )
        })
        .unwrap_or_default();
    vec![
        ("data-status", wb.status.clone()),
        ("data-busy", if wb.is_busy() { "1" } else { "0" }.to_string()),
        ("data-result", result),
        ("data-forecasts", wb.forecast.forecasts_shown.to_string()),
        ("data-registry", registry_state(wb)),
        // The last check of the data against a version: `shop v1: watch — 0 ok, 6 to watch, 0 to
        // retrain | <the first reason>`.
        (
            "data-monitor",
            wb.registry
                .monitor
                .as_ref()
                .map(|r| {
                    format!(
                        "{} v{}: {} — {} ok, {} to watch, {} to retrain | {}",
                        r.model,
                        r.version,
                        r.verdict,
                        r.counts.ok,
                        r.counts.watch,
                        r.counts.retrain,
                        r.reasons.first().map(String::as_str).unwrap_or("")
                    )
                })
                .unwrap_or_default(),
        ),
        // The sentences after the headline: a plan's uplift, what a total is made of.
        (
            "data-notes",
            wb.forecast
                .result
                .as_ref()
                .map(|r| r.notes().join(" | "))
                .unwrap_or_default(),
        ),
    ]
}

/// `sales: v1 v2 @champion=v2; …`, or the registry's error.
fn registry_state(wb: &crate::app::Workbench) -> String {
    if let Some(e) = &wb.registry.error {
        return format!("error: {e}");
    }
    let Some(models) = &wb.registry.models else {
        return String::new();
    };
    let listed: Vec<String> = models
        .iter()
        .map(|m| {
            let versions = m.versions.iter().map(|v| format!(" v{}", v.version));
            let aliases = m.aliases.iter().map(|(a, v)| format!(" @{a}=v{v}"));
            format!("{}:{}", m.name, versions.chain(aliases).collect::<String>())
        })
        .collect();
    format!("models: {}", listed.join("; "))
}

/// Write `state` onto `<body>`.
pub fn publish(state: &[(&'static str, String)]) {
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else {
        return;
    };
    for (name, value) in state {
        let _ = body.set_attribute(name, value);
    }
}
