//! `kql test`: find test-case files, run their cases, report each one and a summary.
//!
//! Standard output gets one line per case (`ok`, `FAILED` or `skipped`, then where and what),
//! the details of each failure under its line, and last a summary line, `N passed, M failed`,
//! that CI tools read. The exit code is 0 when every case passed, 1 when a case failed, and 2
//! when a test file (or a file it names) could not be read or is invalid.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::TestArgs;
use crate::failure::Failure;
use crate::testing::junit::{Suite, junit_xml};
use crate::testing::model::{Case, TestFile};
use crate::testing::runner::{CaseResult, Outcome, Runner};
use crate::testing::{TEST_FILE_SUFFIXES, find_test_files, is_test_file, tidy_path};

/// One test file's part of the run.
struct FileRun {
    /// The file as found.
    path: PathBuf,
    /// The file read, or why it could not be.
    file: Result<TestFile, String>,
    /// The selected cases' results, by index into the file's cases.
    results: Vec<(usize, CaseResult)>,
}

/// Runs `kql test` and returns its exit code.
pub fn test(args: &TestArgs) -> Result<u8, Failure> {
    let paths = test_files(&args.paths)?;
    let mut runs: Vec<FileRun> = paths
        .into_iter()
        .map(|path| FileRun {
            file: TestFile::load(&path),
            path,
            results: Vec::new(),
        })
        .collect();
    let selected =
        |case: &Case| args.filter.is_empty() || args.filter.iter().any(|f| case.name.contains(f));
    let any_selected = runs.iter().any(|run| match &run.file {
        Ok(file) => file.cases.iter().any(selected),
        Err(_) => true,
    });
    if !any_selected {
        let filters: Vec<String> = args.filter.iter().map(|f| format!("`{f}`")).collect();
        return Err(Failure::Usage(format!(
            "no case's name contains {}",
            filters.join(" or ")
        )));
    }

    let mut report = Report {
        out: io::stdout().lock(),
        color: io::stdout().is_terminal(),
        tally: Tally::default(),
    };
    let mut runner = Runner::new();
    for run in &mut runs {
        let file = match &run.file {
            Ok(file) => file,
            Err(message) => {
                report.broken_file(&run.path, message)?;
                continue;
            }
        };
        for (index, case) in file.cases.iter().enumerate() {
            if selected(case) {
                let result = runner.run(case);
                report.case(case, &result.outcome)?;
                run.results.push((index, result));
            }
        }
    }
    report.summary()?;

    if let Some(junit) = &args.junit {
        write_junit(junit, &runs)?;
    }
    let tally = &report.tally;
    Ok(if tally.broken > 0 {
        2
    } else if tally.failed > 0 {
        1
    } else {
        0
    })
}

/// Writes the JUnit XML report.
fn write_junit(path: &Path, runs: &[FileRun]) -> Result<(), Failure> {
    let suites: Vec<Suite> = runs
        .iter()
        .map(|run| Suite {
            name: run.path.display().to_string(),
            cases: match &run.file {
                Ok(file) => run
                    .results
                    .iter()
                    .filter_map(|(index, result)| Some((file.cases.get(*index)?, result)))
                    .collect(),
                Err(_) => Vec::new(),
            },
            error: run.file.as_ref().err().cloned(),
        })
        .collect();
    std::fs::write(path, junit_xml(&suites))
        .map_err(|error| Failure::Input(format!("cannot write `{}`: {error}", path.display())))
}

/// The test files named by PATH arguments (the current folder when none): files as given,
/// folders searched recursively.
fn test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| {
            Failure::Input(format!("cannot read `{}`: {error}", path.display()))
        })?;
        if metadata.is_dir() {
            let found = find_test_files(path).map_err(|error| {
                Failure::Input(format!("cannot search `{}`: {error}", path.display()))
            })?;
            files.extend(found.iter().map(|found| tidy_path(found)));
        } else if is_test_file(path) || crate::rule::is_rule_path(path) {
            // A file named on the command line need not follow the naming rule.
            files.push(tidy_path(path));
        } else {
            return Err(Failure::Usage(format!(
                "`{}` is not a test file: test files are YAML (`*.test.yaml`)",
                path.display()
            )));
        }
    }
    files.dedup();
    if files.is_empty() {
        let searched: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        return Err(Failure::Usage(format!(
            "no test files ({}) in {}",
            TEST_FILE_SUFFIXES.map(|s| format!("*{s}")).join(", "),
            searched.join(", ")
        )));
    }
    Ok(files)
}

