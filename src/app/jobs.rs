//! Long work off the UI thread, in steps, with progress and Cancel.
//!
//! A [`Task`] does its work one step at a time. Natively each task runs on its own thread
//! ([`Runner::Threaded`]); in the browser, which has no threads, the workbench keeps the tasks in
//! a queue and runs their steps between frames within a time budget ([`Runner::Stepped`]), so
//! the page keeps drawing; tests may run a task to the end at once ([`Runner::Inline`]). Either
//! way progress arrives as [`Event::Progress`] and the result as [`Event::Done`]; a cancelled
//! task stops before its next step and answers [`Event::Cancelled`].
//!
//! Generic in the message `M` a task ends with, so it knows nothing of the workbench: each
//! feature's tasks end with the feature's own message, and the shell wraps them ([`map`]).
//! [`Tasks`] keeps the running ones; the workbench is busy while any is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

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
pub enum Step<M> {
    /// More to do; `done` of `total` steps are finished.
    More { done: usize, total: usize },
    /// Finished with this message.
    Done(M),
    /// Could not go on: why.
    Failed(String),
}

/// Work done in steps. Each step should be short enough not to stall a browser frame for long.
pub trait Task<M>: Send {
    fn step(&mut self) -> Step<M>;
}

/// What a running task tells the workbench.
pub enum Event<M> {
    /// Task `id` has done `done` of `total` steps.
    Progress { id: u64, done: usize, total: usize },
    /// Task `id` stopped at the user's request (what it computed is dropped).
    Cancelled(u64),
    /// Task `id` finished with this message.
    Done(u64, M),
    /// Task `id` failed inside (a panic, or run again after it finished): why.
    Failed(u64, String),
}

/// A task of one step.
struct Once<F>(Option<F>);

impl<M, F: FnOnce() -> M + Send> Task<M> for Once<F> {
    fn step(&mut self) -> Step<M> {
        match self.0.take() {
            Some(work) => Step::Done(work()),
            None => Step::Failed("a finished task was run again".into()),
        }
    }
}

/// `work` as a task of one step.
pub fn once<M: 'static>(work: impl FnOnce() -> M + Send + 'static) -> Box<dyn Task<M>> {
    Box::new(Once(Some(work)))
}

/// A task whose message is wrapped by `wrap` (a feature's message into the workbench's).
struct Mapped<A, F> {
    task: Box<dyn Task<A>>,
    wrap: F,
}

impl<A, B, F: Fn(A) -> B + Send> Task<B> for Mapped<A, F> {
    fn step(&mut self) -> Step<B> {
        match self.task.step() {
            Step::More { done, total } => Step::More { done, total },
            Step::Done(m) => Step::Done((self.wrap)(m)),
            Step::Failed(why) => Step::Failed(why),
        }
    }
}

/// `task` with its message wrapped by `wrap`.
pub fn map<A: 'static, B: 'static>(task: Box<dyn Task<A>>, wrap: impl Fn(A) -> B + Send + 'static) -> Box<dyn Task<B>> {
    Box::new(Mapped { task, wrap })
}

/// A running task as the workbench sees it.
#[derive(Debug, Clone)]
pub struct Running {
    pub id: u64,
    /// What it does, for the progress bar and its Cancel button ("comparison", "forecast", …).
    pub what: &'static str,
    pub done: usize,
    pub total: usize,
    /// Drawn as a progress bar with a Cancel button (an awaited answer is not).
    pub shown: bool,
    cancel: Arc<AtomicBool>,
}

impl Running {
    pub fn new(id: u64, what: &'static str) -> Self {
        Running {
            id,
            what,
            done: 0,
            total: 1,
            shown: true,
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

/// One step, with a panic turned into [`Event::Failed`] naming it, so the workbench never waits
/// for a task forever. (In the browser a panic aborts; there the models' own checks are the
/// guard.)
fn guarded_step<M>(task: &mut dyn Task<M>) -> Result<Step<M>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.step())).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into())
    })
}

