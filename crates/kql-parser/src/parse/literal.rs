//! Builders for literals: strings in all their forms, numbers, timespans, typed literals and
//! `dynamic(...)`.

use pest::iterators::Pair;

use super::{BuildResult, Rule, children, first_child, missing, span_of, unexpected};
use crate::ast::{DynamicValue, Literal, StringLiteral, TypeName};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Ticks (100 ns) per day.
pub const TICKS_PER_DAY: i64 = 864_000_000_000;

/// `literal`: any literal.
pub(crate) fn literal(pair: Pair<'_, Rule>) -> BuildResult<Literal> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::string_literal => Ok(Literal::String(string_literal(inner)?)),
        Rule::typed_literal => typed_literal(inner),
        Rule::timespan_literal => Ok(Literal::TimeSpan(timespan_literal(&inner)?)),
        Rule::real_literal => real_literal(&inner).map(Literal::Real),
        Rule::long_literal => long_literal(&inner).map(Literal::Long),
        Rule::bool_literal => Ok(Literal::Bool(bool_literal(&inner))),
        _ => Err(unexpected(&inner)),
    }
}

/// `string_literal`: adjacent parts joined into one value.
pub(crate) fn string_literal(pair: Pair<'_, Rule>) -> BuildResult<StringLiteral> {
    let mut value = String::new();
    let mut obfuscated = false;
    for part in pair.into_inner() {
        for piece in part.into_inner() {
            match piece.as_rule() {
                Rule::obfuscated => obfuscated = true,
                Rule::quoted_string => {
                    let body = first_child(piece)?;
                    unescape(body.as_str(), body.as_span().start(), &mut value)?;
                }
                Rule::verbatim_string => {
                    let body = first_child(piece)?;
                    let doubled = if body.as_rule() == Rule::verbatim_single {
                        "''"
                    } else {
                        "\"\""
                    };
                    value.push_str(&body.as_str().replace(doubled, &doubled[..1]));
                }
                Rule::multiline_string => value.push_str(first_child(piece)?.as_str()),
                _ => return Err(unexpected(&piece)),
            }
        }
    }
    Ok(StringLiteral { value, obfuscated })
}

/// Resolves the backslash escapes of a quoted string body into `out`. `offset` is the
/// body's position in the query, for error spans.
fn unescape(body: &str, offset: usize, out: &mut String) -> BuildResult<()> {
    let mut chars = body.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escape)) = chars.next() else {
            return Err(bad_escape(
                offset + index,
                1,
                "a string cannot end with `\\`",
            ));
        };
        let simple = match escape {
            '\'' => Some('\''),
            '"' => Some('"'),
            '\\' => Some('\\'),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'v' => Some('\u{b}'),
            _ => None,
        };
        if let Some(resolved) = simple {
            out.push(resolved);
            continue;
        }
        let (radix, digits) = match escape {
            'u' => (16, 4),
            'U' => (16, 8),
            'x' => (16, 2),
            '0'..='7' => (8, 3),
            other => {
                let message = format!("unknown escape sequence `\\{other}` in a string");
                return Err(bad_escape(offset + index, 1 + other.len_utf8(), &message)
                    .with_hint("write `\\\\` for a backslash, or use a verbatim string `@'...'`"));
            }
        };
        let mut code = String::new();
        if radix == 8 {
            code.push(escape);
        }
        while code.len() < digits {
            match chars.peek() {
                Some((_, d)) if d.is_digit(radix) => {
                    code.push(*d);
                    chars.next();
                }
                _ => break,
            }
        }
        let resolved = u32::from_str_radix(&code, radix)
            .ok()
            .and_then(char::from_u32);
        match resolved {
            Some(resolved) if code.len() == digits => out.push(resolved),
            _ => {
                let message = format!("invalid escape sequence `\\{escape}{code}` in a string");
                let hint = match escape {
                    'u' => "`\\u` takes four hex digits: `\\u00e9`",
                    'U' => "`\\U` takes eight hex digits: `\\U0001F600`",
                    'x' => "`\\x` takes two hex digits: `\\x41`",
                    _ => "an octal escape takes three digits: `\\101`",
                };
                return Err(bad_escape(offset + index, 2 + code.len(), &message)
                    .with_hint(hint)
                    .with_hint("write `\\\\` for a backslash, or use a verbatim string `@'...'`"));
            }
        }
    }
    Ok(())
}

/// A syntax error for the escape sequence at `start`.
fn bad_escape(start: usize, len: usize, message: &str) -> Diagnostic {
    Diagnostic::syntax(message, Span::new(start, start + len))
}

/// `bool_literal`.
pub(crate) fn bool_literal(pair: &Pair<'_, Rule>) -> bool {
    pair.as_str().eq_ignore_ascii_case("true")
}

/// `long_literal`: decimal or `0x` hex.
fn long_literal(pair: &Pair<'_, Rule>) -> BuildResult<i64> {
    parse_integer(pair.as_str()).ok_or_else(|| {
        Diagnostic::syntax(
            format!("`{}` does not fit in a long", pair.as_str()),
            span_of(pair),
        )
        .with_hint(
            "a minus before a number is an operator: write the smallest long as \
             `long(-9223372036854775808)`",
        )
    })
}

