//! Browser entry point: starts the workbench on the `<canvas id="horizon_canvas">` of
//! `wasm/index.html`, and reports start-up on `<body data-horizon="ready|error">` so scripted
//! browser checks can wait for it.

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
                Box::new(|cc| Ok(Box::new(HorizonApp::new(cc, Box::new(WebPlatform))))),
            )
            .await;
        if let Some(body) = document.body() {
            let state = if started.is_ok() { "ready" } else { "error" };
            let _ = body.set_attribute("data-horizon", state);
        }
    });
    Ok(())
}
