//! `kql test` end to end, and Sentinel rule files in `kql run` and `kql check`.
//!
//! The first test runs every test file under `queries/`, so `cargo test --workspace` (the
//! README's test command, which CI runs) keeps the detection queries' own tests passing.

mod common;

use std::path::Path;

use common::{kql, scratch_dir, workspace_root};

/// The last line of the output, the summary CI tools read.
fn summary(stdout: &str) -> &str {
    stdout.lines().last().unwrap_or("")
}

/// Writes `text` as `name` in `dir` and returns the path as text.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.display().to_string()
}

#[test]
fn the_queries_folder_passes_its_own_tests() {
    let outcome = kql(&["test", "queries/"]);
    outcome.assert_code(0).assert_stderr("");
    let last = summary(&outcome.stdout);
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no summary line:\n{}", outcome.stdout));
    // The 53 command lines of the BITS rule, and the rule's other cases.
    assert!(passed > 53, "{last}");
    let command_lines = outcome
        .stdout
        .lines()
        .filter(|line| line.starts_with("ok      queries/bits/tests/command_lines.test.yaml:"))
        .count();
    assert_eq!(command_lines, 53, "{}", outcome.stdout);
}

#[test]
fn the_bits_cases_record_hits_and_blind_spots() {
    let text = std::fs::read_to_string(
        workspace_root().join("queries/bits/tests/command_lines.test.yaml"),
    )
    .expect("read the BITS cases");
    let count = |part: &str| text.matches(part).count();
    assert_eq!(count("\n  - name: "), 53, "one case per command line");
    assert_eq!(count("\n    source: "), 53, "each case keeps its source");
    assert_eq!(count("\n    expect: no_rows\n"), 46, "misses");
    assert_eq!(count("\n      alert: true\n"), 7, "hits");
    assert_eq!(count("\n    blind_spot: "), 40, "attacks the rule misses");
    assert_eq!(
        count("\n    false_positive: "),
        5,
        "benign lines the rule flags"
    );
}

#[test]
fn the_rule_file_holds_the_hunt_unchanged() {
    let root = workspace_root();
    let hunt = std::fs::read_to_string(root.join("queries/bits/bits_jobs.kql")).expect("hunt");
    let rule = std::fs::read_to_string(root.join("queries/bits/bits_jobs.yaml")).expect("rule");
    let rule: yaml_serde::Value = yaml_serde::from_str(&rule).expect("the rule is YAML");
    assert_eq!(rule["query"].as_str(), Some(hunt.as_str()));
    for field in [
        "id",
        "name",
        "severity",
        "queryFrequency",
        "queryPeriod",
        "triggerOperator",
    ] {
        assert!(rule.get(field).is_some(), "the rule has no `{field}`");
    }
}

#[test]
fn failures_show_expected_and_got_rows() {
    let dir = scratch_dir("test-command-failures");
    let file = write(
        &dir,
        "events.test.yaml",
        "\
tables:
  Events:
    - {Name: alpha, Count: 3}
    - {Name: beta, Count: 10}
cases:
  - name: passes
    query: Events | where Count > 5 | project Name
    expect:
      rows: [{Name: beta}]
  - name: wrong row
    query: Events | project Name, Count
    expect:
      rows:
        - {Name: alpha, Count: 3}
        - {Name: beta, Count: 11}
  - name: wrong order
    query: Events | sort by Count desc | project Name
    expect:
      rows: [{Name: alpha}, {Name: beta}]
  - name: later
    skip: not written yet
    query: Events
    expect: no_rows
",
    );
    let outcome = kql(&["test", &file]);
    outcome.assert_code(1).assert_stderr("");
    let stdout = &outcome.stdout;
    assert!(
        stdout.contains(&format!("ok      {file}:6: passes\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("FAILED  {file}:10: wrong row\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("      | Name | Count\n      - | beta | 11\n      + | beta | 10\n"),
        "{stdout}"
    );
    assert!(stdout.contains("rows differ (in order)"), "{stdout}");
    assert!(
        stdout.contains(&format!("skipped {file}:20: later (not written yet)\n")),
        "{stdout}"
    );
    assert_eq!(summary(stdout), "1 passed, 2 failed, 1 skipped");
}

#[test]
fn junit_xml_for_ci() {
    let dir = scratch_dir("test-command-junit");
    let file = write(
        &dir,
        "a.test.yaml",
        "\
query: print x = 1
cases:
  - name: one row
    expect: {count: 1}
  - name: no rows
    blind_spot: a record of a miss
    expect: no_rows
",
    );
    let report = dir.join("report.xml");
    let outcome = kql(&["test", &file, "--junit", &report.display().to_string()]);
    outcome.assert_code(1);
    let xml = std::fs::read_to_string(&report).expect("the JUnit file");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""),
        "{xml}"
    );
    assert!(xml.contains("<testcase name=\"one row\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"expected 0 rows, got 1\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"blind_spot\" value=\"a record of a miss\"/>"),
        "{xml}"
    );
}

#[test]
fn filter_runs_the_cases_whose_name_matches() {
    let outcome = kql(&["test", "queries/bits", "--filter", "Atomic"]);
    outcome.assert_code(0);
    let stdout = &outcome.stdout;
    assert!(!stdout.contains("the hunt as published"), "{stdout}");
    let ok = stdout
        .lines()
        .filter(|line| line.starts_with("ok "))
        .count();
    assert!(ok > 0, "{stdout}");
    assert_eq!(summary(stdout), format!("{ok} passed, 0 failed"));

    kql(&["test", "queries/bits", "--filter", "no case is named this"])
        .assert_code(3)
        .assert_stderr_contains("no case's name contains `no case is named this`");
}

