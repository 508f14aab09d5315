//! Conversions: `toint`, `tolong`, `todouble`/`toreal`, `tobool`/`toboolean`, `todatetime`,
//! `totimespan`; and the argument checks the other families share.
//!
//! A conversion that fails gives null (`K:toint-function`, `K:tolong-function`...). The rules
//! below follow the recorded answers of the Kusto emulator (`tests/conformance`) where the
//! docs are silent:
//!
//! | from \ to | `long` / `int`                   | `real`     | `bool`                   |
//! |-----------|----------------------------------|------------|--------------------------|
//! | `string`  | decimal or `0x` hex integer text | float text | `true`/`false`, integers |
//! | `real`    | truncated toward zero            | itself     | non-zero is true         |
//! | `datetime`| 100 ns ticks since 0001-01-01    | the same   | not supported            |
//! | `timespan`| 100 ns ticks                     | the same   | not supported            |
//! | `dynamic` | by its JSON number, string or bool; arrays, bags and null give null   |||
//!
//! `true`/`false` text may be in any case; integer text converts to `true` when not zero.
//! `toint` parses strings as 32-bit integers (`toint("2147483648")` is null) and wraps wider
//! values to 32 bits, as Kusto does (`toint(2147483648)` is -2147483648). `todatetime` reads
//! strings as [`crate::source::datetime::parse_datetime`] does and integers as ticks since
//! 0001-01-01; `totimespan` reads `[-][d.]hh:mm[:ss[.f]]`, literal forms such as `90s`, and
//! integers as ticks.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampNanosecondArray,
};
use kql_parser::{Diagnostic, Span};
use serde_json::Value as Json;

use super::datetime::{TICK_NANOS, datetime_ticks, ticks_to_datetime};
use super::{Call, Function, call, check_arity, downcast, fit, string_arg};
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, ExprKind};
use crate::source::datetime::{DateOrder, parse_datetime, parse_timespan};
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &[
    "toint",
    "tolong",
    "todouble",
    "toreal",
    "tobool",
    "toboolean",
    "todatetime",
    "totimespan",
    "totime",
];

/// The conversion functions. Each gives null when its argument is null or cannot be
/// converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertFn {
    /// `toint(x)`: a 32-bit integer; strings must hold one, wider integers wrap, reals must
    /// fit once truncated; null when the value is null or not convertible.
    ToInt,
    /// `tolong(x)`: a 64-bit integer; reals are truncated (NaN and infinities give null);
    /// datetimes and timespans give their 100 ns ticks; null when not convertible.
    ToLong,
    /// `todouble(x)` / `toreal(x)`: a real; null when the value is null or not a number.
    ToReal,
    /// `tobool(x)` / `toboolean(x)`: `true`/`false` text in any case, or non-zero numbers;
    /// null for other text and for null.
    ToBool,
    /// `todatetime(x)`: datetime text or ticks since 0001-01-01; null when not a datetime or
    /// outside the years 1677 to 2262 that the engine holds.
    ToDateTime,
    /// `totimespan(x)` (alias `totime`): timespan text (`1.02:03:04`, `90s`) or ticks; null
    /// when not a timespan.
    ToTimeSpan,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    check_arity(name, &args, 1..=1, span)?;
    let (function, ty) = match name {
        "toint" => (ConvertFn::ToInt, KustoType::Int),
        "tolong" => (ConvertFn::ToLong, KustoType::Long),
        "todouble" | "toreal" => (ConvertFn::ToReal, KustoType::Real),
        "tobool" | "toboolean" => (ConvertFn::ToBool, KustoType::Bool),
        "todatetime" => (ConvertFn::ToDateTime, KustoType::DateTime),
        _ => (ConvertFn::ToTimeSpan, KustoType::TimeSpan),
    };
    let Some(arg) = args.into_iter().next() else {
        return Err(Diagnostic::internal("a conversion lost its argument"));
    };
    let from = arg.ty;
    if from == ty {
        return Ok(BoundExpr { span, ..arg });
    }
    let unsupported = match function {
        ConvertFn::ToBool => matches!(from, KustoType::DateTime | KustoType::TimeSpan),
        ConvertFn::ToDateTime => matches!(from, KustoType::Bool | KustoType::TimeSpan),
        ConvertFn::ToTimeSpan => matches!(from, KustoType::Bool | KustoType::DateTime),
        _ => false,
    };
    if unsupported {
        return Err(not_supported(format!("`{name}` of a `{from}` value")).with_span(arg.span));
    }
    Ok(call(Function::Convert(function), vec![arg], ty, span))
}

