//! JUnit XML, the test report format CI systems read: one `<testsuite>` per test file, one
//! `<testcase>` per case, with `<failure>` for a failed check, `<error>` for a case that
//! could not run and `<skipped>` for a skipped one.

use std::fmt::Write as _;
use std::time::Duration;

use super::model::Case;
use super::runner::{CaseResult, Outcome};

/// The results of one test file: the file's path as shown, and each case with its result.
pub struct Suite<'a> {
    /// The test file.
    pub name: String,
    /// Its cases and results, in order.
    pub cases: Vec<(&'a Case, &'a CaseResult)>,
    /// Why the whole file could not be read, if it could not.
    pub error: Option<String>,
}

/// The XML document for all suites.
pub fn junit_xml(suites: &[Suite]) -> String {
    let mut totals = Counts::default();
    let mut body = String::new();
    for suite in suites {
        let counts = Counts::of(suite);
        totals.add(&counts);
        let _ = writeln!(
            body,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" \
             time=\"{}\">",
            escape(&suite.name),
            counts.tests,
            counts.failures,
            counts.errors,
            counts.skipped,
            seconds(counts.time)
        );
        if let Some(message) = &suite.error {
            let _ = writeln!(
                body,
                "    <testcase name=\"(file)\" classname=\"{}\" time=\"0\">\n      \
                 <error message=\"{}\">{}</error>\n    </testcase>",
                escape(&suite.name),
                escape(first_line(message)),
                escape(message)
            );
        }
        for (case, result) in &suite.cases {
            write_case(&mut body, &suite.name, case, result);
        }
        body.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kql test\" tests=\"{}\" \
         failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n{body}</testsuites>\n",
        totals.tests,
        totals.failures,
        totals.errors,
        totals.skipped,
        seconds(totals.time)
    )
}

fn write_case(out: &mut String, suite: &str, case: &Case, result: &CaseResult) {
    let line = case
        .line
        .map_or(String::new(), |l| format!(" line=\"{l}\""));
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"{line} time=\"{}\"",
        escape(&case.name),
        escape(suite),
        escape(&case.file.display().to_string()),
        seconds(result.elapsed)
    );
    let properties = properties(case);
    if let (Outcome::Passed, true) = (&result.outcome, properties.is_empty()) {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    out.push_str(&properties);
    match &result.outcome {
        Outcome::Passed => {}
        Outcome::Skipped(reason) => {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", escape(reason));
        }
        Outcome::Broken(message) => {
            let _ = writeln!(
                out,
                "      <error message=\"{}\">{}</error>",
                escape(first_line(message)),
                escape(message)
            );
        }
        Outcome::Failed(mismatches) => {
            let summary: Vec<&str> = mismatches.iter().map(|m| m.summary.as_str()).collect();
            let mut text = String::new();
            for mismatch in mismatches {
                text.push_str(&mismatch.summary);
                text.push('\n');
                for detail in &mismatch.details {
                    let _ = writeln!(text, "    {detail}");
                }
            }
            let _ = writeln!(
                out,
                "      <failure message=\"{}\">{}</failure>",
                escape(&summary.join("; ")),
                escape(&text)
            );
        }
    }
    out.push_str("    </testcase>\n");
}

/// The case's documentation fields as JUnit properties, or nothing.
fn properties(case: &Case) -> String {
    let fields = [
        ("description", &case.description),
        ("source", &case.source),
        ("blind_spot", &case.blind_spot),
        ("false_positive", &case.false_positive),
    ];
    let mut out = String::new();
    for (name, value) in fields {
        if let Some(value) = value {
            let _ = writeln!(
                out,
                "        <property name=\"{name}\" value=\"{}\"/>",
                escape(value)
            );
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("      <properties>\n{out}      </properties>\n")
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: Duration,
}

impl Counts {
    fn of(suite: &Suite) -> Counts {
        let mut counts = Counts {
            errors: usize::from(suite.error.is_some()),
            tests: usize::from(suite.error.is_some()),
            ..Counts::default()
        };
        for (_, result) in &suite.cases {
            counts.tests += 1;
            counts.time += result.elapsed;
            match result.outcome {
                Outcome::Passed => {}
                Outcome::Failed(_) => counts.failures += 1,
                Outcome::Broken(_) => counts.errors += 1,
                Outcome::Skipped(_) => counts.skipped += 1,
            }
        }
        counts
    }

    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.time += other.time;
    }
}

/// Seconds with millisecond precision, as JUnit's `time` attribute has them.
fn seconds(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Text escaped for XML attributes and content; characters XML 1.0 cannot hold are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::testing::runner::Mismatch;

    fn case(name: &str) -> Case {
        Case {
            name: name.to_string(),
            file: PathBuf::from("t/a.test.yaml"),
            line: Some(3),
            description: None,
            source: None,
            blind_spot: None,
            false_positive: None,
            skip: None,
            spec: Err(String::new()),
        }
    }

    #[test]
    fn a_report_with_every_outcome() {
        let cases = [case("passes"), case("fails <here>"), case("breaks")];
        let results = [
            CaseResult {
                outcome: Outcome::Passed,
                elapsed: Duration::from_millis(12),
            },
            CaseResult {
                outcome: Outcome::Failed(vec![Mismatch {
                    summary: "expected 1 row, got 0".into(),
                    details: vec!["a & b".into()],
                }]),
                elapsed: Duration::ZERO,
            },
            CaseResult {
                outcome: Outcome::Broken("t/a.test.yaml:3: bad \"now\"".into()),
                elapsed: Duration::ZERO,
            },
        ];
        let suite = Suite {
            name: "t/a.test.yaml".into(),
            cases: cases.iter().zip(&results).collect(),
            error: None,
        };
        let xml = junit_xml(&[suite]);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<testcase name=\"passes\" classname=\"t/a.test.yaml\" \
                              file=\"t/a.test.yaml\" line=\"3\" time=\"0.012\"/>"
            ),
            "{xml}"
        );
        assert!(xml.contains("name=\"fails &lt;here&gt;\""), "{xml}");
        assert!(
            xml.contains("<failure message=\"expected 1 row, got 0\">"),
            "{xml}"
        );
        assert!(xml.contains("    a &amp; b\n</failure>"), "{xml}");
        assert!(xml.contains("<error message=\"t/a.test.yaml:3: bad &quot;now&quot;\">"));
        assert!(xml.ends_with("</testsuite>\n</testsuites>\n"));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(escape("a\u{1}b\tc"), "ab\tc");
    }
}
