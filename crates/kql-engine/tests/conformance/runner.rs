//! Running every case through the engine: in parallel, each inside `catch_unwind` so that a
//! panic is recorded as a crash, with a fixed `now` so that runs are reproducible, and with a
//! watchdog that names a case that runs for long.

use std::cell::{Cell, RefCell};
use std::num::NonZero;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

use kql_engine::{Engine, Options};

use crate::cases::Case;
use crate::classify::{Verdict, classify};

/// The instant `now()` stands for: 2024-01-01T00:00:00Z, in nanoseconds since 1970.
pub const NOW: i64 = 1_704_067_200_000_000_000;

/// A case running longer than this is named on stderr while it runs.
const SLOW_WARNING: Duration = Duration::from_secs(10);

/// A case slower than this is listed after the run.
pub const SLOW_CASE: Duration = Duration::from_secs(1);

/// Stack of each worker: a case that recurses deeply must not overflow it, which would
/// abort the whole test binary instead of being recorded as a crash.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// How often the watchdog looks at the workers.
const WATCH_INTERVAL: Duration = Duration::from_millis(20);

/// A case's verdict and how long the engine took on it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The class and its explanation.
    pub verdict: Verdict,
    /// The time `Engine::run` took (with the conversion of its result).
    pub elapsed: Duration,
}

/// Runs every case, on as many threads as the machine has cores, and returns the outcomes
/// in case order.
pub fn run_all(cases: &[Case]) -> Vec<Outcome> {
    install_panic_hook();
    let workers = thread::available_parallelism()
        .map_or(1, NonZero::get)
        .min(cases.len().max(1));
    let next = AtomicUsize::new(0);
    // What each worker is running, and since when: read by the watchdog.
    let running: Vec<Mutex<Option<(usize, Instant)>>> =
        (0..workers).map(|_| Mutex::new(None)).collect();

    let mut outcomes: Vec<Option<Outcome>> = vec![None; cases.len()];
    thread::scope(|scope| {
        let handles: Vec<_> = running
            .iter()
            .enumerate()
            .map(|(worker, slot)| {
                let next = &next;
                thread::Builder::new()
                    .name(format!("conformance-{worker}"))
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || work(cases, next, slot))
                    .expect("a worker thread starts")
            })
            .collect();

        watch(cases, &running, || handles.iter().all(|h| h.is_finished()));

        for handle in handles {
            let done = handle.join().expect("workers catch the panics of cases");
            for (index, outcome) in done {
                outcomes[index] = Some(outcome);
            }
        }
    });
    outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every case was run"))
        .collect()
}

/// One worker: takes the next case until none are left.
fn work(
    cases: &[Case],
    next: &AtomicUsize,
    slot: &Mutex<Option<(usize, Instant)>>,
) -> Vec<(usize, Outcome)> {
    let mut done = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(case) = cases.get(index) else {
            return done;
        };
        let start = Instant::now();
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((index, start));
        let verdict = classify(case, run_one(&case.query));
        let elapsed = start.elapsed();
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
        done.push((index, Outcome { verdict, elapsed }));
    }
}

/// Runs one query on a fresh engine; `Err` holds the message of a panic.
fn run_one(query: &str) -> Result<Result<kql_engine::QueryResult, kql_engine::Error>, String> {
    let options = Options {
        now: Some(NOW),
        ..Options::default()
    };
    CAPTURING.with(|capturing| capturing.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        Engine::new().with_options(options).run(query)
    }));
    CAPTURING.with(|capturing| capturing.set(false));
    let captured = CAPTURED.with(|captured| captured.borrow_mut().take());
    result.map_err(|payload| captured.unwrap_or_else(|| payload_message(payload.as_ref())))
}

/// Polls the workers until `finished`, naming on stderr each case that runs too long: a
/// runaway case cannot be stopped, but it can be found.
fn watch(cases: &[Case], running: &[Mutex<Option<(usize, Instant)>>], finished: impl Fn() -> bool) {
    let mut named = Vec::new();
    while !finished() {
        thread::sleep(WATCH_INTERVAL);
        for slot in running {
            let current = *slot.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((index, start)) = current
                && start.elapsed() > SLOW_WARNING
                && !named.contains(&index)
            {
                named.push(index);
                eprintln!(
                    "conformance: case `{}` has been running for over {} s:\n{}",
                    cases[index].id,
                    SLOW_WARNING.as_secs(),
                    cases[index].query
                );
            }
        }
    }
}

thread_local! {
    /// True while this thread runs a case: its panics are captured, not printed.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The message and place of the last captured panic.
    static CAPTURED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that captures the panics of cases (with their location)
/// and passes every other panic, such as a failing assertion, to the previous hook.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CAPTURING.with(Cell::get) {
                let mut message = payload_message(info.payload());
                if let Some(location) = info.location() {
                    message.push_str(&format!(" (at {location})"));
                }
                CAPTURED.with(|captured| *captured.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}