pub(super) fn evaluate(function: ConvertFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let array = call.arg(0)?;
    let from = call.types.first().copied().unwrap_or(KustoType::String);
    let values = Values::of(array, from)?;
    let len = call.len;
    Ok(match function {
        ConvertFn::ToInt => {
            let ints: Int32Array = (0..len).map(|row| values.int(row)).collect();
            Arc::new(ints)
        }
        ConvertFn::ToLong => {
            let longs: Int64Array = (0..len).map(|row| values.long(row)).collect();
            Arc::new(longs)
        }
        ConvertFn::ToReal => {
            let reals: Float64Array = (0..len).map(|row| values.real(row)).collect();
            Arc::new(reals)
        }
        ConvertFn::ToBool => {
            let bools: BooleanArray = (0..len).map(|row| values.bool(row)).collect();
            Arc::new(bools)
        }
        ConvertFn::ToDateTime => {
            let nanos: TimestampNanosecondArray =
                (0..len).map(|row| values.datetime(row)).collect();
            Arc::new(nanos.with_timezone("UTC"))
        }
        ConvertFn::ToTimeSpan => {
            let nanos: DurationNanosecondArray = (0..len).map(|row| values.timespan(row)).collect();
            Arc::new(nanos)
        }
    })
}

/// A column being converted, by its Kusto type.
enum Values<'a> {
    Bool(&'a BooleanArray),
    Int(&'a Int32Array),
    Long(&'a Int64Array),
    Real(&'a Float64Array),
    DateTime(&'a TimestampNanosecondArray),
    TimeSpan(&'a DurationNanosecondArray),
    Text(&'a StringArray),
    Dynamic(&'a StringArray),
}

/// One value read from a `dynamic` cell, or from text.
enum Scalar<'a> {
    Bool(bool),
    Long(i64),
    Real(f64),
    Text(&'a str),
}

impl<'a> Values<'a> {
    fn of(array: &'a ArrayRef, ty: KustoType) -> DiagResult<Values<'a>> {
        Ok(match ty {
            KustoType::Bool => Values::Bool(downcast(array)?),
            KustoType::Int => Values::Int(downcast(array)?),
            KustoType::Long => Values::Long(downcast(array)?),
            KustoType::Real | KustoType::Decimal => Values::Real(downcast(array)?),
            KustoType::DateTime => Values::DateTime(downcast(array)?),
            KustoType::TimeSpan => Values::TimeSpan(downcast(array)?),
            KustoType::String | KustoType::Guid => Values::Text(downcast(array)?),
            KustoType::Dynamic => Values::Dynamic(downcast(array)?),
        })
    }

    /// The value of a non-text column as a long, or the text of a text cell.
    fn scalar(&self, row: usize) -> Option<ScalarOwned<'a>> {
        let valid = match self {
            Values::Bool(a) => a.is_valid(row),
            Values::Int(a) => a.is_valid(row),
            Values::Long(a) => a.is_valid(row),
            Values::Real(a) => a.is_valid(row),
            Values::DateTime(a) => a.is_valid(row),
            Values::TimeSpan(a) => a.is_valid(row),
            Values::Text(a) | Values::Dynamic(a) => a.is_valid(row),
        };
        if !valid {
            return None;
        }
        Some(match self {
            Values::Bool(a) => ScalarOwned::Plain(Scalar::Bool(a.value(row))),
            Values::Int(a) => ScalarOwned::Plain(Scalar::Long(i64::from(a.value(row)))),
            Values::Long(a) => ScalarOwned::Plain(Scalar::Long(a.value(row))),
            Values::Real(a) => ScalarOwned::Plain(Scalar::Real(a.value(row))),
            Values::DateTime(a) => ScalarOwned::Ticks(datetime_ticks(a.value(row))),
            Values::TimeSpan(a) => ScalarOwned::Ticks(a.value(row) / TICK_NANOS),
            Values::Text(a) => ScalarOwned::Plain(Scalar::Text(a.value(row))),
            Values::Dynamic(a) => ScalarOwned::Json(a.value(row)),
        })
    }

    fn int(&self, row: usize) -> Option<i32> {
        self.scalar(row)?.with(|value| match value {
            Scalar::Text(text) => parse_integer(text, true).map(|v| v as i32),
            // A real must fit once truncated.
            Scalar::Real(x) => i32::try_from(real_to_long(x)?).ok(),
            // Wider integers wrap to 32 bits, as Kusto's recorded answers show.
            other => scalar_long(other).map(|v| v as i32),
        })
    }

    fn long(&self, row: usize) -> Option<i64> {
        self.scalar(row)?.with(scalar_long)
    }

    fn real(&self, row: usize) -> Option<f64> {
        self.scalar(row)?.with(|value| match value {
            Scalar::Bool(b) => Some(f64::from(u8::from(b))),
            Scalar::Long(v) => Some(v as f64),
            Scalar::Real(x) => Some(x),
            Scalar::Text(text) => parse_real(text),
        })
    }

    fn bool(&self, row: usize) -> Option<bool> {
        self.scalar(row)?.with(|value| match value {
            Scalar::Bool(b) => Some(b),
            Scalar::Long(v) => Some(v != 0),
            Scalar::Real(x) => Some(x != 0.0),
            Scalar::Text(text) => parse_bool(text),
        })
    }

    fn datetime(&self, row: usize) -> Option<i64> {
        self.scalar(row)?.with(|value| match value {
            Scalar::Long(ticks) => ticks_to_datetime(ticks),
            Scalar::Real(x) => real_to_long(x).and_then(ticks_to_datetime),
            Scalar::Text(text) => parse_datetime(text, DateOrder::MonthFirst),
            Scalar::Bool(_) => None,
        })
    }

    fn timespan(&self, row: usize) -> Option<i64> {
        self.scalar(row)?.with(|value| match value {
            Scalar::Long(ticks) => ticks.checked_mul(TICK_NANOS),
            Scalar::Real(x) => real_to_long(x).and_then(|t| t.checked_mul(TICK_NANOS)),
            Scalar::Text(text) => parse_timespan_text(text),
            Scalar::Bool(_) => None,
        })
    }
}

/// A cell before its conversion: a plain value, ticks of a datetime or timespan, or the JSON
/// text of a dynamic value.
enum ScalarOwned<'a> {
    Plain(Scalar<'a>),
    Ticks(i64),
    Json(&'a str),
}

impl<'a> ScalarOwned<'a> {
    /// Applies a conversion to the cell's value; JSON is parsed first, and arrays, bags and
    /// JSON null give null.
    fn with<T>(self, convert: impl FnOnce(Scalar<'_>) -> Option<T>) -> Option<T> {
        match self {
            ScalarOwned::Plain(value) => convert(value),
            ScalarOwned::Ticks(ticks) => convert(Scalar::Long(ticks)),
            ScalarOwned::Json(text) => match serde_json::from_str::<Json>(text) {
                Ok(Json::Bool(b)) => convert(Scalar::Bool(b)),
                Ok(Json::Number(n)) => match n.as_i64() {
                    Some(v) => convert(Scalar::Long(v)),
                    None => convert(Scalar::Real(n.as_f64()?)),
                },
                Ok(Json::String(s)) => convert(Scalar::Text(&s)),
                Ok(_) => None,
                // Not JSON: a dynamic string kept as its text.
                Err(_) => convert(Scalar::Text(text)),
            },
        }
    }
}

fn scalar_long(value: Scalar<'_>) -> Option<i64> {
    match value {
        Scalar::Bool(b) => Some(i64::from(b)),
        Scalar::Long(v) => Some(v),
        Scalar::Real(x) => real_to_long(x),
        Scalar::Text(text) => parse_integer(text, false),
    }
}

/// A real truncated toward zero. 2^63 and -2^63 saturate to the `long` range (the recorded
/// `tolong(todouble(9223372036854775807))` is 9223372036854775807); NaN, infinities and
/// larger values give null.
pub(super) fn real_to_long(x: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.is_finite() && x.abs() <= LIMIT).then_some(x as i64)
}

/// Integer text: optional sign and decimal digits, or `0x` and hex digits, with surrounding
/// whitespace. `int32` limits the value to 32 bits.
fn parse_integer(text: &str, int32: bool) -> Option<i64> {
    let text = text.trim();
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
    if let Some(digits) = hex {
        return if int32 {
            u32::from_str_radix(digits, 16)
                .ok()
                .map(|v| i64::from(v as i32))
        } else {
            u64::from_str_radix(digits, 16).ok().map(|v| v as i64)
        };
    }
    if int32 {
        text.parse::<i32>().ok().map(i64::from)
    } else {
        text.parse::<i64>().ok()
    }
}

/// Float text with surrounding whitespace. Besides decimal and exponent forms, `NaN` and
/// `Infinity` in any case and `inf` in lower case are read, with an optional sign: the
/// recorded answers accept `nan`, `Infinity`, `+Infinity`, `inf` and `-inf` but not `INF`.
fn parse_real(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.len() + 1 < text.len() {
        return None;
    }
    let negative = text.starts_with('-');
    let special = if unsigned.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else if unsigned.eq_ignore_ascii_case("infinity") || unsigned == "inf" {
        Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        })
    } else {
        None
    };
    if special.is_some() {
        return special;
    }
    if unsigned
        .bytes()
        .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'e' | b'E'))
    {
        return None;
    }
    text.parse::<f64>().ok()
}

/// `true`/`false` in any case, or integer text (non-zero is true).
fn parse_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        parse_integer(text, false).map(|v| v != 0)
    }
}

/// Timespan text: `[-][d.]hh:mm[:ss[.fffffff]]`, a bare number of days, or a literal such as
/// `90s`, `-1d` or `1.5h`. `1.5` alone is not a timespan (recorded answer).
fn parse_timespan_text(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(nanos) = parse_timespan(text).or_else(|| parse_clock(text)) {
        return Some(nanos);
    }
    let has_unit = text.ends_with(|c: char| c.is_ascii_alphabetic()) && !text.contains(':');
    if !has_unit {
        return None;
    }
    kql_parser::parse_timespan_body(text)?.checked_mul(TICK_NANOS)
}

/// `[-][d.]h:m[:s[.f]]` with one- or two-digit fields, which the strict reader of data
/// files refuses: the recorded `totimespan('0:0:0.001')` is one millisecond.
fn parse_clock(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let colon = body.find(':')?;
    let (days, clock) = match body[..colon].split_once('.') {
        Some((days, _)) => (days.parse::<i64>().ok()?, &body[days.len() + 1..]),
        None => (0, body),
    };
    let field = |text: &str, limit: i64| {
        let ok = (1..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| text.parse::<i64>().ok())
            .flatten()
            .filter(|v| *v < limit)
    };
    let mut parts = clock.split(':');
    let hours = field(parts.next()?, 24)?;
    let minutes = field(parts.next()?, 60)?;
    let (seconds, fraction) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let digits: String = fraction.chars().take(7).collect();
            let valid = fraction.bytes().all(|b| b.is_ascii_digit())
                && (!seconds.contains('.') || !fraction.is_empty());
            if !valid {
                return None;
            }
            let ticks = format!("{digits:0<7}").parse::<i64>().ok()?;
            (field(whole, 60)?, ticks)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let seconds = days
        .checked_mul(24)?
        .checked_add(hours)?
        .checked_mul(60)?
        .checked_add(minutes)?
        .checked_mul(60)?
        .checked_add(seconds)?;
    let nanos = seconds
        .checked_mul(1_000_000_000)?
        .checked_add(fraction * TICK_NANOS)?;
    Some(if negative { -nanos } else { nanos })
}

// ----- Argument checks shared by the function families -----

/// A type error for an argument: names the function, what was expected and the found type.
pub(super) fn type_error(
    function: &str,
    what: &str,
    expected: &str,
    arg: &BoundExpr,
) -> Diagnostic {
    semantic(format!(
        "`{function}` expects {expected} for {what}, found `{}`",
        arg.ty
    ))
    .with_span(arg.span)
}

/// True for a column missing in the permissive mode: it takes whatever type is expected.
fn is_missing(arg: &BoundExpr) -> bool {
    matches!(arg.kind, ExprKind::Missing(_))
}

/// An argument that must be `int` or `long`, converted to `long`.
pub(super) fn integer_arg(function: &str, what: &str, arg: BoundExpr) -> DiagResult<BoundExpr> {
    if is_missing(&arg) || matches!(arg.ty, KustoType::Int | KustoType::Long) {
        Ok(fit(arg, KustoType::Long))
    } else {
        Err(type_error(
            function,
            what,
            "an integer (`int` or `long`)",
            &arg,
        ))
    }
}

/// An argument that must be a number (`int`, `long`, `real`); kept as it is, `decimal`
/// becomes `real`.
pub(super) fn number_arg(function: &str, what: &str, arg: BoundExpr) -> DiagResult<BoundExpr> {
    if is_missing(&arg) {
        return Ok(fit(arg, KustoType::Real));
    }
    match arg.ty {
        KustoType::Int | KustoType::Long | KustoType::Real => Ok(arg),
        KustoType::Decimal => Ok(fit(arg, KustoType::Real)),
        _ => Err(type_error(function, what, "a number", &arg)),
    }
}

/// An argument that must be a number, converted to `real`.
pub(super) fn real_arg(function: &str, what: &str, arg: BoundExpr) -> DiagResult<BoundExpr> {
    number_arg(function, what, arg).map(|arg| fit(arg, KustoType::Real))
}

/// An argument that must be a string (Kusto.Language's `string` parameters): `dynamic` and
/// `guid` values are converted with `tostring`; other types are an error.
pub(super) fn text_arg(function: &str, what: &str, arg: BoundExpr) -> DiagResult<BoundExpr> {
    match arg.ty {
        _ if is_missing(&arg) => Ok(fit(arg, KustoType::String)),
        KustoType::String | KustoType::Dynamic | KustoType::Guid => Ok(string_arg(arg)),
        _ => Err(type_error(function, what, "a `string`", &arg)),
    }
}

/// An argument that must have exactly the type `ty`.
pub(super) fn typed_arg(
    function: &str,
    what: &str,
    arg: BoundExpr,
    ty: KustoType,
) -> DiagResult<BoundExpr> {
    if is_missing(&arg) || arg.ty == ty {
        Ok(fit(arg, ty))
    } else {
        Err(type_error(function, what, &format!("a `{ty}`"), &arg))
    }
}

/// The text of a constant string argument; `None` when the argument is not a constant
/// string.
pub(super) fn constant_text(arg: &BoundExpr) -> Option<&str> {
    match &arg.kind {
        ExprKind::Literal(array) => {
            let strings = array.as_any().downcast_ref::<StringArray>()?;
            (strings.len() == 1 && strings.is_valid(0)).then(|| strings.value(0))
        }
        _ => None,
    }
}

/// The value of a constant integer argument (already converted to `long`); `None` when it
/// is not a constant or is null.
pub(super) fn constant_long(arg: &BoundExpr) -> Option<i64> {
    match &arg.kind {
        ExprKind::Literal(array) => {
            let longs = array.as_any().downcast_ref::<Int64Array>()?;
            (longs.len() == 1 && longs.is_valid(0)).then(|| longs.value(0))
        }
        _ => None,
    }
}

/// A constant string argument, or an error saying it must be one.
pub(super) fn required_text<'a>(
    function: &str,
    what: &str,
    arg: &'a BoundExpr,
) -> DiagResult<&'a str> {
    if arg.ty != KustoType::String && !is_missing(arg) {
        return Err(type_error(function, what, "a `string`", arg));
    }
    constant_text(arg).ok_or_else(|| {
        semantic(format!("`{function}` needs a constant string for {what}"))
            .with_span(arg.span)
            .with_hint("write a string literal, or a `let` name bound to one")
    })
}

