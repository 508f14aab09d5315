//! Detection tests: test-case files that run a query or a Sentinel rule over recorded rows and
//! check the outcome.
//!
//! ```text
//! *.test.yaml ──load──▶ Case ──run──▶ Outcome ──report──▶ ok / FAILED lines, summary, JUnit
//!   (model)            (runner: tables, engine,   (compare: rows as multisets or
//!                       rule window, query)        in order, counts, errors, alerts)
//! ```
//!
//! The file format is documented for users in `docs/test-cases.md`; [`model`] holds the types
//! and the reading of files, with errors that name the file and line.

pub mod compare;
pub mod junit;
pub mod model;
pub mod runner;

use std::path::{Path, PathBuf};

/// The suffixes of test-case file names.
pub const TEST_FILE_SUFFIXES: [&str; 2] = [".test.yaml", ".test.yml"];

/// True when the file name ends with one of [`TEST_FILE_SUFFIXES`].
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| TEST_FILE_SUFFIXES.iter().any(|s| name.ends_with(s)))
}

/// The test files under `dir`, searched recursively, in path order. Hidden folders (whose
/// name starts with `.`) and folders named `target` (Cargo's build output) are skipped.
pub fn find_test_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type()?.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    pending.push(path);
                }
            } else if is_test_file(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `path` with `.` components and `dir/..` pairs removed, without touching the file system,
/// so that paths joined onto a test file's folder read well in messages.
pub fn tidy_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_file_names() {
        assert!(is_test_file(Path::new("a/bits.test.yaml")));
        assert!(is_test_file(Path::new("bits.test.yml")));
        assert!(!is_test_file(Path::new("bits.yaml")));
        assert!(!is_test_file(Path::new("test.yaml")));
    }

    #[test]
    fn tidy_paths() {
        assert_eq!(
            tidy_path(Path::new("queries/bits/tests/../bits_jobs.yaml")),
            PathBuf::from("queries/bits/bits_jobs.yaml")
        );
        assert_eq!(tidy_path(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(tidy_path(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(tidy_path(Path::new("a/..")), PathBuf::from("."));
    }
}