/// Run one step of `task` and report it on `tx`; true when the task is over (finished,
/// failed or cancelled).
fn advance<M>(task: &mut dyn Task<M>, running: &Running, tx: &Sender<Event<M>>) -> bool {
    if running.is_cancelled() {
        let _ = tx.send(Event::Cancelled(running.id));
        return true;
    }
    match guarded_step(task) {
        Ok(Step::More { done, total }) => {
            let _ = tx.send(Event::Progress {
                id: running.id,
                done,
                total,
            });
            false
        }
        Ok(Step::Done(msg)) => {
            // Work finished after a Cancel is dropped: the user asked not to see it.
            let event = if running.is_cancelled() {
                Event::Cancelled(running.id)
            } else {
                Event::Done(running.id, msg)
            };
            let _ = tx.send(event);
            true
        }
        Ok(Step::Failed(why)) | Err(why) => {
            let _ = tx.send(Event::Failed(running.id, why));
            true
        }
    }
}

/// Tasks waiting for their steps in [`Runner::Stepped`] mode.
pub struct Queue<M> {
    tasks: std::collections::VecDeque<(Box<dyn Task<M>>, Running)>,
}

impl<M> Default for Queue<M> {
    fn default() -> Self {
        Queue {
            tasks: std::collections::VecDeque::new(),
        }
    }
}

impl<M> Queue<M> {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Run steps (oldest task first) until `budget` has passed; at least one step runs.
    pub fn pump(&mut self, tx: &Sender<Event<M>>, budget: std::time::Duration) {
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
    /// Start `task`; its events go to `tx`.
    pub fn start<M: Send + 'static>(
        self,
        tx: &Sender<Event<M>>,
        queue: &mut Queue<M>,
        mut task: Box<dyn Task<M>>,
        running: Running,
    ) {
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

/// The workbench's long work: the tasks running (each with its progress and Cancel), the
/// events they send, and the runner that steps them. Everything the workbench waits for is a
/// task here — a file dialog's answer too ([`Tasks::reply`]) — so it is busy exactly while one
/// runs.
pub struct Tasks<M> {
    running: Vec<Running>,
    last_id: u64,
    queue: Queue<M>,
    runner: Runner,
    /// How long each frame may spend on queued steps (at least one step runs per frame).
    pub step_budget: std::time::Duration,
    tx: Sender<Event<M>>,
    rx: Receiver<Event<M>>,
}

/// Where an awaited answer goes (a file dialog's, a screenshot's, a fetch's): it counts as a
/// running task until it is sent.
pub struct Reply<M> {
    id: u64,
    tx: Sender<Event<M>>,
}

impl<M> Reply<M> {
    pub fn send(self, msg: M) {
        let _ = self.tx.send(Event::Done(self.id, msg));
    }
}

impl<M: Send + 'static> Tasks<M> {
    pub fn new(runner: Runner) -> Self {
        let (tx, rx) = channel();
        Tasks {
            running: Vec::new(),
            last_id: 0,
            queue: Queue::default(),
            runner,
            step_budget: std::time::Duration::from_millis(30),
            tx,
            rx,
        }
    }

    /// Whether anything is running or awaited.
    pub fn is_busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// The tasks with a progress bar (awaited answers have none).
    pub fn running(&self) -> impl Iterator<Item = &Running> {
        self.running.iter().filter(|t| t.shown)
    }

    /// Start a task of several steps; `what` names it on the progress bar and its Cancel button.
    pub fn start(&mut self, what: &'static str, task: Box<dyn Task<M>>) {
        let running = self.add(what, true);
        self.runner.start(&self.tx, &mut self.queue, task, running);
    }

    /// Run `work` (one step) off the UI thread.
    pub fn spawn(&mut self, what: &'static str, work: impl FnOnce() -> M + Send + 'static) {
        self.start(what, once(work));
    }

    /// Await an answer from outside a task (no progress bar): the workbench is busy until
    /// the returned [`Reply`] is sent.
    pub fn reply(&mut self, what: &'static str) -> Reply<M> {
        let id = self.add(what, false).id;
        Reply {
            id,
            tx: self.tx.clone(),
        }
    }

    fn add(&mut self, what: &'static str, shown: bool) -> Running {
        self.last_id += 1;
        let running = Running {
            shown,
            ..Running::new(self.last_id, what)
        };
        self.running.push(running.clone());
        running
    }

    /// Stop task `id` before its next step; what it names (for the status line).
    pub fn cancel(&mut self, id: u64) -> Option<&'static str> {
        let t = self.running.iter().find(|t| t.id == id)?;
        t.cancel();
        Some(t.what)
    }

