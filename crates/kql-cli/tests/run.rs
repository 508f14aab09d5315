//! `kql run` end to end: where the query comes from, how tables are registered, every output
//! format, `--output`, `--now`, warnings and a closed pipe.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{DATA, csv_records, finish, json_lines, kql, kql_with_stdin, scratch_dir};

/// `--table Events=...`: the fixture table of strings, longs, datetimes and bools.
fn events_table() -> String {
    format!("Events={DATA}/tables/Events.csv")
}

/// What `queries/events.kql` finds in `tables/Events.csv`, as CSV.
const EVENTS_AFTER_NOON: &str = "Name,Count\n\"be, ta\",10\n";

#[test]
fn a_query_file() {
    let query = format!("{DATA}/queries/events.kql");
    kql(&["run", &query, "--table", &events_table()])
        .assert_code(0)
        .assert_stdout(EVENTS_AFTER_NOON)
        .assert_stderr("");
}

#[test]
fn a_query_on_standard_input() {
    let text = std::fs::read_to_string(
        common::workspace_root()
            .join(DATA)
            .join("queries/events.kql"),
    )
    .expect("read the query");
    kql_with_stdin(&["run", "-", "--table", &events_table()], Some(&text))
        .assert_code(0)
        .assert_stdout(EVENTS_AFTER_NOON)
        .assert_stderr("");
}

#[test]
fn a_query_given_as_text() {
    let query = "Events | where Name == 'alpha' | project Name, Count";
    kql(&["run", "--query", query, "--table", &events_table()])
        .assert_code(0)
        .assert_stdout("Name,Count\nalpha,3\n")
        .assert_stderr("");
}

#[test]
fn the_table_format_comes_from_the_extension() {
    let table = format!("Sessions={DATA}/tables/Logons.jsonl");
    let query = "Sessions | where Logons > 1 | project User, Last";
    kql(&["run", "--query", query, "--table", &table])
        .assert_code(0)
        .assert_stdout("User,Last\njdoe,2026-11-20T09:14:03Z\n");
}

#[test]
fn data_registers_every_table_file_under_its_stem() {
    let dir = format!("{DATA}/tables");
    let query = "Logons | join kind=inner (Events | project User = Name, Count) on User";
    kql(&["run", "--query", query, "--data", &dir])
        .assert_code(0)
        .assert_stdout("User,Logons,Last,User1,Count\n");
    let query = "Events | where Count > 5 | project Name";
    kql(&["run", "--query", query, "--data", &dir])
        .assert_code(0)
        .assert_stdout("Name\n\"be, ta\"\n");
    // `notes.txt` is not a data file, so there is no table `notes`.
    kql(&["run", "--query", "notes", "--data", &dir])
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr_contains("failed to resolve table or `let` name `notes`");
}

#[test]
fn every_format() {
    let query = "Events";
    let run = |format: &str| {
        kql(&[
            "run",
            "--query",
            query,
            "--table",
            &events_table(),
            "--format",
            format,
        ])
    };

    let table = "\
Name    Count  When                    Ok
------  -----  ----------------------  -----
alpha       3  2026-11-20T09:14:03Z    true
be, ta     10  2026-11-21T00:00:00.5Z  false
gamma
3 rows
";
    run("table")
        .assert_code(0)
        .assert_stdout(table)
        .assert_stderr("");

    let csv = "\
Name,Count,When,Ok
alpha,3,2026-11-20T09:14:03Z,true
\"be, ta\",10,2026-11-21T00:00:00.5Z,false
gamma,,,
";
    run("csv")
        .assert_code(0)
        .assert_stdout(csv)
        .assert_stderr("");

    let rows = [
        r#"{"Name":"alpha","Count":3,"When":"2026-11-20T09:14:03Z","Ok":true}"#,
        r#"{"Name":"be, ta","Count":10,"When":"2026-11-21T00:00:00.5Z","Ok":false}"#,
        r#"{"Name":"gamma","Count":null,"When":null,"Ok":null}"#,
    ];
    let json = format!("[\n{}\n]\n", rows.join(",\n"));
    let outcome = run("json");
    outcome
        .assert_code(0)
        .assert_stdout(&json)
        .assert_stderr("");
    let parsed: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    assert_eq!(parsed.as_array().map(Vec::len), Some(3));

    let jsonl = rows.map(|row| format!("{row}\n")).concat();
    let outcome = run("jsonl");
    outcome
        .assert_code(0)
        .assert_stdout(&jsonl)
        .assert_stderr("");
    assert_eq!(json_lines(&outcome.stdout).len(), 3);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    kql(&["run", "--query", "print 1", "--format", "xml"])
        .assert_code(3)
        .assert_stdout("")
        .assert_stderr_contains("invalid value 'xml' for '--format <FORMAT>'");
}

