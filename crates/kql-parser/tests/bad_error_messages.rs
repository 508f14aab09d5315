//! Diagnostics known to read poorly, pinned so that a change is noticed (STYLE.md §2.8).
//! When one is fixed, move its case to `tests/errors.rs`.
//!
//! Most come from Kusto syntax kql does not parse yet; the message names what the grammar
//! expected where the unsupported syntax starts, rather than the syntax itself.

mod common;

use common::{assert_in_words, parse_err};

/// `(query, current message, why it is poor)`.
const CASES: &[(&str, &str, &str)] = &[
    (
        "T | top 2 of x by y",
        "expected an operator or `by`, found `of`",
        "the `of` form is `top-nested`/`top-hitters` syntax, which kql does not parse",
    ),
    (
        "T | mv-expand",
        "expected a parameter such as `kind=` or a column or `Name = expression`, found the \
         end of the query",
        "two `or`s in one list",
    ),
    (
        "T | where b and i > 1 or not b",
        "expected the end of the query, an operator, `;` or `|`, found `b`",
        "the Kusto engine accepts `not b` without parentheses; kql only parses `not(b)`",
    ),
    (
        "print d = dynamic([1e400])",
        "`1e400` is too large for a real",
        "the Kusto engine accepts this in a dynamic literal",
    ),
];

#[test]
fn known_poor_messages_are_unchanged() {
    for (text, message, _why) in CASES {
        let error = parse_err(text);
        assert_in_words(&error);
        assert_eq!(error.message, *message, "{text}");
    }
}

#[test]
fn view_functions_get_a_hint() {
    let error = parse_err("let V = view () { print x = 1 };\nV");
    assert_eq!(
        error.hints,
        ["kql does not support `view` functions yet: remove `view`"]
    );
}
