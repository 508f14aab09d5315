//! Window functions (`row_number`, `prev`, `next`, `row_cumsum`) and the serialized rows they
//! need, per the serialize operator's docs page
//! (https://learn.microsoft.com/kusto/query/serialize-operator) and the prev function's
//! (https://learn.microsoft.com/kusto/query/prev-function).

mod common;

use common::{expect, query_error, query_rows};
use kql_parser::DiagnosticKind;

const DATA: &str = "datatable(t:long, v:long)[3, 30, 1, 10, 2, 20]";

/// The text a diagnostic's span covers.
fn spanned(query: &str, diagnostic: &kql_parser::Diagnostic) -> String {
    let span = diagnostic.span.expect("a span");
    query[span.start..span.end].to_string()
}

#[test]
fn sorted_rows_are_numbered_in_order() {
    let query = format!("{DATA} | sort by t asc | extend n = row_number(), p = prev(v)");
    assert_eq!(
        query_rows(&query),
        expect(&[
            &["1", "10", "1", "null"],
            &["2", "20", "2", "10"],
            &["3", "30", "3", "20"]
        ])
    );
}

#[test]
fn serialize_and_range_make_serialized_rows() {
    assert_eq!(
        query_rows(&format!(
            "{DATA} | serialize n = row_number() | where n == 1 | count"
        )),
        expect(&[&["1"]])
    );
    assert_eq!(
        query_rows("range x from 1 to 3 step 1 | extend s = row_cumsum(x)"),
        expect(&[&["1", "1"], &["2", "3"], &["3", "6"]])
    );
    // `where` and `project` keep the serialization of their input.
    assert_eq!(
        query_rows(&format!(
            "{DATA} | top 2 by t | where t > 0 | project n = row_number(), t"
        )),
        expect(&[&["1", "3"], &["2", "2"]])
    );
}

/// Kusto rejects `datatable(s:string)[...] | extend idx = row_number()`
/// (`agent-nested-pipelines-let-cte-0034` in the conformance cases): a datatable, a table and
/// the output of `summarize`, `join`, `distinct`... are not serialized.
#[test]
fn window_functions_over_unserialized_rows_are_errors() {
    for (query, call) in [
        (format!("{DATA} | extend n = row_number()"), "row_number()"),
        (format!("{DATA} | where next(v) > 1"), "next(v)"),
        (
            format!("{DATA} | sort by t asc | summarize by t | extend c = row_cumsum(t)"),
            "row_cumsum(t)",
        ),
        (
            format!("{DATA} | sort by t | distinct t | project p = prev(t)"),
            "prev(t)",
        ),
    ] {
        let error = query_error(&query);
        assert_eq!(error.kind, DiagnosticKind::Semantic, "{query}");
        assert!(error.message.contains("serialized"), "{query}: {error}");
        assert_eq!(spanned(&query, &error), call, "{query}");
    }
}

/// A `let` name's rows may or may not be serialized; kql does not reject what it cannot tell.
#[test]
fn a_let_name_is_not_rejected() {
    let query = format!("let d = {DATA} | sort by t asc;\nd | extend n = row_number()");
    assert_eq!(query_rows(&query).len(), 3);
}

/// `prev(v, 1, v)` is an error in Kusto (`agent-window-series-scan-0001`, `-0003`): the
/// default is a constant.
#[test]
fn the_default_of_prev_and_next_is_a_constant() {
    let ok = format!("{DATA} | sort by t asc | extend p = prev(v, 1, -1), n = next(v, 2, 0)");
    assert_eq!(
        query_rows(&ok),
        expect(&[
            &["1", "10", "-1", "30"],
            &["2", "20", "10", "0"],
            &["3", "30", "20", "0"]
        ])
    );
    let query = format!("{DATA} | sort by t asc | extend p = prev(v, 1, v)");
    let error = query_error(&query);
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(error.message.contains("must be a constant"), "{error}");
    assert_eq!(spanned(&query, &error), "v");
}