/// The counts behind the summary line.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    broken: usize,
    skipped: usize,
    /// The labels of failed and broken cases (and unreadable files), in order.
    failures: Vec<String>,
}

/// What `kql test` prints on standard output.
struct Report<W: Write> {
    out: W,
    /// Colour the status words (on a terminal).
    color: bool,
    tally: Tally,
}

impl<W: Write> Report<W> {
    /// A file that could not be read as a test file.
    fn broken_file(&mut self, path: &Path, message: &str) -> io::Result<()> {
        let shown = path.display().to_string();
        writeln!(self.out, "{} {shown}", self.status(Status::Failed))?;
        writeln!(self.out, "    {message}")?;
        self.tally.broken += 1;
        self.tally.failures.push(shown);
        Ok(())
    }

    /// A case's line, and what went wrong under it.
    fn case(&mut self, case: &Case, outcome: &Outcome) -> io::Result<()> {
        let label = case.label();
        match outcome {
            Outcome::Passed => {
                self.tally.passed += 1;
                writeln!(self.out, "{} {label}", self.status(Status::Ok))?;
            }
            Outcome::Skipped(reason) => {
                self.tally.skipped += 1;
                writeln!(
                    self.out,
                    "{} {label} ({reason})",
                    self.status(Status::Skipped)
                )?;
            }
            Outcome::Failed(mismatches) => {
                self.tally.failed += 1;
                writeln!(self.out, "{} {label}", self.status(Status::Failed))?;
                for mismatch in mismatches {
                    writeln!(self.out, "    {}", mismatch.summary)?;
                    for detail in &mismatch.details {
                        writeln!(self.out, "      {detail}")?;
                    }
                }
                self.tally.failures.push(label);
            }
            Outcome::Broken(message) => {
                self.tally.broken += 1;
                writeln!(self.out, "{} {label}", self.status(Status::Failed))?;
                // The label already says where and which case.
                let message = message
                    .strip_prefix(&format!("{}: ", case.location()))
                    .unwrap_or(message);
                let message = message
                    .strip_prefix(&format!("case `{}`: ", case.name))
                    .unwrap_or(message);
                for line in message.lines() {
                    writeln!(self.out, "    {line}")?;
                }
                self.tally.failures.push(label);
            }
        }
        Ok(())
    }

    /// The failed cases again, then `N passed, M failed` (and `, K skipped`) on its own line.
    fn summary(&mut self) -> io::Result<()> {
        let tally = &self.tally;
        if !tally.failures.is_empty() {
            writeln!(self.out, "\nfailed:")?;
            for label in &tally.failures {
                writeln!(self.out, "    {label}")?;
            }
        }
        let skipped = if tally.skipped > 0 {
            format!(", {} skipped", tally.skipped)
        } else {
            String::new()
        };
        let (passed, failed) = (tally.passed, tally.failed + tally.broken);
        writeln!(self.out, "\n{passed} passed, {failed} failed{skipped}")?;
        self.out.flush()
    }

    /// A status word, padded to line up the labels, coloured on a terminal.
    fn status(&self, status: Status) -> String {
        let (word, color) = match status {
            Status::Ok => ("ok", "32"),
            Status::Failed => ("FAILED", "1;31"),
            Status::Skipped => ("skipped", "33"),
        };
        let padded = format!("{word:<7}");
        if self.color {
            format!("\x1b[{color}m{padded}\x1b[0m")
        } else {
            padded
        }
    }
}

/// The status of a case's line.
#[derive(Debug, Clone, Copy)]
enum Status {
    Ok,
    Failed,
    Skipped,
}