#[test]
fn output_writes_a_file_instead_of_standard_output() {
    let dir = scratch_dir("run-output");
    let csv_file = dir.join("events.csv");
    let csv_path = csv_file.to_str().expect("a UTF-8 path");
    let query = format!("{DATA}/queries/events.kql");
    kql(&[
        "run",
        &query,
        "--table",
        &events_table(),
        "--output",
        csv_path,
    ])
    .assert_code(0)
    .assert_stdout("")
    .assert_stderr("");
    let written = std::fs::read_to_string(&csv_file).expect("the output file exists");
    common::assert_text("the output file", EVENTS_AFTER_NOON, &written);

    // `-o` is the short form; the format still applies.
    let json_file = dir.join("events.json");
    let json_path = json_file.to_str().expect("a UTF-8 path");
    kql(&[
        "run",
        &query,
        "--table",
        &events_table(),
        "-o",
        json_path,
        "--format",
        "jsonl",
    ])
    .assert_code(0)
    .assert_stdout("");
    let written = std::fs::read_to_string(&json_file).expect("the output file exists");
    common::assert_text(
        "the output file",
        "{\"Name\":\"be, ta\",\"Count\":10}\n",
        &written,
    );
}

#[test]
fn output_to_a_missing_folder_is_bad_input() {
    let dir = scratch_dir("run-output-missing");
    let file = dir.join("no/such/folder/out.csv");
    let path = file.to_str().expect("a UTF-8 path");
    kql(&["run", "--query", "print 1", "--output", path])
        .assert_code(2)
        .assert_stdout("")
        .assert_stderr_contains(&format!("kql: cannot create `{path}`: "));
}

#[test]
fn now_pins_ago_and_now() {
    let query = "print Ago = ago(1d), Now = now(), Earlier = ago(90d) < datetime(2026-09-01)";
    kql(&["run", "--query", query, "--now", "2026-11-27T12:00:00Z"])
        .assert_code(0)
        .assert_stdout("Ago,Now,Earlier\n2026-11-26T12:00:00Z,2026-11-27T12:00:00Z,true\n");
    // An offset is converted to UTC.
    kql(&[
        "run",
        "--query",
        "print now()",
        "--now",
        "2026-11-27T12:00:00+02:00",
    ])
    .assert_code(0)
    .assert_stdout("print_0\n2026-11-27T10:00:00Z\n");
}

#[test]
fn without_now_the_current_time_is_used() {
    let before = chrono::Utc::now();
    let outcome = kql(&["run", "--query", "print T = now()"]);
    let after = chrono::Utc::now();
    outcome.assert_code(0);
    let text = outcome.stdout.strip_prefix("T\n").expect("a header line");
    let now = chrono::DateTime::parse_from_rfc3339(text.trim_end()).expect("an RFC 3339 time");
    // Kusto's datetimes are in 100 ns ticks; allow a second either side.
    let slack = chrono::Duration::seconds(1);
    assert!(
        before - slack <= now && now <= after + slack,
        "now() printed {now}, outside {before} .. {after}"
    );
}

/// The warning `--allow-missing-columns` gives for `Colour` in `MISSING_COLUMN_QUERY`.
const COLOUR_WARNING: &str = "\
warning: `project` operator: failed to resolve scalar expression named `Colour`
 --> <stdin>:2:17
  |
2 | | project Name, Colour
  |                 ^^^^^^ no column, `let` name or function has this name
";

const MISSING_COLUMN_QUERY: &str = "Events\n| project Name, Colour\n";

#[test]
fn allow_missing_columns_warns_on_standard_error() {
    let args = [
        "run",
        "-",
        "--table",
        &events_table(),
        "--allow-missing-columns",
    ];
    kql_with_stdin(&args, Some(MISSING_COLUMN_QUERY))
        .assert_code(0)
        .assert_stdout("Name,Colour\nalpha,\n\"be, ta\",\ngamma,\n")
        .assert_stderr(COLOUR_WARNING);
}

#[test]
fn quiet_silences_the_warnings() {
    for quiet in ["--quiet", "-q"] {
        let args = [
            "run",
            "-",
            "--table",
            &events_table(),
            "--allow-missing-columns",
            quiet,
        ];
        kql_with_stdin(&args, Some(MISSING_COLUMN_QUERY))
            .assert_code(0)
            .assert_stdout("Name,Colour\nalpha,\n\"be, ta\",\ngamma,\n")
            .assert_stderr("");
    }
}

#[test]
fn without_allow_missing_columns_a_missing_column_fails() {
    let args = ["run", "-", "--table", &events_table()];
    let error = COLOUR_WARNING.replacen("warning:", "error:", 1);
    kql_with_stdin(&args, Some(MISSING_COLUMN_QUERY))
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(&error);
}

