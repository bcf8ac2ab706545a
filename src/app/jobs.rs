//! Long work off the UI thread, in steps, with progress and Cancel.
//!
//! A [`Task`] does its work one step at a time. Natively each task runs on its own thread
//! ([`Runner::Threaded`]); in the browser, which has no threads, the workbench keeps the tasks in
//! a queue and runs their steps between frames within a time budget ([`Runner::Stepped`]), so
//! the page keeps drawing; tests may run a task to the end at once ([`Runner::Inline`]). Either
//! way progress arrives as [`Msg::Progress`] and the result as a message; a cancelled task stops
//! before its next step and answers [`Msg::Cancelled`].

use super::state::Msg;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// A worker thread per task (desktop).
    Threaded,
    /// Run to the end at once on the calling thread (deterministic tests).
    Inline,
    /// Steps run between frames on the UI thread (the browser), see [`Queue::pump`].
    Stepped,
}

/// What a step did.
pub enum Step {
    /// More to do; `done` of `total` steps are finished.
    More { done: usize, total: usize },
    /// Finished with this message.
    Done(Msg),
}

/// Work done in steps. Each step should be short enough not to stall a browser frame for long.
pub trait Task: Send {
    fn step(&mut self) -> Step;
}

/// A task of one step.
struct Once<F>(Option<F>);

impl<F: FnOnce() -> Msg + Send> Task for Once<F> {
    fn step(&mut self) -> Step {
        match self.0.take() {
            Some(work) => Step::Done(work()),
            None => Step::Done(Msg::Status("Internal error: a finished task was run again".into())),
        }
    }
}

/// `work` as a task of one step.
pub fn once(work: impl FnOnce() -> Msg + Send + 'static) -> Box<dyn Task> {
    Box::new(Once(Some(work)))
}

/// A running task as the workbench sees it.
#[derive(Debug, Clone)]
pub struct Running {
    pub id: u64,
    /// What it does, for the progress bar and its Cancel button ("comparison", "forecast", …).
    pub what: &'static str,
    pub done: usize,
    pub total: usize,
    cancel: Arc<AtomicBool>,
}

impl Running {
    pub fn new(id: u64, what: &'static str) -> Self {
        Running {
            id,
            what,
            done: 0,
            total: 1,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn fraction(&self) -> f32 {
        self.done as f32 / self.total.max(1) as f32
    }
}

/// One step, with a panic turned into a message naming it, so the workbench never waits for a
/// task forever. (In the browser a panic aborts; there the models' own checks are the guard.)
fn guarded_step(task: &mut dyn Task) -> Step {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.step())).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        Step::Done(Msg::Status(format!("Internal error, the task was stopped: {what}")))
    })
}

/// Run one step of `task` and report it on `tx` (the result as [`Msg::Done`]); true when the
/// task is over (finished or cancelled).
fn advance(task: &mut dyn Task, running: &Running, tx: &Sender<Msg>) -> bool {
    if running.is_cancelled() {
        let _ = tx.send(Msg::Cancelled(running.id));
        return true;
    }
    match guarded_step(task) {
        Step::More { done, total } => {
            let _ = tx.send(Msg::Progress {
                id: running.id,
                done,
                total,
            });
            false
        }
        Step::Done(msg) => {
            // Work finished after a Cancel is dropped: the user asked not to see it.
            let msg = if running.is_cancelled() {
                Msg::Cancelled(running.id)
            } else {
                Msg::Done(running.id, Box::new(msg))
            };
            let _ = tx.send(msg);
            true
        }
    }
}

/// Tasks waiting for their steps in [`Runner::Stepped`] mode.
#[derive(Default)]
pub struct Queue {
    tasks: std::collections::VecDeque<(Box<dyn Task>, Running)>,
}

impl Queue {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Run steps (oldest task first) until `budget` has passed; at least one step runs.
    pub fn pump(&mut self, tx: &Sender<Msg>, budget: std::time::Duration) {
        let start = web_time::Instant::now();
        while let Some((task, running)) = self.tasks.front_mut() {
            if advance(task.as_mut(), running, tx) {
                self.tasks.pop_front();
            }
            if start.elapsed() >= budget {
                break;
            }
        }
    }
}

