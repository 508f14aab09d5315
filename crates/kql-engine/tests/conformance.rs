//! The Kusto conformance suite: every case of `tests/conformance/` (queries with the answers
//! the real Kusto engine gave) runs through the engine and is classified as pass, not
//! supported, false rejection, accepted error, wrong answer or crash.
//!
//! The suite fails on any wrong answer or crash (except reviewed exceptions, whose record is
//! wrong), when the pass count drops below `tests/conformance/ratchet.json`, and when
//! `CONFORMANCE.md` does not match what the code produces. Accepted errors are reported but do
//! not fail it yet. To record new counts and regenerate the report:
//!
//! ```sh
//! KQL_BLESS=1 cargo test -p kql-engine --test conformance
//! ```
//!
//! The cases run once per test binary, in parallel, and the tests share the outcome.

#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/classify.rs"]
mod classify;
#[path = "conformance/report.rs"]
mod report;
#[path = "conformance/runner.rs"]
mod runner;
#[path = "conformance/values.rs"]
mod values;

use std::collections::HashSet;
use std::fmt::Write;
use std::fs;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cases::{Case, Exception, Ratchet, cases_dir, workspace};
use classify::Class;
use report::{BLESS_COMMAND, REPORT_FILE};
use runner::{Outcome, SLOW_CASE};

/// The environment variable that makes the run record its counts and report.
const BLESS_VAR: &str = "KQL_BLESS";

/// The environment variable naming a class (its report label, such as `false rejection`)
/// (or `all`) whose cases the run prints with their query and kql's error or difference: a
/// debugging aid, e.g. `KQL_CONFORMANCE_LIST="accepted error" cargo test -p kql-engine --test
/// conformance -- --nocapture`.
const LIST_VAR: &str = "KQL_CONFORMANCE_LIST";

/// The longest stretch of a query a failure message quotes.
const QUOTED_QUERY: usize = 600;

/// One run of every case, shared by the tests of this binary.
struct Run {
    cases: Vec<Case>,
    outcomes: Vec<Outcome>,
    exceptions: Vec<Exception>,
    /// The report this code produces.
    report: String,
    /// True when this run wrote the ratchet and the report.
    blessed: bool,
}

impl Run {
    fn excepted(&self) -> HashSet<&str> {
        self.exceptions.iter().map(|e| e.id.as_str()).collect()
    }

    fn count(&self, class: Class) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict.class == class)
            .count()
    }

    fn ratchet(&self) -> Ratchet {
        Ratchet {
            about: format!(
                "Counts of the last `{BLESS_COMMAND}`. The conformance_ratchet test fails when \
                 the pass count drops below `pass`."
            ),
            cases: self.cases.len(),
            pass: self.count(Class::Pass),
            not_supported: self.count(Class::NotSupported),
            false_rejection: self.count(Class::FalseRejection),
            accepted_error: self.count(Class::AcceptedError),
            wrong_answer: self.count(Class::WrongAnswer),
            crash: self.count(Class::Crash),
        }
    }
}

fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|value| !value.is_empty() && value != "0")
}

/// Runs every case once; with `KQL_BLESS` set, writes the ratchet and the report.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = cases_dir();
        let cases = cases::load_cases(&dir);
        let exceptions = cases::load_exceptions(&dir);

        let start = Instant::now();
        let outcomes = runner::run_all(&cases);
        let elapsed = start.elapsed();

        let verdicts: Vec<_> = outcomes.iter().map(|o| o.verdict.clone()).collect();
        let excepted: HashSet<&str> = exceptions.iter().map(|e| e.id.as_str()).collect();
        let report = report::render(&cases, &verdicts, &excepted);
        let mut run = Run {
            cases,
            outcomes,
            exceptions,
            report,
            blessed: false,
        };
        summarize(&run, elapsed);
        list_class(&run);

        if blessing() {
            cases::write_ratchet(&dir, &run.ratchet());
            let path = workspace().join(REPORT_FILE);
            fs::write(&path, &run.report)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            eprintln!(
                "conformance: wrote {} and {REPORT_FILE}",
                cases::RATCHET_FILE
            );
            run.blessed = true;
        }
        run
    })
}

/// Prints the totals, the run time and the slow cases (shown with `--nocapture`, or when a
/// test fails).
fn summarize(run: &Run, elapsed: Duration) {
    let totals: Vec<String> = Class::ALL
        .iter()
        .map(|class| format!("{} {}", run.count(*class), class.label()))
        .collect();
    eprintln!(
        "conformance: {} cases in {:.2} s: {}",
        run.cases.len(),
        elapsed.as_secs_f64(),
        totals.join(", ")
    );
    let mut slow: Vec<(&Case, Duration)> = run
        .cases
        .iter()
        .zip(&run.outcomes)
        .filter(|(_, o)| o.elapsed > SLOW_CASE)
        .map(|(case, o)| (case, o.elapsed))
        .collect();
    slow.sort_by_key(|(_, took)| std::cmp::Reverse(*took));
    for (case, took) in slow {
        eprintln!(
            "conformance: slow case `{}`: {:.2} s",
            case.id,
            took.as_secs_f64()
        );
    }
}