    /// The next event that ends a task (progress is applied here and not returned); the ended
    /// task leaves the list.
    pub fn next_event(&mut self) -> Option<Event<M>> {
        while let Ok(event) = self.rx.try_recv() {
            match &event {
                Event::Progress { id, done, total } => {
                    if let Some(t) = self.running.iter_mut().find(|t| t.id == *id) {
                        (t.done, t.total) = (*done, *total);
                    }
                }
                Event::Done(id, _) | Event::Cancelled(id) | Event::Failed(id, _) => {
                    let id = *id;
                    self.running.retain(|t| t.id != id);
                    return Some(event);
                }
            }
        }
        None
    }

    /// The browser: steps of the queued tasks, a frame's worth at a time; true when any ran.
    pub fn pump(&mut self) -> bool {
        if self.queue.is_empty() {
            return false;
        }
        self.queue.pump(&self.tx, self.step_budget);
        true
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

    impl Task<String> for Count {
        fn step(&mut self) -> Step<String> {
            self.done += 1;
            if self.done == self.total {
                Step::Done(format!("counted to {}", self.total))
            } else {
                Step::More {
                    done: self.done,
                    total: self.total,
                }
            }
        }
    }

    fn said(e: Event<String>) -> String {
        match e {
            Event::Progress { done, total, .. } => format!("{done}/{total}"),
            Event::Done(_, s) => s,
            Event::Cancelled(id) => format!("cancelled {id}"),
            Event::Failed(_, why) => format!("failed: {why}"),
        }
    }

    fn drain(rx: &std::sync::mpsc::Receiver<Event<String>>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(e) = rx.recv_timeout(Duration::from_secs(10)) {
            let end = !matches!(e, Event::Progress { .. });
            out.push(said(e));
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
            let task = once(|| format!("{:?}", std::thread::current().id()));
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

    fn drain_now(rx: &std::sync::mpsc::Receiver<Event<String>>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(e) = rx.try_recv() {
            out.push(said(e));
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
            "finished".to_string()
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
                once::<String>(|| panic!("boom")),
                Running::new(1, "t"),
            );
            let got = drain(&rx);
            assert!(got.last().is_some_and(|s| s.contains("boom")), "{got:?}");
        }
    }

    #[test]
    fn the_workbench_is_busy_exactly_while_a_task_or_an_awaited_answer_is_open() {
        let mut tasks: Tasks<String> = Tasks::new(Runner::Inline);
        assert!(!tasks.is_busy());
        let reply = tasks.reply("dialog");
        assert!(tasks.is_busy());
        assert_eq!(tasks.running().count(), 0, "an awaited answer has no progress bar");
        tasks.spawn("count", || "done".to_string());
        assert!(tasks.is_busy(), "until its event is taken");
        assert!(matches!(tasks.next_event(), Some(Event::Done(_, s)) if s == "done"));
        assert!(tasks.is_busy(), "the dialog is still open");
        reply.send("picked".into());
        assert!(matches!(tasks.next_event(), Some(Event::Done(_, s)) if s == "picked"));
        assert!(!tasks.is_busy());
        assert!(tasks.next_event().is_none());
    }
}