#[test]
fn diagnostics_json_prints_one_object_a_line() {
    let query = "Events\n| project Name, Colour, Shade\n";
    let args = [
        "run",
        "-",
        "--table",
        &events_table(),
        "--allow-missing-columns",
        "--diagnostics",
        "json",
    ];
    let outcome = kql_with_stdin(&args, Some(query));
    outcome
        .assert_code(0)
        .assert_stdout("Name,Colour,Shade\nalpha,,\n\"be, ta\",,\ngamma,,\n");
    let lines = json_lines(&outcome.stderr);
    assert_eq!(lines.len(), 2, "one line per warning:\n{}", outcome.stderr);
    for (line, (name, column)) in lines.iter().zip([("Colour", 17), ("Shade", 25)]) {
        assert_eq!(line["severity"], "warning", "{line}");
        assert_eq!(line["origin"], "<stdin>", "{line}");
        let message = line["message"].as_str().unwrap_or_default();
        assert!(message.ends_with(&format!("named `{name}`")), "{line}");
        let start = &line["span"]["start"];
        assert_eq!(
            (&start["line"], &start["column"]),
            (&2.into(), &column.into()),
            "{line}"
        );
        let end = &line["span"]["end"];
        let end_column = column + name.len();
        assert_eq!(
            (&end["line"], &end["column"]),
            (&2.into(), &end_column.into()),
            "{line}"
        );
    }

    // Errors too, and the failure is still exit 1.
    let args = [
        "run",
        "-",
        "--table",
        &events_table(),
        "--diagnostics",
        "json",
    ];
    let outcome = kql_with_stdin(&args, Some(query));
    outcome.assert_code(1).assert_stdout("");
    let lines = json_lines(&outcome.stderr);
    assert!(!lines.is_empty(), "no diagnostics");
    assert!(
        lines.iter().all(|line| line["severity"] == "error"),
        "{}",
        outcome.stderr
    );
    assert_eq!(lines[0]["span"]["start"]["line"], 2);
}

/// The BITS hunt on its sample, as the README runs it but quiet, with `args` added.
fn bits_hunt(args: &[&str]) -> Command {
    let mut all = vec![
        "run",
        "queries/bits/bits_jobs.kql",
        "--data",
        "queries/bits/sample",
        "--now",
        "2026-11-27T12:00:00Z",
        "--allow-missing-columns",
        "--quiet",
    ];
    all.extend_from_slice(args);
    common::command(&all)
}

#[test]
fn a_wide_table_hides_its_empty_columns() {
    let outcome = finish(bits_hunt(&["--format", "table"]));
    outcome.assert_code(0).assert_stderr("");
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["Account", "AccountName", "Activity", "CommandLine"]
    );
    assert_eq!(lines.len(), 2 + 7 + 2, "{}", outcome.stdout);
    assert!(lines[2].starts_with("CONTOSO\\jdoe "), "{}", outcome.stdout);
    let note =
        "(showing 4 of 369 columns, 329 empty ones hidden; use --format csv or json for all)";
    assert_eq!(lines[lines.len() - 2..], [note, "7 rows"]);
    let widest = lines.iter().map(|line| line.chars().count()).max();
    assert!(widest <= Some(120), "{}", outcome.stdout);

    // A wider terminal (`COLUMNS`) shows more of the filled columns, in order.
    let mut command = bits_hunt(&["--format", "table"]);
    command.env("COLUMNS", "200");
    let outcome = finish(command);
    outcome.assert_code(0);
    let header: Vec<&str> = outcome
        .stdout
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let filled = [
        "Account",
        "AccountName",
        "Activity",
        "CommandLine",
        "Computer",
        "EventID",
    ];
    assert_eq!(header, [&filled[..], &["NewProcessName"]].concat());
    outcome.assert_stdout_contains("(showing 7 of 369 columns, 329 empty ones hidden;");
}

#[test]
fn csv_and_json_show_every_column() {
    let outcome = finish(bits_hunt(&["--format", "csv"]));
    outcome.assert_code(0).assert_stderr("");
    let records = csv_records(&outcome.stdout);
    assert_eq!(records.len(), 1 + 7);
    assert!(records.iter().all(|record| record.len() == 369));

    let outcome = finish(bits_hunt(&["--format", "json"]));
    outcome.assert_code(0);
    let rows: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    let rows = rows.as_array().expect("an array of rows");
    assert_eq!(rows.len(), 7);
    assert!(
        rows.iter()
            .all(|row| row.as_object().map(|o| o.len()) == Some(369))
    );
}

/// `kql run ... | head -1`: once the reader is gone, kql stops, quietly and successfully.
#[test]
fn a_closed_pipe_ends_quietly() {
    let query = "range x from 1 to 200000 step 1";
    let mut child = common::command(&["run", "--query", query, "--format", "csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kql");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the first line");
    assert_eq!(first, "x\n");
    // 200,000 rows are far more than a pipe holds, so kql is still writing when this closes.
    drop(stdout);
    let output = child.wait_with_output().expect("wait for kql");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
