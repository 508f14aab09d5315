//! The conversion functions, checked against the examples of their Kusto docs pages
//! (`https://learn.microsoft.com/kusto/query/<page>`) and, where the docs are silent, against
//! answers the Kusto emulator recorded (`tests/conformance`, cited by case id).

mod common;

use common::{expect, query_error, query_rows, query_types};
use kql_parser::DiagnosticKind;

/// `toint-function`: "Convert string to integer" and "Truncated integer".
#[test]
fn toint_docs_examples() {
    let query = "print toint(\"123\") == 123 | project Integer = print_0";
    assert_eq!(query_rows(query), expect(&[&["true"]]));
    assert_eq!(
        query_rows("print toint(2.3) | project Integer = print_0"),
        expect(&[&["2"]])
    );
    assert_eq!(query_types("print toint(2.3)"), ["int"]);
}

/// `tolong-function`: `tolong("123") == 123`.
#[test]
fn tolong_docs_example() {
    assert_eq!(
        query_rows("print tolong(\"123\") == 123"),
        expect(&[&["true"]])
    );
    assert_eq!(query_types("print tolong(\"123\")"), ["long"]);
}

/// `toreal-function`: `toreal("123.4") == 123.4`; `todouble` is the same function.
#[test]
fn toreal_and_todouble_docs_example() {
    let query = "print toreal(\"123.4\") == 123.4, todouble(\"123.4\") == 123.4";
    assert_eq!(query_rows(query), expect(&[&["true", "true"]]));
    assert_eq!(query_types("print todouble(1)"), ["real"]);
}

/// `tobool-function`: `"true"`, `"false"`, `1` and `123`; `toboolean` is the same function.
#[test]
fn tobool_docs_examples() {
    let query = "print tobool(\"true\") == true, tobool(\"false\") == false, \
                 tobool(1) == true, toboolean(123) == true";
    assert_eq!(
        query_rows(query),
        expect(&[&["true", "true", "true", "true"]])
    );
}

/// `todatetime-function`: `todatetime("2015-12-31 23:59:59.9")`.
#[test]
fn todatetime_docs_example() {
    let query = "print todatetime(\"2015-12-31 23:59:59.9\")";
    assert_eq!(query_rows(query), expect(&[&["2015-12-31T23:59:59.9Z"]]));
}

/// `totimespan-function`: text, timespans and timespan arithmetic.
#[test]
fn totimespan_docs_example() {
    let query = "let value=5;\n\
                 print minsStr=totimespan(\"0.00:03:00\"), days=totimespan(4d), \
                 hour=totimespan(value * 1h), mins=totimespan(value * 2m), \
                 seconds=totimespan(5 * 4s), timespanMin=timespan(25min)";
    let expected = [
        "00:03:00",
        "4.00:00:00",
        "05:00:00",
        "00:10:00",
        "00:00:20",
        "00:25:00",
    ];
    assert_eq!(query_rows(query), expect(&[&expected]));
}

/// `coalesce-function`: a failed conversion is null, so `coalesce` skips it.
#[test]
fn failed_conversion_is_null() {
    let query = "print result=coalesce(tolong(\"not a number\"), tolong(\"42\"), 33)";
    assert_eq!(query_rows(query), expect(&[&["42"]]));
}

/// Emulator cases `r3-type-casts-coercion/agent-type-casts-coercion-0005` and `-0007`:
/// strings must hold an integer of the target's size; reals parse as reals.
#[test]
fn integer_text_must_fit() {
    let query = "datatable(s:string)[ \"5\", \"5.9\", \"2147483648\", \"0xFF\", \"  42  \" ] \
                 | extend toi=toint(s), tol=tolong(s), tod=todouble(s)";
    assert_eq!(
        query_rows(query),
        expect(&[
            &["5", "5", "5", "5"],
            &["5.9", "null", "null", "5.9"],
            &["2147483648", "null", "2147483648", "2147483648"],
            &["0xFF", "255", "255", "null"],
            &["  42  ", "42", "42", "42"],
        ])
    );
}

/// Emulator cases `r3-type-casts-coercion/agent-type-casts-coercion-0010` and
/// `r3-null-and-edge/agent-null-and-edge-0044`: reals truncate toward zero, longs wrap to 32
/// bits in `toint`.
#[test]
fn numbers_truncate_and_wrap() {
    let query = "print x = toint(1.9999999999), y = toint(-1.9999999999), z = tolong(2.5), \
                 w = tolong(-2.5), i = toint(2147483648), j = toint(-2147483649)";
    assert_eq!(
        query_rows(query),
        expect(&[&["1", "-1", "2", "-2", "-2147483648", "2147483647"]])
    );
}

/// Emulator cases `r1-type-casts-coercion/agent-type-casts-coercion-0008` and
/// `r2-type-casts-coercion/agent-type-casts-coercion-0025`: `tobool` of text.
#[test]
fn tobool_of_text() {
    let query = "datatable(s:string)[ \"True\", \"FALSE\", \"1\", \"0\", \"-1\", \"1.0\", \
                 \"yes\", \"\" ] | extend b = tobool(s)";
    assert_eq!(
        query_rows(query),
        expect(&[
            &["True", "true"],
            &["FALSE", "false"],
            &["1", "true"],
            &["0", "false"],
            &["-1", "true"],
            &["1.0", "null"],
            &["yes", "null"],
            &["", "null"],
        ])
    );
}

