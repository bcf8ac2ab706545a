//! Time to the first forecast on screen: the workbench opens on the bundled sample with the
//! default model (Auto) and worker threads, as the desktop app does; the clock stops when a
//! forecast is first on screen (`first_forecast_shown`, the quick ETS forecast since issue 23)
//! and when Auto's own forecast has replaced it (`auto_forecast_shown`, what users waited for
//! before: the time to the first forecast then).
//!
//! ```text
//! cargo bench --bench first_forecast
//! ```

use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};

fn main() {
    divan::main();
}

/// Open the workbench on the sample and poll its tasks until `done` holds.
fn open_until(done: impl Fn(&Workbench) -> bool) -> Workbench {
    let dir = std::env::temp_dir();
    let platform = FolderPlatform { dir, to_open: None };
    let mut wb = Workbench::new(Box::new(platform), Runner::Threaded);
    wb.load_sample();
    while !done(&wb) {
        std::thread::sleep(std::time::Duration::from_micros(200));
        wb.poll();
    }
    wb
}

#[divan::bench(sample_count = 5)]
fn first_forecast_shown() -> Workbench {
    open_until(|wb| wb.forecast.result.is_some())
}

#[divan::bench(sample_count = 5)]
fn auto_forecast_shown() -> Workbench {
    open_until(|wb| wb.forecast.result.as_ref().is_some_and(|r| !r.quick))
}
