//! Functions over a table's schema, checked against the examples of their Kusto docs pages
//! (`https://learn.microsoft.com/kusto/query/<page>`).

mod common;

use common::{expect, query_error, query_rows, query_types};

/// `column-names-of-function`: the names of a function's result columns
/// (`column-names-of-function-01`, `-02`), of a `let` table and of a pipeline.
#[test]
fn column_names_of_docs_examples() {
    let query = "let MyFunction1 = (param1:int) { print A=\"\", B=1 };\n\
                 print Columns = column_names_of(MyFunction1(1))";
    assert_eq!(query_rows(query), expect(&[&["[\"A\",\"B\"]"]]));
    assert_eq!(query_types(query), ["dynamic"]);
    let query = "let T = datatable(x:long, ['a b']:string)[]; \
                 print c = column_names_of(T), d = column_names_of(T | project y = x)";
    assert_eq!(
        query_rows(query),
        expect(&[&["[\"x\",\"a b\"]", "[\"y\"]"]])
    );
    let error = query_error("print c = column_names_of(1)");
    assert!(error.message.contains("takes a table"), "{}", error.message);
}
