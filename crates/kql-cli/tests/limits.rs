//! `kql run`'s limits end to end: a cut result is reported on standard error and
//! `--no-truncation` lifts the cut; `--max-join-rows` and `--timeout` stop a query with exit
//! code 1 and a diagnostic of kind `limit`.

mod common;

use common::kql;

/// 500,001 rows: one more than Kusto's default result limit.
const BIG: &str = "range x from 1 to 500001 step 1 | count";
const ROWS: &str = "range x from 1 to 500001 step 1";

#[test]
fn a_cut_result_is_reported_on_standard_error() {
    let outcome = kql(&["run", "--query", ROWS, "--format", "csv"]);
    outcome
        .assert_code(0)
        .assert_stderr_contains("warning")
        .assert_stderr_contains("the result was cut to its first 500000 rows");
    // The header and 500,000 rows.
    assert_eq!(outcome.stdout.lines().count(), 500_001);

    // Counting does not need the rows out: no cut.
    kql(&["run", "--query", BIG, "--format", "csv"])
        .assert_code(0)
        .assert_stdout("Count\n500001\n")
        .assert_stderr("");
}

#[test]
fn no_truncation_prints_every_row() {
    let outcome = kql(&["run", "--query", ROWS, "--format", "csv", "--no-truncation"]);
    outcome.assert_code(0).assert_stderr("");
    assert_eq!(outcome.stdout.lines().count(), 500_002);
}

#[test]
fn a_join_over_the_budget_exits_1_with_a_limit_diagnostic() {
    let query = "range x from 1 to 100 step 1 | extend k = 1\n\
                 | join kind=inner (range y from 1 to 100 step 1 | extend k = 1) on k";
    kql(&["run", "--query", query, "--max-join-rows", "1000"])
        .assert_code(1)
        .assert_stderr_contains("error: the join would output more than 1000 rows")
        .assert_stderr_contains("--> query:2:3");
    kql(&[
        "run",
        "--query",
        query,
        "--max-join-rows",
        "1000",
        "--diagnostics",
        "json",
    ])
    .assert_code(1)
    .assert_stderr_contains("\"kind\":\"limit\"");
    // 0: no budget.
    kql(&[
        "run",
        "--query",
        &format!("{query} | count"),
        "--max-join-rows",
        "0",
    ])
    .assert_code(0)
    .assert_stdout_contains("10000");
}

#[test]
fn timeout_cancels_the_query_and_must_be_positive() {
    let query = "range x from 1 to 3000 step 1 | extend k = 1\n\
                 | join kind=inner (range y from 1 to 3000 step 1 | extend k = 1) on k\n\
                 | count";
    kql(&[
        "run",
        "--query",
        query,
        "--max-join-rows",
        "0",
        "--timeout",
        "0.001",
    ])
    .assert_code(1)
    .assert_stderr_contains("the query was cancelled")
    .assert_stderr_contains("time budget of 1 ms");
    kql(&["run", "--query", "print 1", "--timeout", "0"])
        .assert_code(3)
        .assert_stderr_contains("`--timeout` must be a positive number of seconds");
}
