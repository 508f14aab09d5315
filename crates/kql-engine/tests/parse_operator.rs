//! The `parse` operator (https://learn.microsoft.com/kusto/query/parse-operator): simple,
//! regex and relaxed kinds, typed columns, and the pattern's syntax.

mod common;

use common::{expect, query_error, query_rows};
use kql_parser::DiagnosticKind;

#[test]
fn simple_kind_extracts_between_strings() {
    assert_eq!(
        query_rows(r#"print s="user=alice;ttl=300" | parse s with "user=" u ";ttl=" ttl:int"#),
        expect(&[&["user=alice;ttl=300", "alice", "300"]])
    );
}

#[test]
fn regex_kind_reads_the_strings_as_regexes() {
    let query = r#"print s="v1.2.3" | parse kind=regex s with "v" a:int @"\." b:int "." c:int"#;
    assert_eq!(query_rows(query), expect(&[&["v1.2.3", "1", "2", "3"]]));
}

/// Relaxed: a value that is not of the column's type is null instead of failing the match.
#[test]
fn relaxed_kind_leaves_a_mistyped_value_null() {
    assert_eq!(
        query_rows(r#"print s="a=x1" | parse kind=relaxed s with "a=" n:long"#),
        expect(&[&["a=x1", "null"]])
    );
}

/// A string or `*` stands between two columns in Kusto's pattern syntax; Kusto rejects
/// `parse kind=regex s with c1:string n1:long ...` (`agent-parse-search-0033`, `-0034`).
#[test]
fn two_columns_in_a_row_are_an_error() {
    for kind in ["", "kind=regex ", "kind=relaxed "] {
        let query = format!(r#"print s="x1y2" | parse {kind}s with c1:string n1:long "y" n2:long"#);
        let error = query_error(&query);
        assert_eq!(error.kind, DiagnosticKind::Semantic, "{query}");
        assert!(
            error.message.contains("`n1` follows another column"),
            "{error}"
        );
        let span = error.span.expect("a span");
        assert_eq!(&query[span.start..span.end], "n1", "{query}");
    }
}
