//! File dialogs and saving, which differ between the desktop, the browser and tests.

use super::data::DataMsg;
use super::jobs::Reply;
use super::msg::Msg;

/// How the workbench asks for a file to open and hands over a file to save.
pub trait Platform {
    /// Let the user pick a CSV file; reply [`DataMsg::Picked`] with its name and bytes (or
    /// nothing when cancelled).
    fn pick_file(&self, reply: Reply<Msg>);
    /// Save `bytes` under a name the user confirms (default `name`); reply [`Msg::Saved`].
    fn save_file(&self, name: String, bytes: Vec<u8>, reply: Reply<Msg>);
}

/// Native dialogs (rfd), each on its own thread so the window keeps drawing.
#[cfg(not(target_arch = "wasm32"))]
pub struct NativePlatform;

#[cfg(not(target_arch = "wasm32"))]
impl Platform for NativePlatform {
    fn pick_file(&self, reply: Reply<Msg>) {
        std::thread::spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("CSV or Parquet", &["csv", "tsv", "txt", "parquet"])
                .pick_file();
            let msg = match picked {
                None => Msg::Data(DataMsg::Picked(None)),
                Some(path) => match std::fs::read(&path) {
                    Ok(bytes) => Msg::Data(DataMsg::Picked(Some((path.display().to_string(), bytes)))),
                    Err(e) => Msg::Status(format!("cannot read {}: {e}", path.display())),
                },
            };
            reply.send(msg);
        });
    }

    fn save_file(&self, name: String, bytes: Vec<u8>, reply: Reply<Msg>) {
        std::thread::spawn(move || {
            let (kind, ext) = if name.ends_with(".png") {
                ("PNG", "png")
            } else {
                ("CSV", "csv")
            };
            let msg = match rfd::FileDialog::new()
                .set_file_name(&name)
                .add_filter(kind, &[ext])
                .save_file()
            {
                None => Msg::Saved(Err("export cancelled".into())),
                Some(path) => Msg::Saved(
                    std::fs::write(&path, &bytes)
                        .map(|()| path.display().to_string())
                        .map_err(|e| format!("cannot write {}: {e}", path.display())),
                ),
            };
            reply.send(msg);
        });
    }
}

/// Saves into a folder without asking, and opens nothing: for tests and scripted runs.
#[cfg(not(target_arch = "wasm32"))]
pub struct FolderPlatform {
    pub dir: std::path::PathBuf,
    /// Bytes handed out when the user clicks Open (name, content).
    pub to_open: Option<(String, Vec<u8>)>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Platform for FolderPlatform {
    fn pick_file(&self, reply: Reply<Msg>) {
        reply.send(Msg::Data(DataMsg::Picked(self.to_open.clone())));
    }

    fn save_file(&self, name: String, bytes: Vec<u8>, reply: Reply<Msg>) {
        let path = self.dir.join(&name);
        let result = if path.exists() {
            Err(format!("{} already exists", path.display()))
        } else {
            std::fs::write(&path, bytes)
                .map(|()| path.display().to_string())
                .map_err(|e| e.to_string())
        };
        reply.send(Msg::Saved(result));
    }
}

/// Browser file dialog (bytes, no path) and downloads for saving.
#[cfg(target_arch = "wasm32")]
pub struct WebPlatform;

#[cfg(target_arch = "wasm32")]
impl Platform for WebPlatform {
    fn pick_file(&self, reply: Reply<Msg>) {
        wasm_bindgen_futures::spawn_local(async move {
            let picked = rfd::AsyncFileDialog::new()
                .add_filter("CSV", &["csv", "tsv", "txt"])
                .pick_file()
                .await;
            let msg = match picked {
                None => Msg::Data(DataMsg::Picked(None)),
                Some(handle) => Msg::Data(DataMsg::Picked(Some((handle.file_name(), handle.read().await)))),
            };
            reply.send(msg);
        });
    }

    /// A browser download of `bytes` named `name` (the browser's own download prompt or
    /// folder applies).
    fn save_file(&self, name: String, bytes: Vec<u8>, reply: Reply<Msg>) {
        let result = download(&name, &bytes)
            .map(|()| format!("{name} (downloaded)"))
            .map_err(|e| format!("cannot download {name}: {e:?}"));
        reply.send(Msg::Saved(result));
    }
}

/// Hand `bytes` to the browser as a download named `name`: a Blob behind a temporary
/// `<a download>` link, clicked once.
#[cfg(target_arch = "wasm32")]
fn download(name: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(if name.ends_with(".png") {
        "image/png"
    } else {
        "text/csv"
    });
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The URL is not revoked here: Chromium may still be reading the Blob after click()
    // returns. It lives as long as the page (one small CSV or PNG per export).
    Ok(())
}
