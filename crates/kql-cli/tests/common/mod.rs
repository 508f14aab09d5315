//! Helpers shared by the end-to-end tests: spawning the built `kql` binary from the workspace
//! root, and comparing its output with failures shown as expected and got blocks.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The fixtures folder, relative to the workspace root.
pub const DATA: &str = "crates/kql-cli/tests/data";

/// The workspace root, where every command runs, so paths in arguments and messages are
/// relative to it (`queries/bits/bits_jobs.kql`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh, empty folder for files a test writes, under Cargo's temporary folder.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the old scratch folder");
    }
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

/// What a finished `kql` process left.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert!(
            self.code == Some(code),
            "expected exit code {code}, got {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts standard output exactly.
    #[track_caller]
    pub fn assert_stdout(&self, expected: &str) -> &Self {
        assert_text("stdout", expected, &self.stdout);
        self
    }

    /// Asserts standard error exactly.
    #[track_caller]
    pub fn assert_stderr(&self, expected: &str) -> &Self {
        assert_text("stderr", expected, &self.stderr);
        self
    }

    /// Asserts that standard error contains `part`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, part: &str) -> &Self {
        assert!(
            self.stderr.contains(part),
            "stderr lacks {part:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that standard output contains `part`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, part: &str) -> &Self {
        assert!(
            self.stdout.contains(part),
            "stdout lacks {part:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }
}

/// Compares two texts, showing both in full when they differ (ripgrep's `eqnice!`).
#[track_caller]
pub fn assert_text(what: &str, expected: &str, got: &str) {
    assert!(
        expected == got,
        "{what} differs\n--- expected\n{expected}\n--- got\n{got}\n---"
    );
}

/// `kql ARGS...`, run from the workspace root with no standard input.
pub fn kql(args: &[&str]) -> Outcome {
    kql_with_stdin(args, None)
}

/// `kql ARGS...` with `stdin` as standard input (none when `None`).
pub fn kql_with_stdin(args: &[&str], stdin: Option<&str>) -> Outcome {
    let mut child = command(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kql");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes()).expect("write the query");
        // Dropping the pipe closes it, so kql sees the end of its input.
    }
    outcome(child.wait_with_output().expect("wait for kql"))
}

/// Runs `command` (with no standard input) to its end.
pub fn finish(mut command: Command) -> Outcome {
    outcome(command.output().expect("run kql"))
}

fn outcome(output: std::process::Output) -> Outcome {
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// The command `kql ARGS...` from the workspace root, with no terminal width from the
/// environment (`COLUMNS` would change how `--format table` lays out).
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kql"));
    command
        .args(args)
        .current_dir(workspace_root())
        .env_remove("COLUMNS");
    command
}

/// Splits CSV text into records of fields, as RFC 4180 quotes them (a quoted field may hold
/// commas, doubled quotes and line breaks).
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted CSV field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Parses each line of `text` as JSON.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"))
        })
        .collect()
}
