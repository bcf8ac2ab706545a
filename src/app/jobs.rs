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
    /// Run `work` and send what it returns. A job that panics still sends a message (a status
    /// naming the failure), so the workbench never waits for it forever.
    pub fn spawn(self, tx: &Sender<Msg>, work: impl FnOnce() -> Msg + Send + 'static) {
        let tx = tx.clone();
        let job = move || {
            let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".into());
                Msg::Status(format!("Internal error, the task was stopped: {what}"))
            });
            let _ = tx.send(msg);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threaded_jobs_run_on_another_thread_inline_ones_here() {
        let here = format!("{:?}", std::thread::current().id());
        for (runner, elsewhere) in [(Runner::Threaded, true), (Runner::Inline, false)] {
            let (tx, rx) = std::sync::mpsc::channel();
            runner.spawn(&tx, || Msg::Status(format!("{:?}", std::thread::current().id())));
            match rx.recv_timeout(std::time::Duration::from_secs(10)) {
                Ok(Msg::Status(id)) => assert_eq!(id != here, elsewhere, "{runner:?}"),
                _ => panic!("no message from the {runner:?} job"),
            }
        }
    }

    #[test]
    fn a_panicking_job_still_reports() {
        for runner in [Runner::Inline, Runner::Threaded] {
            let (tx, rx) = std::sync::mpsc::channel();
            runner.spawn(&tx, || panic!("boom"));
            match rx.recv_timeout(std::time::Duration::from_secs(10)) {
                Ok(Msg::Status(s)) => assert!(s.contains("boom"), "{s}"),
                _ => panic!("no status from a panicking {runner:?} job"),
            }
        }
    }
}
