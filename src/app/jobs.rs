//! Running work off the UI thread. Natively a job is a thread; in the browser (and in tests
//! that want determinism) it runs inline. Either way its result arrives as a message.

use super::state::Msg;
use std::sync::mpsc::Sender;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// A worker thread per job (desktop).
    Threaded,
    /// Run at once on the calling thread (browser, deterministic tests).
    Inline,
}

impl Runner {
    /// Run `work` and send what it returns.
    pub fn spawn(self, tx: &Sender<Msg>, work: impl FnOnce() -> Msg + Send + 'static) {
        let tx = tx.clone();
        let job = move || {
            let _ = tx.send(work());
        };
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Runner::Threaded => {
                std::thread::spawn(job);
            }
            _ => job(),
        }
    }
}
