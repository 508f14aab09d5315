//! Statements: `let` (values and functions), `set`, and the `;` between them.

mod common;

use common::{parse, parse_err, position};
use kql_parser::ast::{ExprKind, LetValue, Literal, ParamType, StatementKind};

#[test]
fn let_binds_scalars_and_tabular_expressions() {
    let query = parse("let n = 90d;\nlet T2 = SecurityEvent | where EventID == 4688;\nT2 | take n");
    assert_eq!(query.statements.len(), 3);
    let StatementKind::Let(first) = &query.statements[0].kind else {
        panic!()
    };
    assert_eq!(first.name.name, "n");
    let LetValue::Expr(value) = &first.value else {
        panic!()
    };
    assert!(matches!(
        value.kind,
        ExprKind::Literal(Literal::TimeSpan(_))
    ));
    let StatementKind::Let(second) = &query.statements[1].kind else {
        panic!()
    };
    let LetValue::Expr(value) = &second.value else {
        panic!()
    };
    assert!(matches!(value.kind, ExprKind::Pipe { .. }));
    assert!(matches!(query.statements[2].kind, StatementKind::Expr(_)));
}

#[test]
fn semicolons_on_their_own_line_and_trailing_spaces() {
    let query = parse("let a = 1\n;\nlet b = 2\n; \t \nprint a + b");
    assert_eq!(query.statements.len(), 3);
    assert_eq!(query.to_string(), "let a = 1;\nlet b = 2;\nprint a + b");
}

#[test]
fn one_trailing_semicolon_is_allowed() {
    assert_eq!(parse("T | take 1;").statements.len(), 1);
    assert_eq!(parse("let x = 1;\nprint x;\n").statements.len(), 2);
}

#[test]
fn an_empty_statement_is_rejected() {
    let text = "let x = 1;;\nprint x";
    let error = parse_err(text);
    assert_eq!(position(text, &error), (1, 11));
    assert_eq!(error.hints, ["remove the empty statement `;;`"]);
    let text = "T | take 1;\n;";
    assert_eq!(position(text, &parse_err(text)), (2, 1));
    assert_eq!(position(";", &parse_err(";")), (1, 1));
}

#[test]
fn blank_lines_and_comments_between_statements_are_whitespace() {
    let query =
        parse("// header\nlet a = 1; // after\n\n\nlet b = 2;\n\n// before\nprint a, b // end");
    assert_eq!(query.statements.len(), 3);
}

#[test]
fn several_tabular_statements_make_a_batch() {
    let query = parse("T | count;\nU | take 1");
    assert_eq!(query.statements.len(), 2);
    assert!(
        query
            .statements
            .iter()
            .all(|s| matches!(s.kind, StatementKind::Expr(_)))
    );
}

#[test]
fn set_statements_with_and_without_values() {
    let query = parse(
        "set notruncation;\nset truncationmaxrecords = 1000;\n\
         set query_now = datetime(2024-01-01);\nset query_results_cache_max_age = time(1d);\nT",
    );
    let names: Vec<String> = query
        .statements
        .iter()
        .filter_map(|statement| match &statement.kind {
            StatementKind::Set(set) => Some(set.name.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            "notruncation",
            "truncationmaxrecords",
            "query_now",
            "query_results_cache_max_age"
        ]
    );
    let StatementKind::Set(set) = &query.statements[0].kind else {
        panic!()
    };
    assert!(set.value.is_none());
}

#[test]
fn let_function_with_scalar_parameters_and_a_default() {
    let query = parse("let add = (x:long, y:long = 1) { x + y };\nprint add(2)");
    let StatementKind::Let(statement) = &query.statements[0].kind else {
        panic!()
    };
    let LetValue::Function(function) = &statement.value else {
        panic!()
    };
    assert_eq!(function.params.len(), 2);
    assert!(matches!(&function.params[0].ty, ParamType::Scalar(ty) if ty.name == "long"));
    assert_eq!(
        function.params[1].default.as_ref().map(ToString::to_string),
        Some("1".into())
    );
    assert_eq!(function.body.to_string(), "x + y");
}

#[test]
fn let_function_with_tabular_parameters() {
    let query = parse(
        "let hunt = (T:(CommandLine:string, TimeGenerated:datetime), U:(*), lookback:timespan) {\n\
         T | where TimeGenerated > ago(lookback) | union U\n};\n\
         hunt(SecurityEvent, DeviceEvents, 1d)",
    );
    let StatementKind::Let(statement) = &query.statements[0].kind else {
        panic!()
    };
    let LetValue::Function(function) = &statement.value else {
        panic!()
    };
    let ParamType::Tabular(columns) = &function.params[0].ty else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(columns[1].ty.name, "datetime");
    assert_eq!(function.params[1].ty, ParamType::Tabular(vec![]));
    assert!(matches!(&function.params[2].ty, ParamType::Scalar(ty) if ty.name == "timespan"));
}

#[test]
fn let_function_bodies_hold_statements() {
    let query = parse(
        "let f = (s:string) {\n  let p = parse_urlquery(s);\n  set notruncation;\n  \
         tostring(p['k'])\n};\nprint f('a=1')",
    );
    let StatementKind::Let(statement) = &query.statements[0].kind else {
        panic!()
    };
    let LetValue::Function(function) = &statement.value else {
        panic!()
    };
    assert_eq!(function.statements.len(), 2);
    assert_eq!(function.body.to_string(), "tostring(p[\"k\"])");
    parse("let g = () { print 1; };\ng()");
}

#[test]
fn a_parenthesised_let_value_is_not_a_function() {
    let query = parse("let x = (1 + 2);\nlet t = (T | take 1);\nprint x");
    let StatementKind::Let(statement) = &query.statements[0].kind else {
        panic!()
    };
    assert!(
        matches!(&statement.value, LetValue::Expr(expr) if matches!(expr.kind, ExprKind::Paren(_)))
    );
}

#[test]
fn broken_statements_point_at_the_problem() {
    let text = "let x 1;\nT";
    let error = parse_err(text);
    assert_eq!(position(text, &error), (1, 7));
    assert!(error.message.contains("`=`"), "{}", error.message);

    let text = "let f = (x:long { x };\nprint f(1)";
    let error = parse_err(text);
    assert_eq!(error.message, "expected `)`, `,` or `=`, found `{`");
    assert_eq!(position(text, &error), (1, 17));

    let text = "let f = (x) { x };";
    assert_eq!(position(text, &parse_err(text)), (1, 13));

    let text = "set = 1";
    assert_eq!(position(text, &parse_err(text)), (1, 5));
}

#[test]
fn statement_spans_end_at_the_last_token() {
    let text = "let a = 1 ;  \nT | take 1 ;\n";
    let query = parse(text);
    let spans: Vec<&str> = query
        .statements
        .iter()
        .map(|s| &text[s.span.start..s.span.end])
        .collect();
    assert_eq!(spans, ["let a = 1", "T | take 1"]);
}