/// An integer with an optional sign and `0x` prefix.
fn parse_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// `real_literal`.
fn real_literal(pair: &Pair<'_, Rule>) -> BuildResult<f64> {
    finite_real(pair.as_str(), span_of(pair))
}

/// Reads a real number, refusing ones too large for a 64-bit float (`1e999`).
fn finite_real(text: &str, span: Span) -> BuildResult<f64> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(
            Diagnostic::syntax(format!("`{text}` is too large for a real"), span)
                .with_hint("write `real(+inf)` or `real(-inf)` for an infinite value"),
        ),
        Err(_) => Err(Diagnostic::syntax(
            format!("`{text}` is not a valid real number"),
            span,
        )),
    }
}

/// `timespan_literal`: `90d`, `1.5h`.
fn timespan_literal(pair: &Pair<'_, Rule>) -> BuildResult<i64> {
    let text = pair.as_str();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    scaled_ticks(number, unit).ok_or_else(|| {
        Diagnostic::syntax(
            format!("`{text}` is too large for a timespan"),
            span_of(pair),
        )
    })
}

/// Nanoseconds in one of each timespan unit.
fn unit_nanos(unit: &str) -> Option<i128> {
    Some(match unit {
        "d" | "day" | "days" => 86_400_000_000_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000_000_000,
        "m" | "min" | "minute" | "minutes" => 60_000_000_000,
        "s" | "sec" | "second" | "seconds" => 1_000_000_000,
        "ms" | "milli" | "millis" | "millisec" | "millisecond" | "milliseconds" => 1_000_000,
        "micro" | "micros" | "microsec" | "microsecond" | "microseconds" => 1_000,
        "nano" | "nanos" | "nanosec" | "nanosecond" | "nanoseconds" => 1,
        "tick" | "ticks" => 100,
        _ => return None,
    })
}

/// `number` of `unit`, in ticks, computed exactly and rounded to the nearest tick.
fn scaled_ticks(number: &str, unit: &str) -> Option<i64> {
    let nanos_per_unit = unit_nanos(unit)?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = 10i128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let nanos = mantissa.checked_mul(nanos_per_unit)?;
    let ticks = (nanos + scale * 50) / (scale * 100);
    i64::try_from(ticks).ok()
}

/// `typed_literal`: `long(null)`, `datetime(...)`, `timespan(...)`, `dynamic(...)`...
fn typed_literal(pair: Pair<'_, Rule>) -> BuildResult<Literal> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    match inner.as_rule() {
        Rule::null_literal => {
            let ty = type_name(first_child(inner)?);
            if ty.name == "string" {
                return Err(
                    Diagnostic::syntax("there is no `string(null)` in Kusto", span)
                        .with_hint("strings are never null: use an empty string `''`"),
                );
            }
            Ok(Literal::Null(ty))
        }
        Rule::datetime_literal => Ok(Literal::DateTime(raw_body(inner)?)),
        Rule::timespan_call => {
            let body_pair = first_child(inner)?;
            let body = body_pair.as_str().trim();
            timespan_body(body).map(Literal::TimeSpan).ok_or_else(|| {
                Diagnostic::syntax(
                    format!("`{body}` is not a valid timespan"),
                    span_of(&body_pair),
                )
            })
        }
        Rule::guid_call => Ok(Literal::Guid(raw_body(inner)?)),
        Rule::decimal_call => Ok(Literal::Decimal(raw_body(inner)?)),
        Rule::bool_call => Ok(Literal::Bool(bool_literal(&first_child(inner)?))),
        Rule::int_call => {
            let text = first_child(inner)?.as_str();
            let value = parse_integer(text).and_then(|value| i32::try_from(value).ok());
            let message = format!("`{text}` does not fit in an int");
            Ok(Literal::Int(
                value.ok_or_else(|| Diagnostic::syntax(message, span))?,
            ))
        }
        Rule::long_call => {
            let text = first_child(inner)?.as_str();
            let message = format!("`{text}` does not fit in a long");
            Ok(Literal::Long(
                parse_integer(text).ok_or_else(|| Diagnostic::syntax(message, span))?,
            ))
        }
        Rule::real_call => {
            let body = first_child(inner)?;
            let value = match body.as_str() {
                "nan" => f64::NAN,
                "inf" | "+inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                text => finite_real(text, span)?,
            };
            Ok(Literal::Real(value))
        }
        Rule::dynamic_literal => Ok(Literal::Dynamic(dynamic_value(first_child(inner)?)?)),
        _ => Err(unexpected(&inner)),
    }
}

/// The trimmed raw text between the parentheses of a typed literal.
fn raw_body(pair: Pair<'_, Rule>) -> BuildResult<String> {
    Ok(first_child(pair)?.as_str().trim().to_string())
}

