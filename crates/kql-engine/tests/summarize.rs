//! `summarize` (https://learn.microsoft.com/kusto/query/summarize-operator): how it reports
//! expressions it cannot compute.

mod common;

use common::{expect, query_error, query_rows};
use kql_parser::DiagnosticKind;

/// `binary_all_or` is a Kusto aggregate kql lacks (K:binary-all-or-aggregation-function):
/// called inside a scalar function it is reported as not supported, with the other function
/// kql lacks, not as a misuse of `summarize` (`binary-all-or-aggregation-function-00`).
#[test]
fn an_unknown_aggregate_inside_an_expression_is_not_supported() {
    let error = query_error(
        "datatable(num:long)[1, 2] | summarize result = toupper(tohex(binary_all_or(num)))",
    );
    assert_eq!(error.kind, DiagnosticKind::NotSupported);
    assert_eq!(
        error.message,
        "calling `binary_all_or` and `tohex` is not supported yet"
    );
    // Without any aggregate, known functions are still a misuse.
    let error = query_error("datatable(num:long)[1, 2] | summarize result = abs(num)");
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    let error = query_error("datatable(num:long)[1, 2] | summarize result = ago(1d)");
    assert_eq!(error.kind, DiagnosticKind::Semantic);
}

/// A function kql lacks is reported as not supported before its arguments are bound, so a
/// `*` argument it would accept is not called a misuse (`estimate-data-size-function-00`,
/// K:estimate-data-size-function).
#[test]
fn an_unknown_function_with_a_star_argument_is_not_supported() {
    let error =
        query_error("range x from 1 to 10 step 1 | summarize Total = sum(estimate_data_size(*))");
    assert_eq!(error.kind, DiagnosticKind::NotSupported);
    assert_eq!(
        error.message,
        "the function `estimate_data_size` is not supported yet"
    );
}

/// `count as Name` names the count column (Kusto.Language's binder;
/// `EndToEndTests.CountAs_Works`); plain `count` calls it `Count` (K:count-operator).
#[test]
fn count_as_names_the_column() {
    let query = "datatable(x:long)[1, 2, 3] | count as abc";
    assert_eq!(query_rows(query), expect(&[&["3"]]));
    let result = kql_engine::Engine::new()
        .run(query)
        .expect("the query runs");
    assert_eq!(common::names(&result.tables[0]), ["abc"]);
    let result = kql_engine::Engine::new()
        .run("print 1 | count")
        .expect("the query runs");
    assert_eq!(common::names(&result.tables[0]), ["Count"]);
}
