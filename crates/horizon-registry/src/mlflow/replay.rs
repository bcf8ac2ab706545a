//! MLflow from the browser: the same blocking client code, driven by `fetch` through replay.
//!
//! In the browser a request cannot block until its answer arrives. Instead an operation (for
//! example "list the models, then get each") runs against a [`Tape`] of the answers received
//! so far: each request takes the next recorded answer; the first request without one is
//! noted, and the operation stops with an error. The driver ([`replay`] with a fetch function,
//! [`replay_fetch`] in the browser) then sends that request, records its answer, and runs the
//! operation again from the start — each run gets one request further, until one needs no
//! new answer. Requests already answered are not sent again, so a write is made once. This
//! needs operations whose requests follow from the answers (true of every registry call; a name
//! the client makes up goes through [`stable`]), and costs a re-run of the client code (not of
//! the network) per request.

use std::cell::RefCell;

/// Answers of one operation, in request order.
#[derive(Default)]
pub struct Tape {
    answers: Vec<Result<ehttp::Response, String>>,
    cursor: usize,
    /// The first request that had no answer in this run.
    wanted: Option<ehttp::Request>,
    /// Values the client made up (unique names), in order, so every run uses the same ones.
    made: Vec<String>,
    made_cursor: usize,
}

/// Most requests one operation may make (a guard against a client that never settles).
const MAX_REQUESTS: usize = 500;

thread_local! {
    /// The tape of the operation running now on this thread, if it runs under replay.
    static ACTIVE: RefCell<Option<Tape>> = const { RefCell::new(None) };
}

/// Whether an operation runs under replay on this thread now.
pub(crate) fn is_active() -> bool {
    ACTIVE.with(|slot| slot.borrow().is_some())
}

/// What replay has for `request`: `None` when no operation runs under replay (send it the
/// usual way); `Some(None)` when its answer has not arrived yet (the operation must stop);
/// `Some(Some(answer))` otherwise.
pub(crate) fn answer(request: &ehttp::Request) -> Option<Option<Result<ehttp::Response, String>>> {
    ACTIVE.with(|slot| {
        let mut slot = slot.borrow_mut();
        let tape = slot.as_mut()?;
        let k = tape.cursor;
        tape.cursor += 1;
        Some(match tape.answers.get(k) {
            Some(a) if tape.wanted.is_none() => Some(a.clone()),
            // Past the first missing answer nothing is sent: the run is over.
            Some(_) | None => {
                if tape.wanted.is_none() {
                    tape.wanted = Some(request.clone());
                }
                None
            }
        })
    })
}

/// `make()`, or under replay the value the first run of the operation made at this point: a
/// name made up for a request (a unique folder) must not change between runs.
pub(crate) fn stable(make: impl FnOnce() -> String) -> String {
    ACTIVE.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(tape) = slot.as_mut() else {
            return make();
        };
        let k = tape.made_cursor;
        tape.made_cursor += 1;
        if let Some(v) = tape.made.get(k) {
            return v.clone();
        }
        let v = make();
        tape.made.push(v.clone());
        v
    })
}

/// Run `operation` once against `tape`; the request it still needs, if any.
fn run_once<T>(tape: Tape, operation: &impl Fn() -> T) -> (T, Tape, Option<ehttp::Request>) {
    ACTIVE.with(|slot| *slot.borrow_mut() = Some(tape));
    let out = operation();
    let mut tape = ACTIVE.with(|slot| slot.borrow_mut().take()).unwrap_or_default();
    tape.cursor = 0;
    tape.made_cursor = 0;
    let wanted = tape.wanted.take();
    (out, tape, wanted)
}

/// Run `operation`, answering its requests with `fetch` (blocking; natively, for tests).
pub fn replay<T>(
    operation: impl Fn() -> T,
    mut fetch: impl FnMut(ehttp::Request) -> Result<ehttp::Response, String>,
) -> T {
    let mut tape = Tape::default();
    loop {
        let (out, t, wanted) = run_once(tape, &operation);
        tape = t;
        match wanted {
            Some(request) if tape.answers.len() < MAX_REQUESTS => tape.answers.push(fetch(request)),
            _ => return out,
        }
    }
}

/// Run `operation` in the browser, its requests sent with `fetch` between runs, each aborted
/// when `timeout` passes without its answer.
#[cfg(target_arch = "wasm32")]
pub async fn replay_fetch<T>(operation: impl Fn() -> T, timeout: std::time::Duration) -> T {
    let mut tape = Tape::default();
    loop {
        let (out, t, wanted) = run_once(tape, &operation);
        tape = t;
        match wanted {
            Some(request) if tape.answers.len() < MAX_REQUESTS => {
                tape.answers.push(super::browser::fetch(request, timeout).await);
            }
            _ => return out,
        }
    }
}
