//! Time to the first forecast on screen: the workbench opens on the bundled sample with the
//! default model (Auto) and worker threads, as the desktop app does. Each run times the first
//! forecast on screen (the quick ETS forecast since issue 23) and the moment Auto's own forecast
//! has replaced it (what users waited for before: the time to the first forecast then), and
//! waits until the workbench is idle before the next run, so that no run competes with the
//! last one's leftover work. Prints the median, fastest and slowest of the runs.
//!
//! ```text
//! cargo bench --bench first_forecast            # 7 runs
//! cargo bench --bench first_forecast -- 15      # 15 runs
//! ```

use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};
use std::time::{Duration, Instant};

/// One run: (first forecast on screen, Auto's forecast on screen).
fn run() -> (Duration, Duration) {
    let platform = FolderPlatform {
        dir: std::env::temp_dir(),
        to_open: None,
    };
    let started = Instant::now();
    let mut wb = Workbench::new(Box::new(platform), Runner::Threaded);
    wb.load_sample();
    let mut first = None;
    loop {
        std::thread::sleep(Duration::from_micros(200));
        wb.poll();
        if let Some(r) = &wb.forecast.result {
            first.get_or_insert_with(|| started.elapsed());
            if !r.quick {
                let auto = started.elapsed();
                while wb.is_busy() {
                    std::thread::sleep(Duration::from_millis(5));
                    wb.poll();
                }
                return (first.unwrap_or(auto), auto);
            }
        }
    }
}

fn summary(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<28} median {:>9.1} ms   fastest {:>9.1} ms   slowest {:>9.1} ms   ({} runs)",
        ms(v[v.len() / 2]),
        ms(v[0]),
        ms(v[v.len() - 1]),
        v.len()
    );
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(7)
        .max(1);
    let (first, auto): (Vec<_>, Vec<_>) = (0..runs).map(|_| run()).unzip();
    summary("first forecast on screen", first);
    summary("Auto's forecast on screen", auto);
}
