//! Every exit code `kql --help` documents: 0 success, 1 query error, 2 bad input data or
//! files, 3 usage error; and the help itself.

mod common;

use common::{DATA, kql};

#[test]
fn help_exits_0_and_documents_the_exit_codes() {
    let codes = [
        "Exit codes:",
        "  0  ",
        "  1  query error (syntax or semantic)",
        "  2  bad ",
        "  3  usage error",
    ];
    for args in [
        &["--help"][..],
        &["-h"],
        &["run", "--help"],
        &["check", "--help"],
        &["help", "run"],
    ] {
        let outcome = kql(args);
        outcome.assert_code(0).assert_stderr("");
        for part in codes {
            outcome.assert_stdout_contains(part);
        }
    }
    kql(&["run", "--help"])
        .assert_stdout_contains("--allow-missing-columns")
        .assert_stdout_contains("Examples:");
    kql(&["check", "--help"])
        .assert_stdout_contains("--schema <DIR>")
        .assert_stdout_contains("Examples:");
    kql(&["--version"])
        .assert_code(0)
        .assert_stdout(&format!("kql {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn exit_1_for_a_syntax_error() {
    let query = format!("{DATA}/queries/syntax_error.kql");
    let expected = format!(
        "\
error: expected an expression, found `|`
 --> {query}:3:1
  |
3 | | project Name
  | ^
"
    );
    kql(&["check", &query])
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(&expected);
    let table = format!("Events={DATA}/tables/Events.csv");
    kql(&["run", &query, "--table", &table])
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(&expected);
}

#[test]
fn exit_1_for_an_unknown_column() {
    let table = format!("Events={DATA}/tables/Events.csv");
    kql(&[
        "run",
        "--query",
        "Events | where Cont > 1",
        "--table",
        &table,
    ])
    .assert_code(1)
    .assert_stdout("")
    .assert_stderr(
        "\
error: `where` operator: failed to resolve scalar expression named `Cont`
 --> query:1:16
  |
1 | Events | where Cont > 1
  |                ^^^^ no column, `let` name or function has this name
  = help: did you mean `Count`?
",
    );
}

#[test]
fn exit_1_for_an_unknown_table() {
    kql(&["run", "--query", "Nowhere | take 1"])
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr_contains("error: failed to resolve table or `let` name `Nowhere`");
}

#[test]
fn exit_1_for_an_operator_not_supported_yet() {
    // Most plugins (`evaluate`) are valid KQL that kql refuses by name.
    let expected = "\
error: the `autocluster` plugin is not supported yet
 --> query:1:24
  |
1 | print x = 1 | evaluate autocluster()
  |                        ^^^^^^^^^^^
";
    for command in ["run", "check"] {
        kql(&[command, "--query", "print x = 1 | evaluate autocluster()"])
            .assert_code(1)
            .assert_stdout("")
            .assert_stderr(expected);
    }
}

#[test]
fn exit_2_for_a_missing_query_file() {
    kql(&["run", "no-such-query.kql"])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr_contains("kql: cannot read `no-such-query.kql`: ");
    kql(&["check", "no-such-query.kql"])
        .assert_code(2)
        .assert_stderr_contains("kql: cannot read `no-such-query.kql`: ");
}

#[test]
fn exit_2_for_a_missing_table_file() {
    let table = format!("Events={DATA}/tables/NoSuch.csv");
    kql(&["run", "--query", "Events", "--table", &table])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr_contains(&format!("kql: {DATA}/tables/NoSuch.csv: cannot open: "));
    let dir = format!("{DATA}/no-such-folder");
    kql(&["run", "--query", "print 1", "--data", &dir])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr_contains(&format!("kql: cannot read the folder `{dir}`: "));
}

#[test]
fn exit_2_for_a_bad_csv_row_names_the_file_and_line() {
    let table = format!("Short={DATA}/bad-rows/Short.csv");
    kql(&["run", "--query", "Short", "--table", &table])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr(&format!(
            "kql: {DATA}/bad-rows/Short.csv:3: expected 2 fields as in the header, found 1\n"
        ));
}

#[test]
fn exit_2_for_a_value_of_the_wrong_type() {
    // `SecurityEvent` is typed by its schema: `EventID` is an int.
    let dir = format!("{DATA}/bad-values");
    kql(&["run", "--query", "SecurityEvent | take 1", "--data", &dir])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr(&format!(
            "kql: {dir}/SecurityEvent.csv:3: column `EventID`: cannot read `four` as int\n"
        ));
}

#[test]
fn skip_bad_rows_runs_and_warns_where_rows_were_left_out() {
    let dir = format!("{DATA}/bad-values");
    let query = "SecurityEvent | project EventID";
    kql(&["run", "--query", query, "--data", &dir, "--skip-bad-rows"])
        .assert_code(0)
        .assert_stdout("EventID\n4688\n")
        .assert_stderr_contains("warning: 1 row of `")
        .assert_stderr_contains(&format!(
            "{dir}/SecurityEvent.csv:3: column `EventID`: cannot read `four` as int"
        ));
    let table = format!("Short={DATA}/bad-rows/Short.csv");
    kql(&[
        "run",
        "--query",
        "Short | count",
        "--table",
        &table,
        "--skip-bad-rows",
    ])
    .assert_code(0)
    .assert_stderr_contains("expected 2 fields as in the header, found 1");
}

#[test]
fn check_every_row_reports_a_bad_value_in_a_row_the_query_drops() {
    let dir = format!("{DATA}/bad-values");
    // `EventID` is only carried, and the row holding `four` is dropped: not converted.
    let query = "SecurityEvent | where Computer == 'WS-HR-01' | project EventID";
    kql(&["run", "--query", query, "--data", &dir, "--format", "csv"])
        .assert_code(0)
        .assert_stdout("EventID\n");
    kql(&["run", "--query", query, "--data", &dir, "--check-every-row"])
        .assert_code(2)
        .assert_stderr(&format!(
            "kql: {dir}/SecurityEvent.csv:3: column `EventID`: cannot read `four` as int\n"
        ));
}

#[test]
fn exit_3_for_usage_errors() {
    let usage = |args: &[&str]| {
        let outcome = kql(args);
        outcome.assert_code(3).assert_stdout("");
        outcome
    };
    usage(&["run", "--query", "print 1", "--frobnicate"])
        .assert_stderr_contains("error: unexpected argument '--frobnicate' found");
    usage(&["run", "--query", "print 1", "--table", "Events"])
        .assert_stderr("kql: --table expects NAME=PATH, found `Events`\n");
    usage(&["run", "--query", "print 1", "--table", "=x.csv"])
        .assert_stderr("kql: --table expects NAME=PATH, found `=x.csv`\n");
    usage(&["run", "--query", "print 1", "--now", "yesterday"]).assert_stderr(
        "kql: --now expects an RFC 3339 time such as `2026-11-27T12:00:00Z`, found `yesterday`\n",
    );
    usage(&["run", "--query", "print 1", "--now", "2026-11-27"])
        .assert_stderr_contains("found `2026-11-27`");
    usage(&["run"]).assert_stderr_contains("error: the following required arguments");
    usage(&["run", "q.kql", "--query", "print 1"]).assert_stderr_contains("cannot be used with");
    usage(&["frobnicate"]).assert_stderr_contains("error: unrecognized subcommand 'frobnicate'");
    usage(&[]).assert_stderr_contains("Usage: kql <COMMAND>");
    usage(&["check", "--query", "print 1", "--diagnostics", "xml"])
        .assert_stderr_contains("invalid value 'xml' for '--diagnostics <DIAGNOSTICS>'");
}

#[test]
fn usage_errors_come_before_reading_the_data() {
    // The bad `--now` is reported, not the missing table file.
    let table = format!("Events={DATA}/tables/NoSuch.csv");
    kql(&[
        "run", "--query", "Events", "--table", &table, "--now", "soon",
    ])
    .assert_code(3)
    .assert_stderr_contains("--now expects an RFC 3339 time");
}
