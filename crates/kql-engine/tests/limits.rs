//! Bounded resources: Kusto's result limits, the join row budget and the time budget.
//!
//! Kusto cuts a result at 500,000 records or 64 MB and tells the client; `set notruncation`,
//! `set truncationmaxrecords` and `set truncationmaxsize` change that
//! (<https://learn.microsoft.com/kusto/concepts/query-limits>). The join budget and the time
//! budget are kql's, so that a query from a user cannot exhaust memory or run forever.

use std::time::{Duration, Instant};

use kql_engine::{Engine, Error, Limits, Options};
use kql_parser::{Diagnostic, DiagnosticKind, Severity};

fn engine(limits: Limits) -> Engine {
    Engine::new().with_options(Options {
        limits,
        ..Options::default()
    })
}

fn only_error(error: Error) -> Diagnostic {
    match error {
        Error::Query(mut diagnostics) if diagnostics.len() == 1 => diagnostics.remove(0),
        other => panic!("expected one query diagnostic, got {other:?}"),
    }
}

/// The text a diagnostic's span covers.
fn spanned<'q>(query: &'q str, diagnostic: &Diagnostic) -> &'q str {
    let span = diagnostic.span.expect("the diagnostic has a span");
    &query[span.start..span.end]
}

#[test]
fn results_are_cut_at_500000_rows_with_a_warning() {
    let result = Engine::new()
        .run("range x from 1 to 500001 step 1")
        .unwrap();
    let table = &result.tables[0];
    assert_eq!(table.num_rows(), 500_000);
    assert!(table.truncated);
    let warning = &result.warnings[0];
    assert_eq!(warning.kind, DiagnosticKind::Limit);
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning.message.contains("first 500000 rows") && warning.message.contains("500000"),
        "{warning}"
    );

    let exact = Engine::new()
        .run("range x from 1 to 500000 step 1")
        .unwrap();
    assert_eq!(exact.tables[0].num_rows(), 500_000);
    assert!(!exact.tables[0].truncated);
    assert!(exact.warnings.is_empty());
}

#[test]
fn set_notruncation_returns_every_row() {
    let result = Engine::new()
        .run("set notruncation;\nrange x from 1 to 500001 step 1")
        .unwrap();
    assert_eq!(result.tables[0].num_rows(), 500_001);
    assert!(!result.tables[0].truncated);
    assert!(result.warnings.is_empty());
}

#[test]
fn set_truncationmaxrecords_and_maxsize() {
    let result = Engine::new()
        .run("set truncationmaxrecords = 7;\nrange x from 1 to 100 step 1")
        .unwrap();
    assert_eq!(result.tables[0].num_rows(), 7);
    assert!(result.tables[0].truncated);
    assert!(result.warnings[0].message.contains("more than 7 rows"));

    // 8 bytes a row: 100 bytes hold 12 of them.
    let result = Engine::new()
        .run("set truncationmaxsize = 100;\nrange x from 1 to 100 step 1")
        .unwrap();
    assert_eq!(result.tables[0].num_rows(), 12);
    assert!(result.warnings[0].message.contains("more than 100 bytes"));

    // Every result table of the query is cut on its own.
    let result = Engine::new()
        .run("set truncationmaxrecords = 3;\nrange x from 1 to 5 step 1;\nprint 1")
        .unwrap();
    assert_eq!(result.tables[0].num_rows(), 3);
    assert_eq!(result.tables[1].num_rows(), 1);
    assert!(!result.tables[1].truncated);
}