/// Emulator cases `r1-type-casts-coercion/agent-type-casts-coercion-0010` and
/// `r2-type-casts-coercion/agent-type-casts-coercion-0010`: the special reals.
#[test]
fn special_reals() {
    let query = "print a = todouble(\"  NaN  \"), b = todouble(\"inf\"), \
                 c = todouble(\"-Infinity\"), d = todouble(\"INF\"), e = todouble(\"1e400\")";
    assert_eq!(
        query_rows(query),
        expect(&[&["NaN", "Infinity", "-Infinity", "null", "Infinity"]])
    );
}

/// Emulator cases `r1-type-casts-coercion/agent-type-casts-coercion-0024`, `-0025` and
/// `r2-type-casts-coercion/agent-type-casts-coercion-0017`: datetimes and timespans convert
/// to 100 ns ticks (datetimes counted from 0001-01-01), and back.
#[test]
fn datetimes_and_timespans_are_ticks() {
    let query = "print a = tolong(datetime(2020-01-01)), b = tolong(1d), c = todouble(1h), \
                 d = totimespan(tolong(1d)), e = todatetime(tolong(datetime(2020-01-01)))";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "637134336000000000",
            "864000000000",
            "36000000000",
            "1.00:00:00",
            "2020-01-01T00:00:00Z",
        ]])
    );
}

/// Emulator cases `r3-type-casts-coercion/agent-type-casts-coercion-0014` and
/// `r3-datetime-timespan/agent-datetime-timespan-0032`: timespan text in every form.
#[test]
fn totimespan_of_text() {
    let query = "datatable(s:string)[ \"1d\", \"90s\", \"-1d\", \"01:00:00\", \"1.5\", \
                 \"0:0:0.001\", \"abc\" ] | extend ts = totimespan(s)";
    assert_eq!(
        query_rows(query),
        expect(&[
            &["1d", "1.00:00:00"],
            &["90s", "00:01:30"],
            &["-1d", "-1.00:00:00"],
            &["01:00:00", "01:00:00"],
            &["1.5", "null"],
            &["0:0:0.001", "00:00:00.0010000"],
            &["abc", "null"],
        ])
    );
}

/// Emulator cases `r1-type-casts-coercion/agent-type-casts-coercion-0045` and
/// `r2-type-casts-coercion/agent-type-casts-coercion-0014`: dynamic values convert by their
/// JSON value; arrays give null.
#[test]
fn dynamic_values_convert_by_their_json_value() {
    let query = "datatable(d:dynamic)[ dynamic(1.9), dynamic(\"42\"), dynamic(\"0x10\"), \
                 dynamic(true), dynamic(null), dynamic([1]) ] \
                 | extend ti = toint(d), td = todouble(d), tb = tobool(d)";
    assert_eq!(
        query_rows(query),
        expect(&[
            &["1.9", "1", "1.9", "true"],
            &["\"42\"", "42", "42", "true"],
            &["\"0x10\"", "16", "null", "true"],
            &["true", "1", "1", "true"],
            &["null", "null", "null", "null"],
            &["[1]", "null", "null", "null"],
        ])
    );
}

/// `tobool` of a datetime has no documented meaning: kql says it does not support it.
#[test]
fn undocumented_conversions_are_not_supported() {
    let error = query_error("print tobool(now())");
    assert_eq!(error.kind, DiagnosticKind::NotSupported);
    assert!(error.message.contains("tobool"), "{}", error.message);
}

/// `toscalar-function`: the argument is "the value to convert into a scalar value"; a
/// scalar is its own value (`EndToEndTests.ToScalar_Scalar`, `toscalar-function-07`), a table
/// gives its first cell.
#[test]
fn toscalar_of_a_scalar_is_the_scalar() {
    let query = "let Step = toscalar(2); print a = toscalar(1.5), b = Step, \
                 c = toscalar(print x = 'first' | union (print x = 'second'))";
    assert_eq!(query_rows(query), expect(&[&["1.5", "2", "first"]]));
    assert_eq!(query_types(query), ["real", "long", "string"]);
    // No row is in scope: a column is unknown.
    let error = query_error("print x = 1 | extend y = toscalar(x)");
    assert!(error.message.contains("`x`"), "{}", error.message);
}

/// Two `dynamic` values cannot be compared (Kusto rejects `sortedlist ==
/// array_sort_asc(sortedlist)`, `agent-aggregation-0041`); a `dynamic` against a string or a
/// number is compared by its value, and `tostring()` compares two of them as JSON text.
#[test]
fn two_dynamic_values_are_not_comparable() {
    let query = "print a = dynamic([1, 2]) | extend same = a == dynamic([1, 2])";
    let error = query_error(query);
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(error.message.contains("two `dynamic` values"), "{error}");
    assert_eq!(
        query_rows(
            "print d = dynamic({\"a\": \"x\", \"n\": 2}) \
             | project s = d.a == 'x', n = d.n == 2, t = tostring(d.n) == tostring(d.n)"
        ),
        expect(&[&["true", "true", "true"]])
    );
}