/// The string of the first row of a constant argument, as evaluated; `""` when the call has
/// no rows.
pub(super) fn first_text<'a>(call: &'a Call<'_>, index: usize) -> DiagResult<&'a str> {
    let strings = call.strings(index)?;
    Ok(if strings.is_empty() || strings.is_null(0) {
        ""
    } else {
        strings.value(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_text() {
        assert_eq!(parse_integer(" 42 ", true), Some(42));
        assert_eq!(parse_integer("0xFF", true), Some(255));
        assert_eq!(parse_integer("2147483648", true), None);
        assert_eq!(parse_integer("2147483648", false), Some(2_147_483_648));
        assert_eq!(parse_integer("5.9", false), None);
        assert_eq!(parse_integer("", false), None);
    }

    #[test]
    fn real_text() {
        assert!(parse_real(" NaN ").is_some_and(f64::is_nan));
        assert_eq!(parse_real("+Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_real("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_real("INF"), None);
        assert_eq!(parse_real(".5"), Some(0.5));
        assert_eq!(parse_real("5."), Some(5.0));
        assert_eq!(parse_real("1e400"), Some(f64::INFINITY));
        assert_eq!(parse_real("1,234"), None);
        assert_eq!(parse_real("0x10"), None);
        assert_eq!(parse_real("--1"), None);
    }

    #[test]
    fn bool_text() {
        assert_eq!(parse_bool("tRuE"), Some(true));
        assert_eq!(parse_bool("-1"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("1.0"), None);
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn timespan_text() {
        let second = 1_000_000_000;
        assert_eq!(parse_timespan_text("90s"), Some(90 * second));
        assert_eq!(parse_timespan_text("-1d"), Some(-86_400 * second));
        assert_eq!(parse_timespan_text("01:00:00"), Some(3600 * second));
        assert_eq!(parse_timespan_text("1.5"), None);
        assert_eq!(parse_timespan_text("0:0:0.001"), Some(1_000_000));
        assert_eq!(
            parse_timespan_text("-1.2:03"),
            Some(-(26 * 3600 + 180) * second)
        );
        assert_eq!(parse_timespan_text("1:60"), None);
        assert_eq!(parse_timespan_text("9999999999999999999.1:00"), None);
        assert_eq!(parse_timespan_text("999999999999999999.1:00"), None);
        assert_eq!(parse_timespan_text("abc"), None);
    }
}