#[test]
fn a_bad_truncation_setting_is_an_error_at_its_value() {
    let query = "set truncationmaxrecords = -1;\nprint 1";
    let error = only_error(Engine::new().run(query).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert_eq!(spanned(query, &error), "-1");
    assert!(
        error.message.contains("non-negative whole number"),
        "{error}"
    );
}

#[test]
fn the_engine_limits_set_the_default_cut() {
    let uncut = engine(Limits {
        result_max_records: None,
        result_max_bytes: None,
        ..Limits::default()
    });
    let result = uncut.run("range x from 1 to 500001 step 1").unwrap();
    assert_eq!(result.tables[0].num_rows(), 500_001);

    let small = engine(Limits {
        result_max_records: Some(2),
        ..Limits::default()
    });
    let result = small.run("range x from 1 to 5 step 1").unwrap();
    assert_eq!(result.tables[0].num_rows(), 2);
    // The query's own setting wins, as in Kusto.
    let result = small
        .run("set truncationmaxrecords = 4;\nrange x from 1 to 5 step 1")
        .unwrap();
    assert_eq!(result.tables[0].num_rows(), 4);
}

const CROSS_JOIN: &str = "range x from 1 to 300 step 1 | extend k = 1\n\
     | join kind=inner (range y from 1 to 300 step 1 | extend k = 1) on k\n\
     | count";

#[test]
fn a_join_over_its_row_budget_fails_naming_the_join_and_its_inputs() {
    let limited = engine(Limits {
        join_max_rows: Some(50_000),
        ..Limits::default()
    });
    let error = only_error(limited.run(CROSS_JOIN).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Limit);
    assert!(spanned(CROSS_JOIN, &error).starts_with("join kind=inner"));
    assert!(
        error.message.contains("more than 50000 rows")
            && error.message.contains("left side has 300 rows")
            && error.message.contains("right side 300"),
        "{error}"
    );

    // Within the budget, the same join runs.
    let roomy = engine(Limits {
        join_max_rows: Some(90_000),
        ..Limits::default()
    });
    let result = roomy.run(CROSS_JOIN).unwrap();
    assert_eq!(common::rows(&result.tables[0]), vec![vec!["90000"]]);
}

#[test]
fn outer_join_rows_without_a_match_count_against_the_budget() {
    let limited = engine(Limits {
        join_max_rows: Some(5),
        ..Limits::default()
    });
    let query = "range x from 1 to 6 step 1\n\
                 | join kind=fullouter (range x from 10 to 12 step 1) on x";
    let error = only_error(limited.run(query).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Limit);
    assert!(spanned(query, &error).starts_with("join kind=fullouter"));
}

#[test]
fn a_spent_time_budget_cancels_the_query() {
    let instant = engine(Limits {
        time_budget: Some(Duration::ZERO),
        ..Limits::default()
    });
    let error = only_error(instant.run("print 1").unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Limit);
    assert!(error.message.contains("time budget"), "{error}");
}

#[test]
fn a_long_join_is_cancelled_soon_after_its_budget() {
    // 9 million pairs: far more work than 50 ms, even in an optimised build.
    let query = "range x from 1 to 3000 step 1 | extend k = 1\n\
                 | join kind=inner (range y from 1 to 3000 step 1 | extend k = 1) on k\n\
                 | count";
    let budget = Duration::from_millis(50);
    let limited = engine(Limits {
        time_budget: Some(budget),
        join_max_rows: None,
        ..Limits::default()
    });
    let started = Instant::now();
    let error = only_error(limited.run(query).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Limit);
    assert!(error.message.contains("time budget of 50 ms"), "{error}");
    // Cancelled during the join, not after it: the whole join takes seconds unoptimised.
    // This bound is generous on purpose; it only tells "stopped early" from "ran to the end".
    assert!(started.elapsed() < budget * 40, "{:?}", started.elapsed());
}

mod common;

#[test]
fn a_regex_too_large_to_compile_is_an_error_at_the_pattern() {
    for query in [
        "print x = 'a' matches regex @'(\\w{1000}){1000}'",
        "print x = replace_regex('aaa', strcat(@'(\\w{1000})', '{1000}'), 'b')",
    ] {
        let error = only_error(Engine::new().run(query).unwrap_err());
        assert_eq!(error.kind, DiagnosticKind::Semantic, "{query}");
        assert!(
            error.message.contains("exceeds size limit"),
            "{query}: {error}"
        );
        assert!(spanned(query, &error).contains("{1000}"), "{query}");
    }
}

/// A `range` is bounded (`MAX_RANGE_ROWS`), except that a `take` right after it makes only
/// the rows it keeps, so Kusto's answer to a huge range cut by `take` is kept
/// (`EndToEndTests.Range_Infinite_Take_5` in the conformance cases).
#[test]
fn a_huge_range_is_an_error_unless_a_take_cuts_it() {
    let query = "range x from 1 to 9999999999999999 step 2";
    let error = common::query_error(query);
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(
        error.message.contains("more than 100000000 rows"),
        "{error}"
    );
    assert_eq!(spanned(query, &error), query);
    assert_eq!(
        common::query_rows("range x from 1 to 9999999999999999 step 2 | take 3"),
        common::expect(&[&["1"], &["3"], &["5"]])
    );
    assert_eq!(
        common::query_rows("range x from 1 to 9999999999999999 step 2 | limit 1 | extend y = x"),
        common::expect(&[&["1", "1"]])
    );
}
