//! `extend` (https://learn.microsoft.com/kusto/query/extend-operator): what its expressions
//! see.

mod common;

use common::{expect, query_error, query_rows};

/// Each expression of one `extend` sees the input's columns only. Kusto rejects a reference
/// to a column the same `extend` defines (conformance cases such as
/// `r2-dynamic-json/agent-dynamic-json-0023`, `r3-datetime-timespan/agent-datetime-timespan-
/// 0014`), and `extend a = c, c = a` swaps with the input's `a`
/// (`r3-nested-pipelines-let-cte/agent-nested-pipelines-let-cte-0021`). `serialize` binds
/// its columns the same way (`r2-window-series-scan/agent-window-series-scan-0002`).
#[test]
fn extend_expressions_see_only_the_input() {
    let query = "datatable(a:long, b:long, c:long)[1, 2, 3] | extend a = c, c = a";
    assert_eq!(query_rows(query), expect(&[&["3", "2", "1"]]));
    for query in [
        "print x = 1 | extend m = x + 1, j = m * 2",
        "print x = 1 | serialize m = x + 1, j = m * 2",
    ] {
        let error = query_error(query);
        assert!(
            error
                .message
                .ends_with("failed to resolve scalar expression named `m`"),
            "{query}: {}",
            error.message
        );
    }
    // A second `extend` sees the first one's columns.
    let query = "print x = 1 | extend m = x + 1 | extend j = m * 2";
    assert_eq!(query_rows(query), expect(&[&["1", "2", "4"]]));
}