impl Runner {
    /// Start `task`; its messages go to `tx`.
    pub fn start(self, tx: &Sender<Msg>, queue: &mut Queue, mut task: Box<dyn Task>, running: Running) {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Runner::Threaded => {
                let tx = tx.clone();
                std::thread::spawn(move || while !advance(task.as_mut(), &running, &tx) {});
            }
            Runner::Stepped => queue.tasks.push_back((task, running)),
            _ => while !advance(task.as_mut(), &running, tx) {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    /// Counts to `total`, one step each.
    struct Count {
        done: usize,
        total: usize,
    }

    impl Task for Count {
        fn step(&mut self) -> Step {
            self.done += 1;
            if self.done == self.total {
                Step::Done(Msg::Status(format!("counted to {}", self.total)))
            } else {
                Step::More {
                    done: self.done,
                    total: self.total,
                }
            }
        }
    }

    fn unwrap_done(m: Msg) -> Msg {
        match m {
            Msg::Done(_, inner) => *inner,
            other => other,
        }
    }

    fn drain(rx: &std::sync::mpsc::Receiver<Msg>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(m) = rx.recv_timeout(Duration::from_secs(10)) {
            let end = !matches!(m, Msg::Progress { .. });
            let m = unwrap_done(m);
            out.push(match m {
                Msg::Progress { done, total, .. } => format!("{done}/{total}"),
                Msg::Status(s) => s,
                Msg::Cancelled(id) => format!("cancelled {id}"),
                _ => "other".into(),
            });
            if end {
                break;
            }
        }
        out
    }

    #[test]
    fn threaded_and_inline_tasks_report_every_step_then_the_result() {
        for runner in [Runner::Threaded, Runner::Inline] {
            let (tx, rx) = channel();
            let mut q = Queue::default();
            runner.start(
                &tx,
                &mut q,
                Box::new(Count { done: 0, total: 3 }),
                Running::new(1, "count"),
            );
            assert_eq!(drain(&rx), ["1/3", "2/3", "counted to 3"], "{runner:?}");
            assert!(q.is_empty());
        }
    }

    #[test]
    fn threaded_tasks_run_on_another_thread_inline_ones_here() {
        let here = format!("{:?}", std::thread::current().id());
        for (runner, elsewhere) in [(Runner::Threaded, true), (Runner::Inline, false)] {
            let (tx, rx) = channel();
            let task = once(|| Msg::Status(format!("{:?}", std::thread::current().id())));
            runner.start(&tx, &mut Queue::default(), task, Running::new(1, "t"));
            let id = drain(&rx).pop().unwrap_or_default();
            assert_eq!(id != here, elsewhere, "{runner:?}");
        }
    }

    #[test]
    fn stepped_tasks_advance_only_when_pumped_and_stop_when_cancelled() {
        let (tx, rx) = channel();
        let mut q = Queue::default();
        let running = Running::new(7, "count");
        Runner::Stepped.start(&tx, &mut q, Box::new(Count { done: 0, total: 100 }), running.clone());
        assert!(rx.try_recv().is_err(), "nothing runs before the first pump");
        // A zero budget still runs exactly one step per frame.
        q.pump(&tx, Duration::ZERO);
        assert_eq!(drain_now(&rx), ["1/100"]);
        q.pump(&tx, Duration::ZERO);
        assert_eq!(drain_now(&rx), ["2/100"]);
        running.cancel();
        q.pump(&tx, Duration::ZERO);
        assert_eq!(drain_now(&rx), ["cancelled 7"]);
        assert!(q.is_empty());
    }

    fn drain_now(rx: &std::sync::mpsc::Receiver<Msg>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(match unwrap_done(m) {
                Msg::Progress { done, total, .. } => format!("{done}/{total}"),
                Msg::Cancelled(id) => format!("cancelled {id}"),
                Msg::Status(s) => s,
                _ => "other".into(),
            });
        }
        out
    }

    #[test]
    fn a_long_budget_finishes_the_queue_in_one_frame() {
        let (tx, rx) = channel();
        let mut q = Queue::default();
        for id in 0..2 {
            Runner::Stepped.start(
                &tx,
                &mut q,
                Box::new(Count { done: 0, total: 3 }),
                Running::new(id, "c"),
            );
        }
        q.pump(&tx, Duration::from_secs(60));
        assert!(q.is_empty());
        let got = drain_now(&rx);
        assert_eq!(got.iter().filter(|s| s.starts_with("counted")).count(), 2, "{got:?}");
    }

    #[test]
    fn a_cancelled_thread_drops_its_result() {
        let (tx, rx) = channel();
        let running = Running::new(3, "slow");
        let (go_tx, go_rx) = channel::<()>();
        let task = once(move || {
            let _ = go_rx.recv_timeout(Duration::from_secs(10));
            Msg::Status("finished".into())
        });
        Runner::Threaded.start(&tx, &mut Queue::default(), task, running.clone());
        running.cancel();
        let _ = go_tx.send(());
        assert_eq!(drain(&rx), ["cancelled 3"]);
    }

    #[test]
    fn a_panicking_task_still_reports() {
        for runner in [Runner::Inline, Runner::Threaded] {
            let (tx, rx) = channel();
            runner.start(
                &tx,
                &mut Queue::default(),
                once(|| panic!("boom")),
                Running::new(1, "t"),
            );
            let got = drain(&rx);
            assert!(got.last().is_some_and(|s| s.contains("boom")), "{got:?}");
        }
    }
}
