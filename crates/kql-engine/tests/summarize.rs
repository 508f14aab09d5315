//! `summarize` (https://learn.microsoft.com/kusto/query/summarize-operator): how it reports
//! expressions it cannot compute.

mod common;

use common::query_error;
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
