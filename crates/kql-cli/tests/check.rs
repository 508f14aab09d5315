//! `kql check` end to end: good and bad queries, diagnostics as text and JSON, and schema
//! folders in kql's format and in the Azure-Sentinel CustomTables format.

mod common;

use common::{DATA, json_lines, kql, kql_with_stdin};

/// What `kql check` prints for the BITS hunt as published: Kusto rejects it too.
const BITS_ERROR: &str = "\
error: `extend` operator: failed to resolve scalar expression named `ProcessCommandLine2`
  --> queries/bits/bits_jobs.kql:29:81
   |
29 | | extend ProcessCommandLine = coalesce(ProcessCommandLine, ProcessCommandLine1, \
ProcessCommandLine2)
   |                                                                                 \
^^^^^^^^^^^^^^^^^^^ no column, `let` name or function has this name
   = help: did you mean `ProcessCommandLine` or `ProcessCommandLine1`?
";

#[test]
fn a_good_query_checks_silently() {
    let query =
        "SecurityEvent | where EventID == 4688 | project TimeGenerated, Computer, CommandLine";
    kql(&["check", "--query", query])
        .assert_code(0)
        .assert_stdout("")
        .assert_stderr("");
}

#[test]
fn a_query_on_standard_input() {
    let query = "DeviceProcessEvents\n| where ProcessCommandLine has 'bitsadmin'\n";
    kql_with_stdin(&["check", "-"], Some(query))
        .assert_code(0)
        .assert_stdout("")
        .assert_stderr("");
    let typo = "DeviceProcessEvents\n| where ProcessCommandLin has 'bitsadmin'\n";
    kql_with_stdin(&["check", "-"], Some(typo))
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr_contains(" --> <stdin>:2:9\n")
        .assert_stderr_contains("= help: did you mean `ProcessCommandLine`?");
}

#[test]
fn the_bits_hunt_fails_on_process_command_line_2() {
    kql(&["check", "queries/bits/bits_jobs.kql"])
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(BITS_ERROR);
}

#[test]
fn the_bits_hunt_as_json_diagnostics() {
    let outcome = kql(&[
        "check",
        "queries/bits/bits_jobs.kql",
        "--diagnostics",
        "json",
    ]);
    outcome.assert_code(1).assert_stdout("");
    let lines = json_lines(&outcome.stderr);
    assert_eq!(lines.len(), 1, "{}", outcome.stderr);
    let diagnostic = &lines[0];
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["kind"], "semantic");
    assert_eq!(diagnostic["origin"], "queries/bits/bits_jobs.kql");
    let message = diagnostic["message"].as_str().unwrap_or_default();
    assert!(message.contains("`ProcessCommandLine2`"), "{message}");
    let span = &diagnostic["span"];
    assert_eq!(span["start"]["line"], 29);
    assert_eq!(span["start"]["column"], 81);
    assert_eq!(span["end"]["line"], 29);
    assert_eq!(span["end"]["column"], 81 + "ProcessCommandLine2".len());
    assert_eq!(
        diagnostic["hints"],
        serde_json::json!(["did you mean `ProcessCommandLine` or `ProcessCommandLine1`?"])
    );
}

#[test]
fn schema_folders_add_tables_in_both_formats() {
    let query = format!("{DATA}/queries/custom_tables.kql");
    let schemas = format!("{DATA}/schemas");
    // `MyTable_CL` (CustomTables format) and `Inventory` (kql's format) are not built in.
    kql(&["check", &query])
        .assert_code(1)
        .assert_stderr_contains("failed to resolve table or `let` name `MyTable_CL`");
    kql(&["check", &query, "--schema", &schemas])
        .assert_code(0)
        .assert_stdout("")
        .assert_stderr("");
}

#[test]
fn schema_columns_are_typed_and_checked() {
    let schemas = format!("{DATA}/schemas");
    let check = |query: &str| kql(&["check", "--query", query, "--schema", &schemas]);
    // The real CustomTables file, with lowercase type names.
    check("ABNORMAL_CASES_CL | where caseId > 1.5 | project affectedEmployee, firstObserved")
        .assert_code(0)
        .assert_stderr("");
    check("MyTable_CL | where EventCount_d > 1 | project Computer, Message_s")
        .assert_code(0)
        .assert_stderr("");
    check("Inventory | project DiskFree")
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(
            "\
error: `project` operator: failed to resolve scalar expression named `DiskFree`
 --> query:1:21
  |
1 | Inventory | project DiskFree
  |                     ^^^^^^^^ no column, `let` name or function has this name
  = help: did you mean `DiskFreeGb`?
",
        );
}

#[test]
fn a_bad_schema_file_is_bad_input() {
    let bad = format!("{DATA}/bad-schema");
    kql(&["check", "--query", "print 1", "--schema", &bad])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr(&format!(
            "kql: {DATA}/bad-schema/Broken.json: column `A`: no string `type`\n"
        ));
    let missing = format!("{DATA}/no-such-folder");
    kql(&["check", "--query", "print 1", "--schema", &missing])
        .assert_code(2)
        .assert_stderr_contains(&format!("kql: {missing}: cannot read: "));
}

#[test]
fn every_error_is_reported() {
    let query = "SecurityEvent | project Computr, EventId";
    let outcome = kql(&["check", "--query", query, "--diagnostics", "json"]);
    outcome.assert_code(1);
    let columns: Vec<_> = json_lines(&outcome.stderr)
        .iter()
        .map(|line| line["span"]["start"]["column"].clone())
        .collect();
    assert_eq!(columns, [25, 34]);
}
