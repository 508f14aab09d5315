//! One malformed variant per construct: each must fail with a diagnostic in words, at the
//! right line and column.

mod common;

use common::{assert_in_words, parse, parse_err, position};

/// `(query, (line, column), message)`.
const CASES: &[(&str, (usize, usize), &str)] = &[
    // Operators.
    (
        "SecurityEvent\n| where",
        (2, 8),
        "expected an expression, found the end of the query",
    ),
    (
        "T\n| take 10\n| where x ==",
        (3, 13),
        "expected an expression, found the end of the query",
    ),
    (
        "T\n| where a or",
        (2, 13),
        "expected an expression, found the end of the query",
    ),
    (
        "T\n|",
        (2, 2),
        "expected a tabular operator such as `where`, found the end of the query",
    ),
    (
        "T\n| summarise count() by Computer",
        (2, 3),
        "expected a tabular operator such as `where`, found `summarise`",
    ),
    (
        "T\n| WHERE x == 1",
        (2, 3),
        "expected a tabular operator such as `where`, found `WHERE`",
    ),
    (
        "T\n| make-series count() on t step 1h",
        (2, 3),
        "the `make-series` operator is not supported yet",
    ),
    (
        "T\n| sort Computer",
        (2, 8),
        "expected `by`, found `Computer`",
    ),
    (
        "T\n| top 10 TimeGenerated",
        (2, 10),
        "expected an operator or `by`, found `TimeGenerated`",
    ),
    (
        "T\n| summarize by",
        (2, 15),
        "expected a column or `Name = expression`, found the end of the query",
    ),
    (
        "T\n| project a,",
        (2, 13),
        "expected a column or `Name = expression`, found the end of the query",
    ),
    (
        "T\n| extend = 1",
        (2, 10),
        "expected a column or `Name = expression`, found `=`",
    ),
    (
        "T\n| project-rename NewName",
        (2, 25),
        "expected `=`, found the end of the query",
    ),
    (
        "T\n| project-away",
        (2, 15),
        "expected a column name, found the end of the query",
    ),
    (
        "T\n| distinct",
        (2, 11),
        "expected `*` or an expression, found the end of the query",
    ),
    (
        "T\n| parse Message with",
        (2, 21),
        "expected a parse pattern: a string, `*` or a column, found the end of the query",
    ),
    (
        "T\n| mv-expand x to typeof(text)",
        (2, 25),
        "expected a type such as `string` or `long`, found `text`",
    ),
    (
        "T\n| count by x",
        (2, 9),
        "expected the end of the query, `;` or `|`, found `by`",
    ),
    // Joins.
    (
        "T\n| join kind=outerjoin (U) on Key",
        (2, 13),
        "unknown join kind `outerjoin`",
    ),
    (
        "T\n| join kind=inner (U) Key",
        (2, 23),
        "expected `on`, found `Key`",
    ),
    (
        "T\n| join (U)",
        (2, 11),
        "expected `on`, found the end of the query",
    ),
    (
        "T\n| lookup kind=fullouter (U) on a",
        (2, 15),
        "unknown lookup kind `fullouter`",
    ),
    (
        "T\n| union kind=full U",
        (2, 14),
        "unknown union kind `full`",
    ),
    (
        "T\n| parse kind=fuzzy x with * \"a\" A",
        (2, 14),
        "unknown parse kind `fuzzy`",
    ),
    (
        "T\n| mv-expand bagexpansion=list x",
        (2, 26),
        "unknown `bagexpansion` value `list`",
    ),
    // Brackets.
    (
        "SecurityEvent\n| where (EventID == 4688\n| take 10",
        (3, 10),
        "expected an operator, `)` or `|`, found the end of the query",
    ),
    (
        "T\n| where x in (1, 2",
        (2, 19),
        "expected an operator, `)`, `,` or `|`, found the end of the query",
    ),
    (
        "print f(a, b",
        (1, 13),
        "expected an operator, `)`, `,`, `=` or `|`, found the end of the query",
    ),
    (
        "print dynamic([1, 2",
        (1, 20),
        "expected `,` or `]`, found the end of the query",
    ),
    (
        "T\n| where x == 1)",
        (2, 15),
        "expected the end of the query, an operator, `;` or `|`, found `)`",
    ),
    (
        "T\n| where x between (1, 5)",
        (2, 21),
        "expected an operator or `..`, found `,`",
    ),
    // Expressions.
    (
        "T\n| where s matches \"x\"",
        (2, 19),
        "expected `regex`, found `\"`",
    ),
    (
        "T\n| where a && b",
        (2, 11),
        "expected the end of the query, an operator, `;` or `|`, found `&`",
    ),
    (
        "T\n| where a = 1",
        (2, 11),
        "expected the end of the query, an operator, `;` or `|`, found `=`",
    ),
    (
        "T\n| where not x",
        (2, 13),
        "expected the end of the query, an operator, `;` or `|`, found `x`",
    ),
    (
        "T\n| where a AND b",
        (2, 11),
        "expected the end of the query, an operator, `;` or `|`, found `AND`",
    ),
    // Strings.
    (
        "T\n| where CommandLine has \"bitsadmin\n| take 10",
        (2, 25),
        "unterminated string: expected a closing `\"` before the end of the line",
    ),
    (
        "print @'C:\\temp",
        (1, 7),
        "unterminated string: expected a closing `'` before the end of the line",
    ),
    (
        "print ```never closed",
        (1, 7),
        "unterminated string: expected a closing ``` before the end of the query",
    ),
    (
        "T\n| extend p = 'C:\\Windows'",
        (2, 17),
        "unknown escape sequence `\\W` in a string",
    ),
    (
        "print '\\u12'",
        (1, 8),
        "invalid escape sequence `\\u12` in a string",
    ),
    ("T | project ['']", (1, 13), "a name cannot be empty"),
    // Literals.
    ("print 1e999", (1, 7), "`1e999` is too large for a real"),
    (
        "print 99999999999999999999",
        (1, 7),
        "`99999999999999999999` does not fit in a long",
    ),
    (
        "print int(3000000000)",
        (1, 7),
        "`3000000000` does not fit in an int",
    ),
    (
        "print timespan(1 fortnight)",
        (1, 16),
        "`1 fortnight` is not a valid timespan",
    ),
    (
        "print 300000000000000000d",
        (1, 7),
        "`300000000000000000d` is too large for a timespan",
    ),
    (
        "print long(null), string(null)",
        (1, 19),
        "there is no `string(null)` in Kusto",
    ),
    (
        "datatable(a:text) [1]",
        (1, 13),
        "expected a type such as `string` or `long`, found `text`",
    ),
    // Statements.
    (
        "let a = 1;;\nT",
        (1, 11),
        "expected the end of the query or a statement, found `;`",
    ),
    (
        "let f = (x:long { x };\nprint f(1)",
        (1, 17),
        "expected `)`, `,` or `=`, found `{`",
    ),
    ("let x 1;\nT", (1, 7), "expected `=`, found `1`"),
    (
        "",
        (1, 1),
        "expected a statement, found the end of the query",
    ),
    (
        "// nothing but a comment\n",
        (1, 25),
        "expected a statement, found the end of the query",
    ),
];

