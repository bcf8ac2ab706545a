//! `fetch` in the browser with a deadline: each request carries an `AbortController`'s signal
//! and a timer aborts it when the registry's timeout passes (the answer's body included), so a
//! server that never answers gives a timeout error like the native client's, and the request
//! does not stay open.

use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn js_error(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Send `request`; an error after `timeout` (its message says "timed out", which the client
/// reads as a timeout).
pub async fn fetch(request: ehttp::Request, timeout: Duration) -> Result<ehttp::Response, String> {
    let window = web_sys::window().ok_or("no window to fetch from")?;
    let controller = web_sys::AbortController::new().map_err(js_error)?;
    let init = web_sys::RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_signal(Some(&controller.signal()));
    if !request.body.is_empty() {
        init.set_body(&js_sys::Uint8Array::from(request.body.as_slice()));
    }
    let js_request = web_sys::Request::new_with_str_and_init(&request.url, &init).map_err(js_error)?;
    for (k, v) in &request.headers {
        js_request.headers().set(k, v).map_err(js_error)?;
    }
    let aborter = controller.clone();
    let abort = Closure::<dyn FnMut()>::once(move || aborter.abort());
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), millis)
        .map_err(js_error)?;
    let answer = async {
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&js_request))
            .await?
            .dyn_into()?;
        let body = JsFuture::from(response.array_buffer()?).await?;
        Ok::<_, JsValue>((response, js_sys::Uint8Array::new(&body).to_vec()))
    }
    .await;
    window.clear_timeout_with_handle(timer);
    drop(abort);
    match answer {
        Ok((response, bytes)) => {
            let mut headers = ehttp::Headers::default();
            if let Ok(Some(kind)) = response.headers().get("content-type") {
                headers.insert("content-type", kind);
            }
            Ok(ehttp::Response {
                url: response.url(),
                ok: response.ok(),
                status: response.status(),
                status_text: response.status_text(),
                headers,
                bytes,
            })
        }
        Err(_) if controller.signal().aborted() => Err(format!("timed out after {} s", timeout.as_secs_f64())),
        Err(e) => Err(js_error(e)),
    }
}
