//! Operator precedence, from lowest to highest: `or`, `and`, comparisons and string
//! predicates (with `in` and `between`), `+ -`, `* / %`, unary `- +`, then `.member` and
//! `[index]`. Every operator is left-associative.

mod common;

use common::{expr, parse_err, tree};
use kql_parser::ast::{BinaryOp, Case, ExprKind, ListOp, Negation, StringOp, StringOpKind};

fn shape(text: &str) -> String {
    tree(&expr(text))
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(shape("a or b and c"), "(a or (b and c))");
    assert_eq!(shape("a and b or c"), "((a and b) or c)");
    assert_eq!(shape("a or b or c"), "((a or b) or c)");
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(shape("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(shape("1 * 2 + 3"), "((1 * 2) + 3)");
    assert_eq!(shape("8 / 4 % 3 - 1"), "(((8 / 4) % 3) - 1)");
    assert_eq!(shape("1 - 2 - 3"), "((1 - 2) - 3)");
}

#[test]
fn unary_minus_binds_tightest() {
    assert_eq!(shape("-x"), "(-x)");
    assert_eq!(shape("-x * 2"), "((-x) * 2)");
    assert_eq!(shape("a - -b"), "(a - (-b))");
    assert_eq!(shape("- - x"), "(-(-x))");
    assert_eq!(shape("+x"), "(+x)");
    assert_eq!(shape("-x.y[0]"), "(-x.y[0])");
}

#[test]
fn comparisons_bind_tighter_than_and() {
    assert_eq!(shape("a == 1 and b != 2"), "((a == 1) and (b != 2))");
    assert_eq!(
        shape("a < b and c >= d or e <= f"),
        "(((a < b) and (c >= d)) or (e <= f))"
    );
    assert_eq!(shape("a + 1 > b * 2"), "((a + 1) > (b * 2))");
    assert_eq!(
        shape("a =~ 'x' or a !~ 'y'"),
        "((a =~ \"x\") or (a !~ \"y\"))"
    );
}

#[test]
fn string_predicates_sit_with_comparisons() {
    assert_eq!(
        shape("s has 'a' and t contains 'b'"),
        "((s has \"a\") and (t contains \"b\"))"
    );
    assert_eq!(
        shape("x matches regex p or y matches regex q"),
        "((x matches regex p) or (y matches regex q))"
    );
    assert_eq!(shape("a + b has 'c'"), "((a + b) has \"c\")");
}

#[test]
fn in_and_between_sit_with_comparisons() {
    assert_eq!(shape("a in (1, 2) and b"), "((a in [1, 2]) and b)");
    assert_eq!(shape("a + 1 in (2)"), "((a + 1) in [2])");
    assert_eq!(shape("a and b in (1)"), "(a and (b in [1]))");
    assert_eq!(shape("x between (1 .. 2) or y"), "((x between 1..2) or y)");
    assert_eq!(
        shape("x + 1 !between (a * 2 .. b)"),
        "((x + 1) between (a * 2)..b)"
    );
}

#[test]
fn parentheses_group_and_are_kept() {
    assert_eq!(shape("(a or b) and c"), "([(a or b)] and c)");
    assert_eq!(shape("(1 + 2) * 3"), "([(1 + 2)] * 3)");
    assert_eq!(expr("(a or b) and c").to_string(), "(a or b) and c");
}

#[test]
fn not_is_a_function() {
    assert_eq!(shape("not(a) and b"), "(not(a) and b)");
    assert_eq!(shape("not(a or b)"), "not((a or b))");
    let error = parse_err("T | where not x");
    assert_eq!(
        error.hints,
        ["`not` is a function in KQL: write `not(...)`"]
    );
}

#[test]
fn every_comparison_operator() {
    for (text, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::NotEq),
        ("<>", BinaryOp::NotEq),
        ("=~", BinaryOp::EqCi),
        ("!~", BinaryOp::NotEqCi),
        ("<", BinaryOp::Lt),
        ("<=", BinaryOp::Le),
        (">", BinaryOp::Gt),
        (">=", BinaryOp::Ge),
    ] {
        let ExprKind::Binary { op: parsed, .. } = expr(&format!("a {text} b")).kind else {
            panic!("{text}")
        };
        assert_eq!(parsed, op, "{text}");
    }
}

#[test]
fn every_string_operator_with_its_negated_and_case_sensitive_forms() {
    let kinds = [
        ("has", StringOpKind::Has),
        ("hasprefix", StringOpKind::HasPrefix),
        ("hassuffix", StringOpKind::HasSuffix),
        ("contains", StringOpKind::Contains),
        ("startswith", StringOpKind::StartsWith),
        ("endswith", StringOpKind::EndsWith),
    ];
    for (name, kind) in kinds {
        for (bang, negation) in [("", Negation::Plain), ("!", Negation::Negated)] {
            for (cs, case) in [("", Case::Insensitive), ("_cs", Case::Sensitive)] {
                let text = format!("{bang}{name}{cs}");
                let parsed = expr(&format!("s {text} 'x'"));
                let ExprKind::Binary {
                    op: BinaryOp::String(op),
                    ..
                } = parsed.kind
                else {
                    panic!("{text}")
                };
                assert_eq!(
                    op,
                    StringOp {
                        kind,
                        case,
                        negation
                    },
                    "{text}"
                );
                assert_eq!(op.text(), text);
            }
        }
    }
}

#[test]
fn matches_regex_tolerates_any_whitespace_between_its_words() {
    for text in [
        "s matches regex p",
        "s matches   regex p",
        "s matches\n  regex p",
    ] {
        let ExprKind::Binary {
            op: BinaryOp::String(op),
            ..
        } = expr(text).kind
        else {
            panic!("{text}")
        };
        assert_eq!(op.kind, StringOpKind::MatchesRegex);
        assert_eq!(op.case, Case::Sensitive);
    }
    assert_eq!(expr("s matches\tregex p").to_string(), "s matches regex p");
}

#[test]
fn every_list_operator() {
    for (text, op) in [
        ("in", ListOp::In),
        ("!in", ListOp::NotIn),
        ("in~", ListOp::InCi),
        ("!in~", ListOp::NotInCi),
        ("has_any", ListOp::HasAny),
        ("has_all", ListOp::HasAll),
    ] {
        let ExprKind::List {
            op: parsed, items, ..
        } = expr(&format!("x {text} ('a', 'b')")).kind
        else {
            panic!("{text}")
        };
        assert_eq!(parsed, op);
        assert_eq!(items.len(), 2);
    }
}

#[test]
fn list_operators_take_tabular_expressions_and_dynamic_arrays() {
    assert_eq!(
        expr("x in (T | project y)").to_string(),
        "x in (T | project y)"
    );
    assert_eq!(
        shape("x has_any (dynamic(['a', 'b']))"),
        "(x has_any [dynamic([\"a\", \"b\"])])"
    );
    assert_eq!(shape("x in ()"), "(x in [])");
}

#[test]
fn between_and_its_negation() {
    let ExprKind::Between { negated, .. } = expr("x between (1 .. 10)").kind else {
        panic!()
    };
    assert_eq!(negated, Negation::Plain);
    let ExprKind::Between { negated, .. } = expr("x !between (1 .. 10)").kind else {
        panic!()
    };
    assert_eq!(negated, Negation::Negated);
    assert_eq!(
        expr("t between (datetime(2024-01-01)..datetime(2024-02-01))").to_string(),
        "t between (datetime(2024-01-01) .. datetime(2024-02-01))"
    );
}

#[test]
fn member_and_index_accessors_chain() {
    assert_eq!(shape("a.b.c"), "a.b.c");
    assert_eq!(shape("a['k'].d[0]"), "a[\"k\"].d[0]");
    assert_eq!(shape("parse_json(x).Foo"), "parse_json(x).Foo");
    assert_eq!(shape("bag.[key]"), "bag[key]");
}

#[test]
fn function_calls_take_named_and_star_arguments() {
    let ExprKind::Call { name, args } = expr("f(a, b = 2, *)").kind else {
        panic!()
    };
    assert_eq!(name.name, "f");
    assert_eq!(args.len(), 3);
    assert_eq!(
        args[1].name.as_ref().map(|name| name.name.as_str()),
        Some("b")
    );
    assert_eq!(args[2].value.kind, ExprKind::Star);
    assert_eq!(expr("f()").to_string(), "f()");
    assert_eq!(
        expr("arg_max(TimeGenerated, *)").to_string(),
        "arg_max(TimeGenerated, *)"
    );
    // A named argument is `name = value`; `name == value` is a comparison.
    let ExprKind::Call { args, .. } = expr("iff(a == 1, 'x', 'y')").kind else {
        panic!()
    };
    assert!(args[0].name.is_none());
}

#[test]
fn printing_keeps_the_structure() {
    for text in [
        "a or b and c",
        "(a or b) and c",
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "-(-1)",
        "a - -b",
        "not(a and b) or c",
        "x in (1, 2) and y !in~ (\"a\")",
        "a.b[0].c",
    ] {
        assert_eq!(expr(text).to_string(), text);
    }
}
