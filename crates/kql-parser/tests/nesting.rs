//! Deeply nested input gives a clear error or a result, never a stack overflow. Each case
//! runs on a thread with a 2 MiB stack, the size of a test thread, in debug builds too.

mod common;

use common::{assert_in_words, assert_round_trip, on_small_stack, position};
use kql_parser::{MAX_DEPTH, MAX_NESTING};

/// Parses `text` on a small stack; on success also prints, reparses and compares.
fn outcome(text: String) -> Result<usize, (String, (usize, usize))> {
    on_small_stack(move || match kql_parser::parse(&text) {
        Ok(query) => {
            assert_round_trip(&query);
            Ok(query.to_string().len())
        }
        Err(error) => {
            assert_in_words(&error);
            Err((error.message.clone(), position(&text, &error)))
        }
    })
}

fn rejected(text: String) -> (String, (usize, usize)) {
    match outcome(text) {
        Ok(_) => panic!("expected the nesting to be refused"),
        Err(error) => error,
    }
}

const DEEP: usize = 10_000;

#[test]
fn ten_thousand_parentheses() {
    let text = format!("print {}1{}", "(".repeat(DEEP), ")".repeat(DEEP));
    let (message, at) = rejected(text);
    assert_eq!(
        message,
        format!("brackets nest more than {MAX_NESTING} levels deep")
    );
    assert_eq!(at, (1, 7 + MAX_NESTING));
}

#[test]
fn ten_thousand_open_brackets() {
    let (message, _) = rejected(format!("print x{}", "[".repeat(DEEP)));
    assert_eq!(
        message,
        format!("brackets nest more than {MAX_NESTING} levels deep")
    );
    let (message, _) = rejected(format!("print dynamic({}", "[".repeat(DEEP)));
    assert!(message.starts_with("brackets nest"));
}

#[test]
fn ten_thousand_unary_minus_signs() {
    let (message, at) = rejected(format!("print {}x", "- ".repeat(DEEP)));
    assert_eq!(
        message,
        format!("unary `-` and `+` signs nest more than {MAX_NESTING} levels deep")
    );
    assert_eq!(at, (1, 7 + 2 * MAX_NESTING));
    let (message, _) = rejected(format!("print {}x", "-".repeat(DEEP)));
    assert!(message.starts_with("unary"));
    let (message, _) = rejected(format!("print {}x", "+-".repeat(DEEP)));
    assert!(message.starts_with("unary"));
}

#[test]
fn ten_thousand_not_calls() {
    let text = format!("T | where {}x{}", "not(".repeat(DEEP), ")".repeat(DEEP));
    let (message, _) = rejected(text);
    assert!(message.starts_with("brackets nest"));
}

#[test]
fn signs_and_brackets_count_together() {
    let (message, _) = rejected(format!("print {}1{}", "-(".repeat(DEEP), ")".repeat(DEEP)));
    assert!(message.contains("nest more than"));
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let n = MAX_NESTING;
    assert!(outcome(format!("print {}1{}", "(".repeat(n), ")".repeat(n))).is_ok());
    assert!(outcome(format!("print {}x", "- ".repeat(n))).is_ok());
    assert!(outcome(format!("T | where {}x{}", "not(".repeat(n), ")".repeat(n))).is_ok());
    let half = n / 2;
    let calls = format!("print {}1{}", "f(-".repeat(half), ")".repeat(half));
    assert!(outcome(calls).is_ok());
    let arrays = format!("print dynamic({}1{})", "[".repeat(n - 1), "]".repeat(n - 1));
    assert!(outcome(arrays).is_ok());
    assert!(outcome(format!("print {}1{}", "(".repeat(n + 1), ")".repeat(n + 1))).is_err());
}

#[test]
fn deep_subqueries_up_to_the_limit_parse() {
    // Each level goes through a tabular operator, the heaviest path through the builders.
    let n = MAX_NESTING;
    let cases = [
        format!("T{}{}", " | join (T".repeat(n), ") on a".repeat(n)),
        format!("T{}{}", " | union (T".repeat(n), ")".repeat(n)),
        format!("T{}{}", " | where x in (T".repeat(n), ")".repeat(n)),
        format!(
            "T{}{}",
            " | summarize count() by bin(x, toscalar(T".repeat(n / 2),
            "))".repeat(n / 2)
        ),
        format!("{}1{}", "let f = () {".repeat(n / 2), "};f()".repeat(n / 2)),
    ];
    for text in cases {
        assert!(outcome(text).is_ok());
    }
}

#[test]
fn a_quote_in_raw_literal_text_does_not_hide_brackets() {
    let (message, _) = rejected(format!(
        "print datetime(') + {}1{}",
        "(".repeat(DEEP),
        ")".repeat(DEEP)
    ));
    assert!(message.starts_with("brackets nest"));
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let brackets = "(".repeat(DEEP);
    let text = format!(
        "print '{brackets}', @\"{brackets}\", ```{brackets}```, ~~~{brackets}~~~ // {brackets}\n"
    );
    assert!(outcome(text).is_ok());
}

#[test]
fn ten_thousand_piped_operators() {
    let (message, _) = rejected(format!("T{}", "\n| where x".repeat(DEEP)));
    assert_eq!(
        message,
        format!("the query nests more than {MAX_DEPTH} levels deep")
    );
}

#[test]
fn long_operator_and_accessor_chains() {
    // Chains nest in the AST too; past `MAX_DEPTH` they are refused. (Shorter than the
    // other cases: debug builds of pest parse them slowly.)
    const LONG: usize = 3_000;
    let cases = [
        format!("print x{}", " + x".repeat(LONG)),
        format!("T | where x{}", " or x".repeat(LONG)),
        format!("T | where x == 1{}", " and y == 2".repeat(LONG)),
        format!("print x{}", ".a".repeat(LONG)),
        format!("print x{}", "[0]".repeat(LONG)),
        format!("print x{}", " in (1)".repeat(LONG)),
    ];
    for text in cases {
        let (message, _) = rejected(text);
        assert!(
            message.starts_with("the query nests more than"),
            "{message}"
        );
    }
}

#[test]
fn long_chains_within_the_limit_parse_print_and_compare() {
    // Printing, comparing and dropping these trees must fit in the small stack too.
    assert!(outcome(format!("T{}", "\n| where x".repeat(900))).is_ok());
    assert!(outcome(format!("T | where x{}", " or x".repeat(900))).is_ok());
    assert!(outcome(format!("print x{}", ".a".repeat(900))).is_ok());
    assert!(outcome(format!("T | where x == 1{}", " or y == 2".repeat(450))).is_ok());
}

#[test]
fn wide_queries_are_not_deep() {
    let columns: Vec<String> = (0..5_000).map(|i| format!("c{i} = {i}")).collect();
    assert!(outcome(format!("T | extend {}", columns.join(", "))).is_ok());
    let items: Vec<String> = (0..5_000).map(|i| format!("'ioc{i}'")).collect();
    assert!(outcome(format!("T | where x in~ ({})", items.join(", "))).is_ok());
    assert!(outcome("let x = 1;\n".repeat(5_000) + "print x").is_ok());
}
