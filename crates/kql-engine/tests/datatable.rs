//! `datatable` (https://learn.microsoft.com/kusto/query/datatable-operator): its values.

mod common;

use common::{expect, query_error, query_rows};
use kql_parser::DiagnosticKind;

/// Values are literals, signed numbers included; an expression is an error, as in Kusto
/// (`r1-type-casts-coercion/agent-type-casts-coercion-0013`, Kusto.Language's `ParseLiteral`).
#[test]
fn datatable_values_are_literals() {
    let query = "datatable(a:long, b:timespan, c:real, d:dynamic, e:int)\
                 [-1, -1h, -0.5, dynamic([1]), int(null)]";
    assert_eq!(
        query_rows(query),
        expect(&[&["-1", "-01:00:00", "-0.5", "[1]", "null"]])
    );
    for query in [
        "datatable(r:real)[0.0/0.0]",
        "datatable(a:long)[1 + 1]",
        "datatable(a:long)[toint(2)]",
    ] {
        let error = query_error(query);
        assert_eq!(error.kind, DiagnosticKind::Semantic, "{query}");
        assert_eq!(
            error.message, "`datatable` values must be literals",
            "{query}"
        );
    }
}
