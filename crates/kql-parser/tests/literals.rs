//! Literals: every string form and escape, numbers, timespans, datetimes, typed nulls and
//! `dynamic`. Every parsed query also goes through the display round trip.

mod common;

use common::{expr, literal, parse_err, position, string};
use kql_parser::ast::{DynamicValue, ExprKind, Literal, TypeName};

const TICK: i64 = 1;
const MICROSECOND: i64 = 10 * TICK;
const MILLISECOND: i64 = 1_000 * MICROSECOND;
const SECOND: i64 = 1_000 * MILLISECOND;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn timespan(text: &str) -> i64 {
    match literal(text) {
        Literal::TimeSpan(ticks) => ticks,
        other => panic!("`{text}` is not a timespan: {other:?}"),
    }
}

fn typed_null(text: &str) -> String {
    match literal(text) {
        Literal::Null(TypeName { name, .. }) => name,
        other => panic!("`{text}` is not a typed null: {other:?}"),
    }
}

fn dynamic(text: &str) -> DynamicValue {
    match literal(text) {
        Literal::Dynamic(value) => value,
        other => panic!("`{text}` is not dynamic: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------

#[test]
fn single_and_double_quoted_strings_hold_the_other_quote() {
    assert_eq!(
        string(r#"'string with "double quotes"'"#),
        r#"string with "double quotes""#
    );
    assert_eq!(
        string(r#""string with 'single quotes'""#),
        "string with 'single quotes'"
    );
    assert_eq!(string("''"), "");
    assert_eq!(string(r#""""#), "");
}

#[test]
fn every_documented_escape_resolves() {
    assert_eq!(string(r#"'\'\"\\\t\n'"#), "'\"\\\t\n");
    assert_eq!(string(r#""\r\a\b\f\v""#), "\r\u{7}\u{8}\u{c}\u{b}");
}

#[test]
fn unicode_hex_and_octal_escapes_resolve() {
    assert_eq!(string(r"'\u0041\u00e9'"), "Aé");
    assert_eq!(string(r"'\U0001F600'"), "😀");
    assert_eq!(string(r"'\x41\x7e'"), "A~");
    assert_eq!(string(r"'\101\060'"), "A0");
}

#[test]
fn the_regex_example_of_the_string_docs_resolves() {
    let text = r#"'\\n.*(>|\'|=|\")[a-zA-Z0-9/+]{86}=='"#;
    assert_eq!(string(text), r#"\n.*(>|'|=|")[a-zA-Z0-9/+]{86}=="#);
}

#[test]
fn an_unknown_escape_is_an_error_at_the_backslash() {
    let text = "print x = 1\n| extend y = 'C:\\dir'";
    let error = parse_err(text);
    assert_eq!(error.message, "unknown escape sequence `\\d` in a string");
    assert_eq!(position(text, &error), (2, 17));
    assert!(error.hints[0].contains("@'...'"), "{:?}", error.hints);
}

#[test]
fn an_incomplete_or_invalid_code_escape_is_an_error() {
    assert!(parse_err(r"print '\u00'").message.contains("`\\u00`"));
    assert!(
        parse_err(r"print '\xZ1'")
            .message
            .contains("invalid escape sequence")
    );
    assert!(parse_err(r"print '\uD800'").message.contains("`\\uD800`"));
    assert!(
        parse_err(r"print '\9'")
            .message
            .contains("unknown escape sequence `\\9`")
    );
}

#[test]
fn verbatim_strings_keep_backslashes_and_double_their_quote() {
    assert_eq!(
        string(r"@'C:\Folder\filename.txt'"),
        r"C:\Folder\filename.txt"
    );
    assert_eq!(string("@'it''s'"), "it's");
    assert_eq!(string(r#"@"say ""hi""""#), r#"say "hi""#);
    assert_eq!(string(r#"@'(")+'"#), r#"(")+"#);
    assert_eq!(
        string(r#"@'(\^|(")+|\$|%|\+|("\+"))'"#),
        r#"(\^|(")+|\$|%|\+|("\+"))"#
    );
}

#[test]
fn multi_line_strings_keep_newlines_and_backslashes() {
    assert_eq!(
        string("```line one\nline 'two' \"three\" \\d\n```"),
        "line one\nline 'two' \"three\" \\d\n"
    );
    assert_eq!(string("~~~tilde\n~~~"), "tilde\n");
    assert_eq!(string("``````"), "");
}

#[test]
fn a_string_with_a_comment_marker_is_not_a_comment() {
    assert_eq!(string("'http://example.com'"), "http://example.com");
    assert_eq!(string("@\"//not a comment\""), "//not a comment");
}

#[test]
fn obfuscated_strings_have_the_plain_value() {
    for (text, value) in [
        ("h'secret'", "secret"),
        ("H\"x\"", "x"),
        ("h@'a\\b'", "a\\b"),
    ] {
        let Literal::String(string) = literal(text) else {
            panic!("{text}")
        };
        assert!(string.obfuscated, "{text}");
        assert_eq!(string.value, value);
    }
    let Literal::String(plain) = literal("'secret'") else {
        panic!()
    };
    assert!(!plain.obfuscated);
}

#[test]
fn a_multi_line_string_cannot_be_obfuscated() {
    let error = parse_err("print h```x```");
    assert!(
        error
            .hints
            .iter()
            .any(|hint| hint.contains("cannot be obfuscated")),
        "{error:?}"
    );
}

#[test]
fn adjacent_literals_are_joined() {
    // The documentation's example: strlen("Hello"', '@"world!") is 13.
    let call = expr(r#"strlen("Hello"', '@"world!")"#);
    let ExprKind::Call { args, .. } = call.kind else {
        panic!()
    };
    let ExprKind::Literal(Literal::String(joined)) = &args[0].value.kind else {
        panic!()
    };
    assert_eq!(joined.value, "Hello, world!");
    assert_eq!(joined.value.chars().count(), 13);
}

#[test]
fn adjacent_literals_are_joined_across_comments_and_lines() {
    let text = "\"Hello\" // the greeting\n    ', ' // a comma\n    @\"world!\"";
    assert_eq!(string(text), "Hello, world!");
    assert_eq!(string("'a' h'b' ```c```"), "abc");
}

#[test]
fn a_raw_line_break_ends_a_quoted_string_with_an_error() {
    let text = "T\n| where Name == 'abc\n| take 1";
    let error = parse_err(text);
    assert_eq!(
        error.message,
        "unterminated string: expected a closing `'` before the end of the line"
    );
    assert_eq!(position(text, &error), (2, 17));
}

// ---------------------------------------------------------------------------------------
// Numbers and booleans
// ---------------------------------------------------------------------------------------

#[test]
fn long_literals_in_decimal_and_hex() {
    assert_eq!(literal("12"), Literal::Long(12));
    assert_eq!(literal("0xf"), Literal::Long(15));
    assert_eq!(literal("0XFF"), Literal::Long(255));
    assert_eq!(literal("9223372036854775807"), Literal::Long(i64::MAX));
    assert_eq!(literal("long(-1)"), Literal::Long(-1));
    assert_eq!(literal("long(0x10)"), Literal::Long(16));
}

#[test]
fn there_is_no_long_suffix() {
    // `K:scalar-data-types/long` lists no suffix, and Kusto rejects `1L` (recorded
    // conformance cases such as `r3-type-casts-coercion/agent-type-casts-coercion-0022`):
    // like `1w`, digits followed by letters make a name.
    assert!(matches!(expr("42L").kind, ExprKind::Name(_)));
    assert!(matches!(expr("0l").kind, ExprKind::Name(_)));
}

#[test]
fn the_smallest_long_is_a_datatable_value_or_a_long_literal() {
    // `K:scalar-data-types/long`: "`-2` is not a literal", it is `-` applied to `2`; so
    // `-9223372036854775808` overflows in an expression, as Kusto says (conformance case
    // `r3-parse-search/agent-parse-search-0017`), but is the smallest long in a datatable
    // (`r3-type-casts-coercion/agent-type-casts-coercion-0035`).
    assert_eq!(
        literal("long(-9223372036854775808)"),
        Literal::Long(i64::MIN)
    );
    let ExprKind::Datatable { values, .. } = expr("datatable(x:long)[-9223372036854775808]").kind
    else {
        panic!("not a datatable")
    };
    assert_eq!(values[0].kind, ExprKind::Literal(Literal::Long(i64::MIN)));
    for query in ["print 9223372036854775808", "print -9223372036854775808"] {
        let error = parse_err(query);
        assert_eq!(
            error.message,
            "`9223372036854775808` does not fit in a long"
        );
        assert!(error.hints[0].contains("long(-9223372036854775808)"));
    }
}

#[test]
fn a_minus_before_a_number_is_a_unary_operator() {
    let ExprKind::Unary { operand, .. } = expr("-1").kind else {
        panic!()
    };
    assert_eq!(operand.kind, ExprKind::Literal(Literal::Long(1)));
}

#[test]
fn int_literals_only_in_the_int_form() {
    assert_eq!(literal("int(2)"), Literal::Int(2));
    assert_eq!(literal("int(-2)"), Literal::Int(-2));
    assert_eq!(literal("int(+3)"), Literal::Int(3));
    assert!(parse_err("print int(3000000000)").message.contains("int"));
}

#[test]
fn real_literals_in_every_form() {
    assert_eq!(literal("1.0"), Literal::Real(1.0));
    assert_eq!(literal("1e5"), Literal::Real(1e5));
    assert_eq!(literal("1.5e-3"), Literal::Real(1.5e-3));
    assert_eq!(literal("2.5E+2"), Literal::Real(250.0));
    assert_eq!(literal("1."), Literal::Real(1.0));
    assert_eq!(literal("real(1.5)"), Literal::Real(1.5));
    assert_eq!(literal("double(-2)"), Literal::Real(-2.0));
    assert_eq!(literal("real(+inf)"), Literal::Real(f64::INFINITY));
    assert_eq!(literal("real(-inf)"), Literal::Real(f64::NEG_INFINITY));
    let Literal::Real(nan) = literal("real(nan)") else {
        panic!()
    };
    assert!(nan.is_nan());
    // NaN literals compare equal, so a query with one equals itself.
    assert_eq!(literal("real(nan)"), literal("real(nan)"));
}

#[test]
fn a_real_too_large_for_a_double_is_an_error() {
    let error = parse_err("print 1e999");
    assert_eq!(error.message, "`1e999` is too large for a real");
}

#[test]
fn a_dot_dot_after_a_number_is_a_range_not_a_real() {
    let ExprKind::Between { low, high, .. } = expr("x between (1..10)").kind else {
        panic!()
    };
    assert_eq!(low.kind, ExprKind::Literal(Literal::Long(1)));
    assert_eq!(high.kind, ExprKind::Literal(Literal::Long(10)));
}

#[test]
fn booleans_have_three_spellings_each() {
    for text in ["true", "True", "TRUE", "bool(true)", "boolean(TRUE)"] {
        assert_eq!(literal(text), Literal::Bool(true), "{text}");
    }
    for text in ["false", "False", "FALSE", "bool(false)"] {
        assert_eq!(literal(text), Literal::Bool(false), "{text}");
    }
    // Other capitalisations are names.
    assert!(matches!(expr("tRUE").kind, ExprKind::Name(_)));
}

// ---------------------------------------------------------------------------------------
// Timespans
// ---------------------------------------------------------------------------------------

#[test]
fn every_timespan_unit() {
    let units: &[(&[&str], i64)] = &[
        (&["d", "day", "days"], DAY),
        (&["h", "hr", "hrs", "hour", "hours"], HOUR),
        (&["m", "min", "minute", "minutes"], MINUTE),
        (&["s", "sec", "second", "seconds"], SECOND),
        (
            &[
                "ms",
                "milli",
                "millis",
                "millisec",
                "millisecond",
                "milliseconds",
            ],
            MILLISECOND,
        ),
        (
            &["micro", "micros", "microsec", "microsecond", "microseconds"],
            MICROSECOND,
        ),
        (&["tick", "ticks"], TICK),
    ];
    for (spellings, ticks) in units {
        for unit in *spellings {
            assert_eq!(timespan(&format!("3{unit}")), 3 * ticks, "3{unit}");
        }
    }
    for unit in ["nano", "nanos", "nanosec", "nanosecond", "nanoseconds"] {
        assert_eq!(timespan(&format!("300{unit}")), 3 * TICK, "300{unit}");
    }
}

#[test]
fn us_and_ns_are_not_timespan_units() {
    // Kusto.Language's suffix list has neither, and Kusto rejects `100ns` and `1us`
    // (conformance cases `r2-datetime-timespan/agent-datetime-timespan-0021` and
    // `r2-type-casts-coercion/agent-type-casts-coercion-0018`): they read as names.
    assert!(matches!(expr("100ns").kind, ExprKind::Name(_)));
    assert!(matches!(expr("1us").kind, ExprKind::Name(_)));
}

#[test]
fn timespans_with_fractions_are_exact() {
    assert_eq!(timespan("1.5h"), 90 * MINUTE);
    assert_eq!(timespan("0.5d"), 12 * HOUR);
    assert_eq!(timespan("90d"), 90 * DAY);
    assert_eq!(timespan("0.0000001s"), TICK);
}

#[test]
fn there_is_no_week_unit() {
    // `1w` is not a timespan: like Kusto, digits followed by letters make a name.
    assert!(matches!(expr("1w").kind, ExprKind::Name(_)));
    assert!(matches!(expr("1d1").kind, ExprKind::Name(_)));
}

#[test]
fn timespan_and_time_forms() {
    assert_eq!(timespan("time(1d)"), DAY);
    assert_eq!(timespan("timespan(2)"), 2 * DAY);
    assert_eq!(timespan("timespan(15 seconds)"), 15 * SECOND);
    assert_eq!(
        timespan("timespan(0.12:34:56.7)"),
        12 * HOUR + 34 * MINUTE + 56 * SECOND + 700 * MILLISECOND
    );
    assert_eq!(timespan("time(00:01:00)"), MINUTE);
    assert_eq!(timespan("timespan(1.00:00:00)"), DAY);
    assert_eq!(timespan("time(-2d)"), -2 * DAY);
    assert_eq!(typed_null("timespan(null)"), "timespan");
    assert_eq!(typed_null("time(null)"), "time");
}

#[test]
fn a_bad_timespan_body_is_an_error_at_the_body() {
    let text = "print timespan(abc)";
    let error = parse_err(text);
    assert_eq!(error.message, "`abc` is not a valid timespan");
    assert_eq!(position(text, &error), (1, 16));
}

#[test]
fn negative_timespans_print_in_the_timespan_form() {
    assert_eq!(expr("time(-2d)").to_string(), "timespan(-2d)");
    assert_eq!(expr("90m").to_string(), "90m");
    assert_eq!(expr("1.5h").to_string(), "90m");
}

// ---------------------------------------------------------------------------------------
// Datetimes, typed nulls, guids, decimals
// ---------------------------------------------------------------------------------------

#[test]
fn datetime_forms_keep_their_text() {
    for (text, body) in [
        ("datetime(2015-12-31 23:59:59.9)", "2015-12-31 23:59:59.9"),
        ("datetime(2015-12-31)", "2015-12-31"),
        ("datetime(2015-12-31T23:59:59Z)", "2015-12-31T23:59:59Z"),
        (
            "datetime(2024-01-01T00:00:00.0000001Z)",
            "2024-01-01T00:00:00.0000001Z",
        ),
        ("date(2020-01-01)", "2020-01-01"),
        ("datetime( 2020-01-01 )", "2020-01-01"),
        (
            "datetime(Thu, 12 Dec 2024 10:00:00 GMT)",
            "Thu, 12 Dec 2024 10:00:00 GMT",
        ),
        ("datetime()", ""),
    ] {
        assert_eq!(literal(text), Literal::DateTime(body.to_string()), "{text}");
    }
    assert_eq!(typed_null("datetime(null)"), "datetime");
    assert_eq!(typed_null("date(null)"), "date");
}

#[test]
fn every_documented_typed_null() {
    for ty in [
        "bool", "datetime", "dynamic", "guid", "int", "long", "real", "double", "timespan", "time",
        "decimal",
    ] {
        assert_eq!(typed_null(&format!("{ty}(null)")), ty);
    }
}

#[test]
fn there_is_no_string_null() {
    let text = "print x = string(null)";
    let error = parse_err(text);
    assert_eq!(error.message, "there is no `string(null)` in Kusto");
    assert_eq!(position(text, &error), (1, 11));
}

#[test]
fn guid_and_decimal_keep_their_text() {
    assert_eq!(
        literal("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
        Literal::Guid("74be27de-1e4e-49d9-b579-fe0b331d3642".to_string())
    );
    assert_eq!(
        literal("decimal(1.25)"),
        Literal::Decimal("1.25".to_string())
    );
}

// ---------------------------------------------------------------------------------------
// Dynamic
// ---------------------------------------------------------------------------------------

#[test]
fn dynamic_arrays_bags_and_scalars() {
    assert_eq!(typed_null("dynamic(null)"), "dynamic");
    assert_eq!(dynamic("dynamic([])"), DynamicValue::Array(vec![]));
    assert_eq!(dynamic("dynamic({})"), DynamicValue::Bag(vec![]));
    assert_eq!(
        dynamic("dynamic([1, -2, 2.5, 'a', true, null])"),
        DynamicValue::Array(vec![
            DynamicValue::Long(1),
            DynamicValue::Long(-2),
            DynamicValue::Real(2.5),
            DynamicValue::String("a".to_string()),
            DynamicValue::Bool(true),
            DynamicValue::Null,
        ])
    );
    assert_eq!(
        dynamic(r#"dynamic({"k": [1, {"n": "v"}], 'j': -1.5e3})"#),
        DynamicValue::Bag(vec![
            (
                "k".to_string(),
                DynamicValue::Array(vec![
                    DynamicValue::Long(1),
                    DynamicValue::Bag(vec![("n".to_string(), DynamicValue::String("v".into()))]),
                ]),
            ),
            ("j".to_string(), DynamicValue::Real(-1500.0)),
        ])
    );
}

#[test]
fn dynamic_values_may_be_datetimes_timespans_and_nested_dynamics() {
    assert_eq!(
        dynamic("dynamic([datetime(2024-01-01), 1d, time(1h), dynamic({'a': 1})])"),
        DynamicValue::Array(vec![
            DynamicValue::DateTime("2024-01-01".to_string()),
            DynamicValue::TimeSpan(DAY),
            DynamicValue::TimeSpan(HOUR),
            DynamicValue::Bag(vec![("a".to_string(), DynamicValue::Long(1))]),
        ])
    );
}

#[test]
fn a_dynamic_with_an_expression_is_a_call() {
    // `dynamic(x)` is not a literal; the engine decides what the call means.
    assert!(matches!(expr("dynamic(x)").kind, ExprKind::Call { .. }));
}

#[test]
fn a_broken_dynamic_literal_points_at_the_problem() {
    let text = "print dynamic([1,\n    ])";
    let error = parse_err(text);
    assert_eq!(position(text, &error), (2, 5));
    assert!(
        error.message.starts_with("expected a dynamic value"),
        "{}",
        error.message
    );
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

#[test]
fn literals_print_in_a_canonical_form() {
    for (text, printed) in [
        ("'a\\tb'", "\"a\\tb\""),
        ("@'C:\\x'", "\"C:\\\\x\""),
        ("h'x'", "h\"x\""),
        ("0xff", "255"),
        ("long(-5)", "long(-5)"),
        ("1e5", "100000.0"),
        ("real(-1.5)", "real(-1.5)"),
        ("real(nan)", "real(nan)"),
        ("TRUE", "true"),
        ("timespan(1.02:00:00)", "26h"),
        ("date(2020-01-01)", "datetime(2020-01-01)"),
        ("dynamic({'a': [1]})", "dynamic({\"a\": [1]})"),
        ("'\\u0001'", "\"\\u0001\""),
    ] {
        assert_eq!(expr(text).to_string(), printed, "{text}");
    }
}
