//! The display round trip over every query that must parse: the golden inputs and every
//! `.kql` file under the workspace's `queries/` folder. For each, `parse(display(ast))`
//! equals `ast` (spans compare equal by design) and display is a fixed point.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::assert_round_trip;

/// Every `.kql` file under `dir`, recursively, sorted; none when `dir` does not exist.
fn kql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "kql") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Whether a file is a query that is meant to fail.
fn must_fail(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.to_string_lossy().ends_with(".error.kql"))
}

/// Parses each file and checks the round trip; returns the files that failed.
fn check_files(files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files.iter().filter(|path| !must_fail(path)) {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                failures.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let name = path.display().to_string();
        match kql_parser::parse(&text) {
            Ok(query) => {
                let checked = std::panic::catch_unwind(|| assert_round_trip(&query));
                if checked.is_err() {
                    failures.push(format!(
                        "{name}: the round trip fails (see the panic above)"
                    ));
                }
            }
            Err(error) => failures.push(error.render(&text, &name)),
        }
    }
    failures
}

#[test]
fn golden_queries_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden");
    let files = kql_files(&dir);
    assert!(files.iter().filter(|path| !must_fail(path)).count() >= 15);
    let failures = check_files(&files);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn workspace_queries_round_trip() {
    // `queries/` at the workspace root; it may be empty or missing while it is being filled.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("queries");
    let failures = check_files(&kql_files(&dir));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