#[test]
fn every_malformed_query_gets_a_diagnostic_in_words_at_the_right_place() {
    let mut failures = Vec::new();
    for (text, expected_position, message) in CASES {
        let error = parse_err(text);
        assert_in_words(&error);
        let found_position = position(text, &error);
        if error.message != *message || found_position != *expected_position {
            failures.push(format!(
                "{text:?}\n  expected {expected_position:?} {message}\n  found    \
                 {found_position:?} {}",
                error.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `(query, hint)`: the advice given for common mistakes.
const HINTS: &[(&str, &str)] = &[
    ("T | WHERE x", "keywords are case-sensitive: write `where`"),
    (
        "T | where a AND b",
        "keywords are case-sensitive: write `and`",
    ),
    ("T | summarise count()", "did you mean `summarize`?"),
    ("T | extnd x = 1", "did you mean `extend`?"),
    ("T | make-series count() on t step 1h", ""),
    ("T | mv-apply x on (take 1)", ""),
    (
        "T | where not x",
        "`not` is a function in KQL: write `not(...)`",
    ),
    ("T | where s matches 'x'", ""),
    (
        "T | where a = 1",
        "compare with `==`; a single `=` names a column",
    ),
    ("T | where a && b", "write `and` to combine conditions"),
    ("T | where a || b", "write `or` to combine conditions"),
    (
        "T | count by x",
        "to count rows per group, write `summarize count() by ...`",
    ),
    (
        "T | where x == 1)",
        "this `)` has no opening bracket to close",
    ),
    ("let a = 1;;\nT", "remove the empty statement `;;`"),
    (
        "print h```x```",
        "a ```...``` string cannot be obfuscated with `h`",
    ),
    (
        "print 'C:\\dir'",
        "write `\\\\` for a backslash, or use a verbatim string `@'...'`",
    ),
    (
        "print string(null)",
        "strings are never null: use an empty string `''`",
    ),
];

#[test]
fn common_mistakes_get_a_hint() {
    for (text, hint) in HINTS {
        let error = parse_err(text);
        assert_in_words(&error);
        if hint.is_empty() {
            continue;
        }
        assert!(
            error.hints.iter().any(|found| found == hint),
            "{text}: {:?}",
            error.hints
        );
    }
}

#[test]
fn an_unclosed_bracket_is_labelled() {
    let text = "T\n| where (a or b\n| take 1";
    let error = parse_err(text);
    assert_eq!(error.labels.len(), 1);
    assert_eq!(error.labels[0].message, "this `(` is not closed");
    assert_eq!(
        kql_parser::line_col(text, error.labels[0].span.start),
        (2, 9)
    );
}

#[test]
fn a_diagnostic_renders_with_the_line_and_a_caret() {
    let text = "SecurityEvent\n| where EventID == 4688\n| summarise count() by Computer";
    let error = parse_err(text);
    let expected = "\
error: expected a tabular operator such as `where`, found `summarise`
 --> hunt.kql:3:3
  |
3 | | summarise count() by Computer
  |   ^^^^^^^^^
  = help: did you mean `summarize`?
";
    assert_eq!(error.render(text, "hunt.kql"), expected);
}

#[test]
fn errors_after_multibyte_text_count_columns_in_characters() {
    let text = "print 'é', 'ü' |";
    let error = parse_err(text);
    assert_eq!(position(text, &error), (1, 17));
}

#[test]
fn errors_do_not_depend_on_other_threads() {
    // Syntax errors reparse with pest's error detail on, a global switch; parsing in
    // parallel must give the same messages.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for _ in 0..20 {
                    let text = if i % 2 == 0 {
                        "print f(a, b"
                    } else {
                        "T | where"
                    };
                    let error = parse_err(text);
                    let expected = if i % 2 == 0 {
                        "expected an operator, `)`, `,`, `=` or `|`, found the end of the query"
                    } else {
                        "expected an expression, found the end of the query"
                    };
                    assert_eq!(error.message, expected);
                    parse("T | where x == 1");
                }
            })
        })
        .collect();
    for handle in handles {
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
}

/// Valid Kusto operators that kql does not parse yet are "not supported", not syntax errors:
/// the query is fine, kql is not there yet.
#[test]
fn unparsed_kusto_operators_are_not_supported() {
    for text in [
        "T | make-series count() on t step 1h",
        "T | mv-apply x on (take 1)",
        "T | search 'x'",
    ] {
        let error = parse_err(text);
        assert_eq!(
            error.kind,
            kql_parser::DiagnosticKind::NotSupported,
            "{text}"
        );
        assert!(
            error.message.ends_with("operator is not supported yet"),
            "{}",
            error.message
        );
    }
}

/// Kusto syntax kql does not parse yet is reported as such, pointing at where it starts:
/// `declare pattern` (K:pattern-statement), `where * has` (K:where-operator), `extend (a,
/// b) = ...` (K:extend-operator) and `view () {...}` (K:let-statement).
#[test]
fn unparsed_kusto_syntax_is_not_supported() {
    for (text, message) in [
        (
            "declare pattern App = (a:string) { ('x') = { print 1 }; };\nApp('x')",
            "the `declare pattern` statement is not supported yet",
        ),
        (
            "T | where * has 'x'",
            "`*` as a term over every column (`where * has ...`) is not supported yet",
        ),
        (
            "T | extend (a, b) = f(x)",
            "assigning several columns at once (`extend (a, b) = ...`) is not supported yet",
        ),
        (
            "let V = view () { print x = 1 };\nV",
            "a `view` function is not supported yet",
        ),
    ] {
        let error = parse_err(text);
        assert_eq!(
            error.kind,
            kql_parser::DiagnosticKind::NotSupported,
            "{text}"
        );
        assert_eq!(error.message, message, "{text}");
    }
    // The same tokens elsewhere stay syntax errors.
    for text in [
        "T | where x has *",
        "T | extend (a + b, c)",
        "let f = () { print 1 } {",
    ] {
        assert_eq!(
            parse_err(text).kind,
            kql_parser::DiagnosticKind::Syntax,
            "{text}"
        );
    }
}
