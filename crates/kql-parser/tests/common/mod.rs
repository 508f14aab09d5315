//! Helpers shared by the parser's integration tests.

#![allow(dead_code)]

use kql_parser::ast::{Expr, ExprKind, Literal, Operator, Query, StatementKind};
use kql_parser::{Diagnostic, line_col};

/// Parses `text`, panicking with the rendered diagnostic when it fails, and checks the
/// round trip: the printed query parses back to the same AST, and printing is a fixed point.
pub fn parse(text: &str) -> Query {
    let query = match kql_parser::parse(text) {
        Ok(query) => query,
        Err(error) => panic!(
            "expected to parse:\n{text}\n{}",
            error.render(text, "query")
        ),
    };
    assert_round_trip(&query);
    query
}

/// Checks `parse(display(ast)) == ast` and `display(parse(display(ast))) == display(ast)`.
pub fn assert_round_trip(query: &Query) {
    let printed = query.to_string();
    let reparsed = match kql_parser::parse(&printed) {
        Ok(reparsed) => reparsed,
        Err(error) => panic!(
            "the printed query does not parse:\n{}",
            error.render(&printed, "printed")
        ),
    };
    assert_eq!(
        &reparsed, query,
        "the printed query has another AST:\n{printed}"
    );
    assert_eq!(
        reparsed.to_string(),
        printed,
        "printing is not a fixed point"
    );
}

/// Parses `text`, which must fail, and returns the diagnostic.
pub fn parse_err(text: &str) -> Diagnostic {
    match kql_parser::parse(text) {
        Ok(query) => panic!("expected an error for:\n{text}\nparsed as:\n{query}"),
        Err(error) => error,
    }
}

/// The line and column where the diagnostic's primary span starts.
pub fn position(text: &str, error: &Diagnostic) -> (usize, usize) {
    let span = error.span.unwrap_or_else(|| panic!("no span: {error:?}"));
    line_col(text, span.start)
}

/// The single expression of `print <text>`.
pub fn expr(text: &str) -> Expr {
    let query = parse(&format!("print {text}"));
    let Some(statement) = query.statements.into_iter().next() else {
        panic!("no statement")
    };
    let StatementKind::Expr(Expr {
        kind: ExprKind::Print(mut columns),
        ..
    }) = statement.kind
    else {
        panic!("not a print statement")
    };
    assert_eq!(columns.len(), 1, "expected one expression in {text}");
    columns.remove(0).value
}

/// The literal of `print <text>`.
pub fn literal(text: &str) -> Literal {
    match expr(text).kind {
        ExprKind::Literal(literal) => literal,
        other => panic!("`{text}` is not a literal: {other:?}"),
    }
}

/// The string value of the literal `text`.
pub fn string(text: &str) -> String {
    match literal(text) {
        Literal::String(string) => string.value,
        other => panic!("`{text}` is not a string: {other:?}"),
    }
}

/// The operators of the single pipeline in `text`, first to last.
pub fn operators(text: &str) -> Vec<Operator> {
    let query = parse(text);
    let Some(statement) = query.statements.into_iter().last() else {
        panic!("no statement")
    };
    let StatementKind::Expr(mut expr) = statement.kind else {
        panic!("not an expression")
    };
    let mut operators = Vec::new();
    while let ExprKind::Pipe { input, operator } = expr.kind {
        operators.push(*operator);
        expr = *input;
    }
    operators.reverse();
    operators
}

/// The one operator of `T | <text>`.
pub fn operator(text: &str) -> Operator {
    let mut operators = operators(&format!("T | {text}"));
    assert_eq!(operators.len(), 1);
    operators.remove(0)
}

/// An expression with every operator application in parentheses, to show its structure:
/// `a or b and c` is `(a or (b and c))`.
pub fn tree(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Binary { op, left, right } => format!("({} {op} {})", tree(left), tree(right)),
        ExprKind::Unary { operand, .. } => {
            let printed = expr.to_string();
            let sign = &printed[..1];
            format!("({sign}{})", tree(operand))
        }
        ExprKind::List { op, left, items } => {
            let items: Vec<String> = items.iter().map(tree).collect();
            format!("({} {} [{}])", tree(left), op.text(), items.join(", "))
        }
        ExprKind::Between {
            left, low, high, ..
        } => {
            format!("({} between {}..{})", tree(left), tree(low), tree(high))
        }
        ExprKind::Paren(inner) => format!("[{}]", tree(inner)),
        ExprKind::Call { name, args } => {
            let args: Vec<String> = args.iter().map(|arg| tree(&arg.value)).collect();
            format!("{}({})", name.name, args.join(", "))
        }
        ExprKind::Member { object, member } => format!("{}.{}", tree(object), member.name),
        ExprKind::Index { object, index } => format!("{}[{}]", tree(object), tree(index)),
        _ => expr.to_string(),
    }
}

/// Checks that a diagnostic reads as words: no grammar rule names such as `pipe_expr`
/// outside backticks, nothing vague.
pub fn assert_in_words(error: &Diagnostic) {
    let mut texts = vec![error.message.clone()];
    texts.extend(error.hints.iter().cloned());
    texts.extend(error.labels.iter().map(|label| label.message.clone()));
    texts.extend(error.span_label.iter().cloned());
    for text in texts {
        let outside: String = text.split('`').step_by(2).collect::<Vec<_>>().concat();
        assert!(!outside.contains('_'), "a rule name leaks into {text:?}");
        assert!(!text.contains("something else"), "vague message {text:?}");
        assert!(
            !text.contains("EOI") && !text.contains("SOI"),
            "pest name in {text:?}"
        );
        let first = text.chars().next().unwrap_or('a');
        assert!(!first.is_uppercase(), "messages start lowercase: {text:?}");
        assert!(
            !text.ends_with('.'),
            "messages end without a period: {text:?}"
        );
    }
}

/// Runs `f` on a thread with a 2 MiB stack, the size of a test thread.
pub fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap_or_else(|error| panic!("cannot spawn a thread: {error}"));
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
