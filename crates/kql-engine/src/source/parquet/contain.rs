//! A barrier around the parquet crate's reader: a panic inside it is a load error.
//!
//! The crate trusts some of what a file says and panics when a damaged file breaks it: the
//! `load_parquet` fuzz target found a data page that claims a dictionary its column chunk
//! does not have (an `expect` in the decoder) and a data page header without its data page
//! fields (an `unwrap` when the header is peeked). Checking every such promise before the
//! crate reads would mean reading the pages twice, and the next damaged file may break
//! another one. So every call into the crate's reading runs inside [`contained`], which turns
//! a panic into an error naming the file; the reader that panicked is not used again.
//!
//! A panic still goes to the panic hook first, which by default prints it. A program that
//! would rather show only the error can skip the panics [`panic_is_contained`] names.

use std::any::Any;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::LoadError;

thread_local! {
    /// Whether this thread is inside [`contained`].
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read`, a call into the parquet crate's reader for the file `path`; a panic inside
/// it becomes a load error.
pub(super) fn contained<T>(path: &Path, read: impl FnOnce() -> T) -> Result<T, LoadError> {
    let outer = CONTAINING.with(|containing| containing.replace(true));
    // Unwind safety: whatever `read` was changing when it panicked is dropped by the caller
    // (the reader is not used again), so no broken state is observed.
    let outcome = catch_unwind(AssertUnwindSafe(read));
    CONTAINING.with(|containing| containing.set(outer));
    outcome.map_err(|payload| {
        let message = format!(
            "cannot read: the Parquet reader failed on this file, which is most likely \
             damaged: {}",
            panic_message(payload.as_ref())
        );
        LoadError::new(path, message)
    })
}

/// Whether a panic raised now, on this thread, is one a Parquet load turns into an error: a
/// panic hook can then stay quiet, since the error will say it.
///
/// ```
/// let default_hook = std::panic::take_hook();
/// std::panic::set_hook(Box::new(move |info| {
///     if !kql_engine::source::panic_is_contained() {
///         default_hook(info);
///     }
/// }));
/// ```
pub fn panic_is_contained() -> bool {
    CONTAINING.with(Cell::get)
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "a panic without a message"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_and_marked_contained() {
        let path = Path::new("t.parquet");
        let inside = contained(path, panic_is_contained).unwrap();
        assert!(inside);
        assert!(!panic_is_contained());
        let error = contained(path, || -> () { panic!("broken promise {}", 7) }).unwrap_err();
        assert_eq!(error.path, path);
        assert!(
            error.message.ends_with("damaged: broken promise 7"),
            "{error}"
        );
        assert!(!panic_is_contained());
        // Nested: the outer call is still marked after the inner one ends.
        let outer = contained(path, || {
            let _ = contained(path, || ());
            panic_is_contained()
        });
        assert!(outer.unwrap());
    }
}