/// The body of `timespan(...)`: `1d`, `15 seconds`, `2` (days), `[d.]hh:mm[:ss[.f]]`.
pub fn timespan_body(body: &str) -> Option<i64> {
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, body),
    };
    let ticks = if body.contains(':') {
        clock_ticks(body)?
    } else {
        let split = body
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(body.len());
        let (number, unit) = body.split_at(split);
        let unit = if unit.is_empty() { "d" } else { unit };
        scaled_ticks(number.trim(), unit)?
    };
    Some(if negative { -ticks } else { ticks })
}

/// `[d.]hh:mm[:ss[.fffffff]]` in ticks.
fn clock_ticks(text: &str) -> Option<i64> {
    let (days, clock) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (days, _) = head.split_once('.')?;
            (days.parse::<i64>().ok()?, text.get(days.len() + 1..)?)
        }
        _ => (0, text),
    };
    let mut parts = clock.split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds = parts.next().unwrap_or("0");
    if parts.next().is_some() || minutes > 59 {
        return None;
    }
    let second_ticks = scaled_ticks(seconds, "s")?;
    let whole = ((days * 24 + hours) * 60 + minutes).checked_mul(600_000_000)?;
    whole.checked_add(second_ticks)
}

/// `type_name`.
pub(crate) fn type_name(pair: Pair<'_, Rule>) -> TypeName {
    TypeName {
        name: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

/// `dynamic_value`: the inside of `dynamic(...)`.
fn dynamic_value(pair: Pair<'_, Rule>) -> BuildResult<DynamicValue> {
    let rule = pair.as_rule();
    let inner = pair.into_inner().next().ok_or_else(|| missing(rule))?;
    let span = span_of(&inner);
    Ok(match inner.as_rule() {
        Rule::kw_null => DynamicValue::Null,
        Rule::dynamic_literal => dynamic_value(first_child(inner)?)?,
        Rule::dynamic_array => {
            let items = children(inner)
                .map(dynamic_value)
                .collect::<BuildResult<_>>()?;
            DynamicValue::Array(items)
        }
        Rule::dynamic_bag => {
            let mut entries = Vec::new();
            for entry in children(inner) {
                let mut parts = children(entry);
                let key = parts.next().ok_or_else(|| missing(Rule::dynamic_entry))?;
                let value = parts.next().ok_or_else(|| missing(Rule::dynamic_entry))?;
                entries.push((string_literal(key)?.value, dynamic_value(value)?));
            }
            DynamicValue::Bag(entries)
        }
        Rule::string_literal => DynamicValue::String(string_literal(inner)?.value),
        Rule::datetime_literal => DynamicValue::DateTime(raw_body(inner)?),
        Rule::timespan_call => {
            let body = first_child(inner)?.as_str().trim().to_string();
            let ticks = timespan_body(&body)
                .ok_or_else(|| Diagnostic::syntax("not a valid timespan", span))?;
            DynamicValue::TimeSpan(ticks)
        }
        Rule::timespan_literal => DynamicValue::TimeSpan(timespan_literal(&inner)?),
        Rule::bool_literal => DynamicValue::Bool(bool_literal(&inner)),
        Rule::signed_number => {
            let text = inner.as_str();
            match parse_integer(text) {
                Some(value) if !text.contains(['.', 'e', 'E']) => DynamicValue::Long(value),
                _ => DynamicValue::Real(finite_real(text, span)?),
            }
        }
        _ => return Err(unexpected(&inner)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespan_bodies_in_every_documented_form() {
        assert_eq!(timespan_body("1d"), Some(TICKS_PER_DAY));
        assert_eq!(timespan_body("2"), Some(2 * TICKS_PER_DAY));
        assert_eq!(timespan_body("15 seconds"), Some(150_000_000));
        assert_eq!(timespan_body("00:01:00"), Some(600_000_000));
        assert_eq!(
            timespan_body("0.12:34:56.7"),
            Some(((12 * 60 + 34) * 60 + 56) * 10_000_000 + 7_000_000)
        );
        assert_eq!(timespan_body("1.00:00:00"), Some(TICKS_PER_DAY));
        assert_eq!(timespan_body("-1d"), Some(-TICKS_PER_DAY));
        assert_eq!(timespan_body("1w"), None);
    }

    #[test]
    fn fractional_units_are_exact() {
        assert_eq!(scaled_ticks("1.5", "h"), Some(54_000_000_000));
        assert_eq!(scaled_ticks("1", "tick"), Some(1));
        assert_eq!(scaled_ticks("1", "microsecond"), Some(10));
    }

    #[test]
    fn escapes_resolve_and_unknown_ones_fail() {
        let mut out = String::new();
        unescape(r#"a\tb\u0041\x42\\\'"#, 0, &mut out).unwrap();
        assert_eq!(out, "a\tbAB\\'");
        let error = unescape(r"\d", 10, &mut String::new()).unwrap_err();
        assert_eq!(
            (error.span.unwrap().start, error.span.unwrap().end),
            (10, 12)
        );
    }
}
