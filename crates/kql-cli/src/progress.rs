//! A spinner on standard error while something takes longer than a moment: loading files and
//! running the query. Only on a terminal, and never with `--quiet`, so pipes and CI logs stay
//! clean.

use std::io::{self, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long work runs before the spinner shows: quick runs print nothing.
const DELAY: Duration = Duration::from_millis(400);
/// How often the spinner turns.
const TICK: Duration = Duration::from_millis(100);
const FRAMES: &[char] = &['|', '/', '-', '\\'];

/// Shows `message` with a spinner and the elapsed time until dropped, then clears the line.
pub struct Spinner {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts a spinner, or a silent stand-in when `show` is false.
    pub fn start(message: String, show: bool) -> Spinner {
        if !show {
            return Spinner {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            let started = Instant::now();
            if stopped.recv_timeout(DELAY) != Err(RecvTimeoutError::Timeout) {
                return; // done (or dropped) before the spinner was needed
            }
            let mut shown = false;
            for frame in FRAMES.iter().cycle() {
                let seconds = started.elapsed().as_secs_f64();
                let mut err = io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{frame} {message} ({seconds:.1} s)");
                let _ = err.flush();
                drop(err);
                shown = true;
                if stopped.recv_timeout(TICK) != Err(RecvTimeoutError::Timeout) {
                    break;
                }
            }
            if shown {
                let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            }
        });
        Spinner {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Waiting means the line is cleared before anything else is printed.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
