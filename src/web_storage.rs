//! This browser's `localStorage` as a key-value store for the embedded registry
//! (`horizon_registry::kv`). Nothing JavaScript is held between calls (each call looks the
//! storage up), so the store can be shared like any registry.

use horizon_registry::kv::KvStore;
use horizon_registry::{RegistryError, Result};

/// `window.localStorage`.
pub struct LocalStorage;

fn storage() -> Result<web_sys::Storage> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| unavailable("this browser offers no local storage (private mode?)".into()))
}

fn unavailable(message: String) -> RegistryError {
    RegistryError::Io {
        path: "browser storage".into(),
        message,
    }
}

fn js_error(what: &str, e: wasm_bindgen::JsValue) -> RegistryError {
    let detail = e
        .as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()));
    unavailable(format!("{what}: {}", detail.unwrap_or_else(|| "refused".into())))
}

impl KvStore for LocalStorage {
    fn describe(&self) -> String {
        "this browser's storage".into()
    }

    fn get(&self, key: &str) -> Result<Option<String>> {
        storage()?.get_item(key).map_err(|e| js_error("cannot read", e))
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        storage()?.set_item(key, value).map_err(|e| {
            js_error(
                &format!(
                    "cannot store {} KB (the browser's storage may be full)",
                    value.len() / 1024
                ),
                e,
            )
        })
    }

    fn remove(&self, key: &str) -> Result<()> {
        storage()?.remove_item(key).map_err(|e| js_error("cannot remove", e))
    }

    fn keys(&self, prefix: &str) -> Result<Vec<String>> {
        let s = storage()?;
        let n = s.length().map_err(|e| js_error("cannot list", e))?;
        Ok((0..n)
            .filter_map(|i| s.key(i).ok().flatten())
            .filter(|k| k.starts_with(prefix))
            .collect())
    }
}