/// With `KQL_CONFORMANCE_LIST` set to a class label, prints each case of that class.
fn list_class(run: &Run) {
    let Ok(wanted) = std::env::var(LIST_VAR) else {
        return;
    };
    let wanted = wanted.trim().replace(['-', '_'], " ");
    for (case, outcome) in run.cases.iter().zip(&run.outcomes) {
        let label = outcome.verdict.class.label();
        if label != wanted && wanted != "all" {
            continue;
        }
        eprintln!(
            "=== `{}` ({}, {label})\n{}\n--- {}\n",
            case.id,
            case.file,
            indent(&case.query, "    "),
            outcome.verdict.detail
        );
    }
}

/// Fails on every wrong answer and crash that is not a reviewed exception, listing each with
/// its query and the difference.
#[test]
fn conformance_has_no_wrong_answers() {
    let run = run();
    let excepted = run.excepted();
    let mut message = String::new();
    let mut failures = 0;
    for (case, outcome) in run.cases.iter().zip(&run.outcomes) {
        let class = outcome.verdict.class;
        if !matches!(class, Class::WrongAnswer | Class::Crash) || excepted.contains(&*case.id) {
            continue;
        }
        failures += 1;
        let docs = case
            .upstream
            .as_deref()
            .map_or(String::new(), |url| format!("\n  docs: {url}"));
        let _ = write!(
            message,
            "\n- `{}` ({}, truth: {}): {}\n  source: {}{docs}\n  query:\n{}\n  {}\n",
            case.id,
            case.file,
            case.truth,
            class.label(),
            case.source,
            indent(&cut(&case.query, QUOTED_QUERY), "    "),
            outcome.verdict.detail.replace('\n', "\n  ")
        );
    }

    let accepted = run.count(Class::AcceptedError);
    if accepted > 0 {
        eprintln!(
            "conformance: {accepted} accepted errors (Kusto rejects, kql answers): listed in \
             {REPORT_FILE}; they do not fail the suite yet"
        );
    }
    assert!(
        failures == 0,
        "{failures} wrong answers and crashes. Fix the engine; only when the recorded answer \
         is wrong, list the case in tests/conformance/{} with the reason and the docs \
         page.\n{message}",
        cases::EXCEPTIONS_FILE
    );
}

/// Fails when fewer cases pass than `ratchet.json` records.
#[test]
fn conformance_ratchet() {
    let run = run();
    let pass = run.count(Class::Pass);
    let Some(recorded) = cases::load_ratchet(&cases_dir()) else {
        panic!(
            "tests/conformance/{} is missing: record the counts with `{BLESS_COMMAND}`",
            cases::RATCHET_FILE
        );
    };
    assert!(
        pass >= recorded.pass,
        "{pass} conformance cases pass, fewer than the {} recorded in tests/conformance/{}. \
         Find the cases that stopped passing in the diff of `{BLESS_COMMAND}` against \
         {REPORT_FILE}; bless a lower count only on purpose.",
        recorded.pass,
        cases::RATCHET_FILE
    );
    if pass > recorded.pass && !run.blessed {
        eprintln!(
            "conformance: {pass} cases pass, more than the {} recorded: raise the ratchet with \
             `{BLESS_COMMAND}`",
            recorded.pass
        );
    }
}

/// Fails when `CONFORMANCE.md` differs from the report this code produces.
#[test]
fn conformance_report_is_up_to_date() {
    let run = run();
    let path = workspace().join(REPORT_FILE);
    let stored = fs::read_to_string(&path).unwrap_or_default();
    if stored != run.report {
        let first_difference = stored
            .lines()
            .zip(run.report.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| stored.lines().count().min(run.report.lines().count()));
        panic!(
            "{REPORT_FILE} is out of date (first difference at line {}): regenerate it with \
             `{BLESS_COMMAND}`",
            first_difference + 1
        );
    }
}

/// Fails when an exception names no case, lacks its reason or docs page, is listed twice, or
/// no longer covers a wrong answer or a false rejection.
#[test]
fn conformance_exceptions_are_reviewed() {
    let run = run();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for exception in &run.exceptions {
        let id = &exception.id;
        if !seen.insert(id.as_str()) {
            problems.push(format!("`{id}` is listed twice"));
        }
        if exception.reason.trim().is_empty() {
            problems.push(format!("`{id}` gives no reason"));
        }
        if !exception.docs.starts_with("https://") {
            problems.push(format!(
                "`{id}` needs the https:// address of its docs page"
            ));
        }
        match run.cases.iter().position(|c| &c.id == id) {
            None => problems.push(format!("`{id}` is not a case")),
            Some(index) => {
                let class = run.outcomes[index].verdict.class;
                if !matches!(class, Class::WrongAnswer | Class::FalseRejection) {
                    problems.push(format!(
                        "`{id}` is now a {}, not a wrong answer or false rejection: remove it",
                        class.label()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "tests/conformance/{}:\n{}",
        cases::EXCEPTIONS_FILE,
        problems.join("\n")
    );
}

/// At most `limit` characters of `text`, marked when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    text.chars().take(limit).collect::<String>() + " …"
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
