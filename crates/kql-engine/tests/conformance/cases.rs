//! Loading the conformance cases, the reviewed exceptions and the recorded pass count from
//! `tests/conformance/` at the workspace root.
//!
//! The case format is described in `tests/conformance/README.md`. Every `*.json` file there is
//! a case file except the two this runner owns: [`EXCEPTIONS_FILE`] and [`RATCHET_FILE`].

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The reviewed list of cases whose recorded answer is known to be wrong.
pub const EXCEPTIONS_FILE: &str = "exceptions.json";

/// The recorded class counts; the pass count may not drop below it.
pub const RATCHET_FILE: &str = "ratchet.json";

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory holding the case files.
pub fn cases_dir() -> PathBuf {
    workspace().join("tests/conformance")
}

/// One query with the answer Kusto gave.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// Unique within all files.
    pub id: String,
    /// Where the case came from: `owner/repo:path@commit:line`.
    pub source: String,
    /// How the answer was obtained: `emulator`, `docs` or `hand`.
    pub truth: String,
    /// The KQL text.
    pub query: String,
    /// The answer: a table or an error.
    pub expected: Expected,
    /// True when the rows must come in the recorded order.
    #[serde(default)]
    pub ordered: bool,
    /// Operators, functions and join kinds the query uses.
    #[serde(default)]
    pub features: Vec<String>,
    /// `nondeterministic`, `approximate`, `arbitrary_rows`, `upstream_test_skipped`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The documentation page of the example, when it has one.
    #[serde(default)]
    pub upstream: Option<String>,
    /// The name of the file the case was read from, such as `kusto-loco.json`.
    #[serde(skip)]
    pub file: String,
}

impl Case {
    /// True when the case carries `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// What Kusto answered.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    /// A result table.
    Table {
        /// `[name, type]` pairs; the type may be a family such as `int|long`.
        columns: Vec<(String, String)>,
        /// The rows, each value in the README's JSON conventions.
        rows: Vec<Vec<Value>>,
    },
    /// Kusto rejected the query; the message is only a generic one.
    Error {
        /// The recorded message.
        error: String,
    },
}

/// A reviewed case whose recorded answer is wrong: a wrong answer on it does not fail the
/// suite.
#[derive(Debug, Clone, Deserialize)]
pub struct Exception {
    /// The case id.
    pub id: String,
    /// Why the record is wrong.
    pub reason: String,
    /// The documentation page that shows what Kusto really does.
    pub docs: String,
}

/// The class counts recorded by the last bless.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratchet {
    /// What the file is and how it changes.
    pub about: String,
    /// All cases.
    pub cases: usize,
    /// Passing cases: the count that may not drop.
    pub pass: usize,
    /// Rejected with a `not supported` error.
    pub not_supported: usize,
    /// Rejected with another error although Kusto answers.
    pub false_rejection: usize,
    /// Answered although Kusto rejects the query.
    pub accepted_error: usize,
    /// Answered differently from Kusto.
    pub wrong_answer: usize,
    /// Panicked.
    pub crash: usize,
}

/// Reads every case file of `dir`, in file name order, and checks that ids are unique.
pub fn load_cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| {
            let name = file_name(path);
            name != EXCEPTIONS_FILE && name != RATCHET_FILE
        })
        .collect();
    files.sort();

    let mut cases = Vec::new();
    for path in &files {
        let text = read(path);
        let mut file_cases: Vec<Case> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a list of cases: {e}", path.display()));
        let name = file_name(path);
        for case in &mut file_cases {
            case.file.clone_from(&name);
        }
        cases.extend(file_cases);
    }

    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
        panic!("the case id `{}` is used twice", pair[0]);
    }
    cases
}

/// Reads the reviewed exceptions; a missing file means none.
pub fn load_exceptions(dir: &Path) -> Vec<Exception> {
    let path = dir.join(EXCEPTIONS_FILE);
    if !path.exists() {
        return Vec::new();
    }
    serde_json::from_str(&read(&path))
        .unwrap_or_else(|e| panic!("{} is not a list of exceptions: {e}", path.display()))
}

/// Reads the recorded counts; `None` when the file does not exist yet.
pub fn load_ratchet(dir: &Path) -> Option<Ratchet> {
    let path = dir.join(RATCHET_FILE);
    if !path.exists() {
        return None;
    }
    Some(
        serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{} is not a ratchet file: {e}", path.display())),
    )
}

/// Writes the recorded counts.
pub fn write_ratchet(dir: &Path, ratchet: &Ratchet) {
    let path = dir.join(RATCHET_FILE);
    let mut text = serde_json::to_string_pretty(ratchet).expect("a ratchet serializes");
    text.push('\n');
    fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