#[test]
fn bad_test_files_name_the_file_and_line() {
    let dir = scratch_dir("test-command-bad-files");
    let typo = write(
        &dir,
        "typo.test.yaml",
        "query: print x = 1\ncases:\n  - name: a\n    expect: no_rows\n    expcet: no_rows\n",
    );
    let bad_case = write(
        &dir,
        "bad-case.test.yaml",
        "\
query: print x = 1
cases:
  - name: fine
    expect: {count: 1}
  - name: bad time
    now: yesterday
    expect: no_rows
",
    );
    let outcome = kql(&["test", &dir.display().to_string()]);
    outcome.assert_code(2).assert_stderr("");
    let stdout = &outcome.stdout;
    assert!(stdout.contains(&format!("FAILED  {typo}\n")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "    {typo}: line 5: cases[0]: unknown field `expcet`"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("ok      {bad_case}:3: fine\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "FAILED  {bad_case}:5: bad time\n    `now` expects an RFC 3339 time"
        )),
        "{stdout}"
    );
    assert_eq!(summary(stdout), "1 passed, 2 failed");
}

#[test]
fn no_test_files_is_a_usage_error() {
    let dir = scratch_dir("test-command-empty");
    kql(&["test", &dir.display().to_string()])
        .assert_code(3)
        .assert_stderr_contains("no test files (*.test.yaml, *.test.yml) in");
    kql(&["test", "queries/bits/bits_jobs.kql"])
        .assert_code(3)
        .assert_stderr_contains("is not a test file");
}

#[test]
fn rules_alert_as_sentinel_decides() {
    let dir = scratch_dir("test-command-rules");
    write(
        &dir,
        "logons.yaml",
        "\
id: 6a0e3f8e-2d55-4d7e-9a3b-6f7c1d2e4b10
name: Many failed logons
severity: Low
queryFrequency: PT1H
queryPeriod: P1D
triggerOperator: gt
triggerThreshold: 1
query: |
  Logons
  | where Failed
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: Name
        columnName: User
",
    );
    let file = write(
        &dir,
        "logons.test.yaml",
        "\
rule: logons.yaml
now: 2026-11-27T12:00:00Z
cases:
  - name: two failures alert
    tables:
      Logons:
        - {TimeGenerated: 2026-11-27T10:00:00Z, User: ann, Failed: true}
        - {TimeGenerated: 2026-11-27T11:00:00Z, User: ann, Failed: true}
    expect: alert
  - name: one failure does not
    tables:
      Logons:
        - {TimeGenerated: 2026-11-27T10:00:00Z, User: ann, Failed: true}
        - {TimeGenerated: 2026-11-27T11:00:00Z, User: bob, Failed: false}
    expect: {alert: false, count: 1}
  - name: older than a day is not seen
    tables:
      Logons:
        - {TimeGenerated: 2026-11-25T10:00:00Z, User: ann, Failed: true}
        - {TimeGenerated: 2026-11-25T11:00:00Z, User: ann, Failed: true}
    expect: no_alert
  - name: says why when wrong
    tables:
      Logons:
        - {TimeGenerated: 2026-11-27T10:00:00Z, User: ann, Failed: true}
    expect: alert
",
    );
    let outcome = kql(&["test", &file]);
    outcome.assert_code(1);
    let stdout = &outcome.stdout;
    assert!(
        stdout.contains(
            "    expected an alert, got no alert: the rule alerts on more than 1 row, \
             and the query returned 1 row\n"
        ),
        "{stdout}"
    );
    assert_eq!(summary(stdout), "3 passed, 1 failed");
}

#[test]
fn run_takes_a_rule_file() {
    let outcome = kql(&[
        "run",
        "queries/bits/bits_jobs.yaml",
        "--data",
        "queries/bits/sample",
        "--now",
        "2026-11-27T12:00:00Z",
        "--allow-missing-columns",
        "--quiet",
    ]);
    outcome.assert_code(0).assert_stderr("");
    assert_eq!(common::csv_records(&outcome.stdout).len(), 1 + 7);

    // Without the flag it fails like Kusto, pointing into the rule file.
    kql(&[
        "run",
        "queries/bits/bits_jobs.yaml",
        "--data",
        "queries/bits/sample",
    ])
    .assert_code(1)
    .assert_stderr_contains("  --> queries/bits/bits_jobs.yaml:")
    .assert_stderr_contains(
        "| extend ProcessCommandLine = coalesce(ProcessCommandLine, ProcessCommandLine1, \
             ProcessCommandLine2)",
    );
}

#[test]
fn check_validates_a_rules_entity_columns() {
    kql(&[
        "check",
        "queries/bits/bits_jobs.yaml",
        "--allow-missing-columns",
    ])
    .assert_code(0)
    .assert_stdout_contains("rule `BITS jobs used to download or upload files")
    .assert_stdout_contains("runs every 1d over the last 14d; alerts on more than 0 rows")
    .assert_stdout_contains("entities: Host (FullName = DeviceName)");

    let dir = scratch_dir("test-command-check-rule");
    let rule = write(
        &dir,
        "rule.yaml",
        "\
name: Renamed column
query: |
  SecurityEvent
  | project Computer, Account
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: FullName
        columnName: HostCustomEntity
",
    );
    let outcome = kql(&["check", &rule]);
    outcome
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr_contains(
            "error: entityMappings: the query's result has no column `HostCustomEntity`",
        )
        .assert_stderr_contains(&format!("--> {rule}:9:21"));
}
