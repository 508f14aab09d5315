//! Names: identifiers, bracketed names, and case-sensitive keywords.

mod common;

use common::{expr, operator, parse, parse_err, position};
use kql_parser::ast::{ExprKind, Literal, OperatorKind};

fn name(text: &str) -> String {
    match expr(text).kind {
        ExprKind::Name(ident) => ident.name,
        other => panic!("`{text}` is not a name: {other:?}"),
    }
}

#[test]
fn identifiers_with_digits_underscores_and_dollars() {
    assert_eq!(name("TimeGenerated"), "TimeGenerated");
    assert_eq!(name("ProcessCommandLine2"), "ProcessCommandLine2");
    assert_eq!(name("_private"), "_private");
    assert_eq!(name("$left"), "$left");
    assert_eq!(name("Deobf_CommandLine"), "Deobf_CommandLine");
}

#[test]
fn identifiers_may_start_with_digits_when_a_letter_follows() {
    assert_eq!(name("5h_MovingAvg"), "5h_MovingAvg");
    assert_eq!(name("1w"), "1w");
    assert_eq!(expr("5h_MovingAvg").to_string(), "[\"5h_MovingAvg\"]");
}

#[test]
fn bracketed_names_hold_any_text() {
    assert_eq!(name("['some number']"), "some number");
    assert_eq!(name("[\"1day\"]"), "1day");
    assert_eq!(name("['where']"), "where");
    assert_eq!(name("['a.b-c']"), "a.b-c");
    assert_eq!(name("[ 'spaced' ]"), "spaced");
    assert_eq!(name("[@'C:\\x']"), "C:\\x");
}

#[test]
fn bracketed_names_print_back_only_when_needed() {
    assert_eq!(expr("['Plain']").to_string(), "Plain");
    assert_eq!(expr("['my col']").to_string(), "[\"my col\"]");
    assert_eq!(expr("['and']").to_string(), "[\"and\"]");
    assert_eq!(expr("['true']").to_string(), "[\"true\"]");
}

#[test]
fn an_empty_bracketed_name_is_an_error() {
    let text = "T | project ['']";
    let error = parse_err(text);
    assert_eq!(error.message, "a name cannot be empty");
    assert_eq!(position(text, &error), (1, 13));
}

#[test]
fn a_bracketed_let_name_is_usable_later() {
    let query = parse("let ['some number'] = 20;\nrange y from 0 to ['some number'] step 5");
    assert_eq!(query.statements.len(), 2);
    assert_eq!(
        query.to_string(),
        "let [\"some number\"] = 20;\nrange y from 0 to [\"some number\"] step 5"
    );
}

#[test]
fn keywords_are_names_where_no_keyword_fits() {
    let OperatorKind::Project(columns) = operator("project count, kind, by1, typeof, with").kind
    else {
        panic!()
    };
    let names: Vec<String> = columns
        .iter()
        .map(|column| column.value.to_string())
        .collect();
    // `with` is printed in brackets: after `parse ... with` it would read as the keyword.
    assert_eq!(names, ["count", "kind", "by1", "typeof", "[\"with\"]"]);
}

#[test]
fn member_names_may_be_keywords() {
    assert_eq!(expr("x.where").to_string(), "x.[\"where\"]");
    assert_eq!(expr("x.and.or").to_string(), "x.[\"and\"].[\"or\"]");
    assert_eq!(
        expr("EventData.['Command Line']").to_string(),
        "EventData.[\"Command Line\"]"
    );
}

#[test]
fn operator_keywords_are_case_sensitive() {
    let text = "SecurityEvent\n| WHERE EventID == 4688";
    let error = parse_err(text);
    assert_eq!(
        error.message,
        "expected a tabular operator such as `where`, found `WHERE`"
    );
    assert_eq!(position(text, &error), (2, 3));
    assert_eq!(error.hints, ["keywords are case-sensitive: write `where`"]);
    for text in [
        "T | Where x",
        "T | Extend x = 1",
        "T | Project x",
        "T | TAKE 1",
    ] {
        let error = parse_err(text);
        assert!(
            error.hints[0].starts_with("keywords are case-sensitive"),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn logical_keywords_are_case_sensitive() {
    let text = "T | where a AND b";
    let error = parse_err(text);
    assert_eq!(position(text, &error), (1, 13));
    assert_eq!(error.hints, ["keywords are case-sensitive: write `and`"]);
    // `Or` is a name, so `a Or b` is two names in a row.
    assert!(parse_err("T | where a Or b").hints[0].contains("`or`"));
}

#[test]
fn statement_keywords_are_case_sensitive() {
    let error = parse_err("Let x = 1;\nT");
    assert!(
        error.hints.iter().any(|hint| hint.contains("`let`")),
        "{error:?}"
    );
}

#[test]
fn keywords_do_not_match_the_start_of_longer_names() {
    let OperatorKind::Where(predicate) = operator("where whereabouts == 1").kind else {
        panic!()
    };
    assert_eq!(predicate.to_string(), "whereabouts == 1");
    let OperatorKind::Extend(columns) = operator("extend andy = orders + notes").kind else {
        panic!()
    };
    assert_eq!(columns[0].to_string(), "andy = orders + notes");
    // `truest` is a name, `true` a literal.
    assert_eq!(name("truest"), "truest");
    assert_eq!(expr("true").kind, ExprKind::Literal(Literal::Bool(true)));
}

#[test]
fn statement_keywords_alone_are_not_table_names() {
    for text in ["union", "range", "set"] {
        let error = parse_err(text);
        assert!(
            error.message.starts_with("expected"),
            "{text}: {}",
            error.message
        );
    }
    // A function that happens to be called `range` is still a call.
    parse("print x = range(1, 5, 1)");
    parse("let r = range(1.0, 10, 1);\nprint r");
}

#[test]
fn names_round_trip_through_brackets() {
    parse("T | project ['Account Name'] = Account, ['1st'] = 1, ['$weird'] = 2");
    parse("T | extend ['by'] = 1 | summarize count() by ['by']");
    parse("T | project-rename ['new name'] = ['old name']");
    parse("datatable(['a b']:string, boolean_col:boolean) ['x', true]");
}

#[test]
fn some_keywords_cannot_name_a_column_without_brackets() {
    // Kusto rejects `extend first = ...`, `extend has = ...`, `extend where = ...` and a
    // `parse` column `to:string` (conformance cases `test-reg2/l-negidx`,
    // `r3-null-and-edge/agent-null-and-edge-0024`, `r2-parse-search/agent-parse-search-0042`),
    // as Kusto.Language does for keywords that cannot be identifiers
    // (https://learn.microsoft.com/kusto/query/schema-entities/entity-names).
    for query in [
        "print d = 1 | extend last = d",
        "print first = 1",
        "print x = 1 | project asc = x, desc = x",
        "print x = 1 | extend has = x",
        "print x = 1 | extend where = x",
        "print x = 1 | summarize by to = x",
        "print s = 'a b' | parse s with a:string ' ' to:string",
    ] {
        let error = parse_err(query);
        assert!(
            error
                .message
                .contains("is a keyword: it cannot name a column"),
            "{query}: {}",
            error.message
        );
        assert!(error.hints[0].starts_with("write `['"), "{query}");
    }
    // Brackets make them names, and they print back bracketed.
    let query = parse("print ['first'] = 1, ['where'] = 2");
    assert!(
        query
            .to_string()
            .contains("[\"first\"] = 1, [\"where\"] = 2")
    );
    // Keywords Kusto accepts as column names stay plain names.
    parse("print x = 1 | extend from = x, order = x, select = x, table = x, step = x");
}
