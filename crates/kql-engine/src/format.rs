//! Kusto's text forms of values: what `tostring()` returns and what results print as.
//!
//! | Kusto type | Text                                                         |
//! |------------|--------------------------------------------------------------|
//! | `datetime` | `2017-01-01T00:00:00.5Z`: ISO 8601 in UTC, 100 ns ticks      |
//! | `timespan` | `-1.02:03:04.5000000`: `[-][d.]hh:mm:ss[.fffffff]`           |
//! | `real`     | `2`, `0.5`, `1E+15`, `NaN`, `Infinity`: as .NET prints it    |

use std::fmt;

use chrono::{DateTime, Datelike, Timelike};

/// Kusto counts time in ticks of 100 ns, so it never prints more than 7 fractional digits.
const NANOS_PER_TICK: i128 = 100;
const TICKS_PER_SECOND: u128 = 10_000_000;
const TICKS_PER_MINUTE: u128 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: u128 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: u128 = 24 * TICKS_PER_HOUR;

/// .NET, and so Kusto, switches a `real` to exponent notation at 15 significant digits.
const REAL_FIXED_DIGITS: i32 = 15;

/// A datetime (nanoseconds since 1970, UTC) as Kusto prints it.
///
/// ```
/// assert_eq!(kql_engine::format::datetime(500_000_000), "1970-01-01T00:00:00.5Z");
/// ```
pub fn datetime(nanos: i64) -> String {
    let mut out = String::new();
    let _ = write_datetime(&mut out, i128::from(nanos));
    out
}

/// A timespan (nanoseconds) as Kusto prints it.
///
/// ```
/// assert_eq!(kql_engine::format::timespan(-90_000_000_000), "-00:01:30");
/// ```
pub fn timespan(nanos: i64) -> String {
    let mut out = String::new();
    let _ = write_timespan(&mut out, i128::from(nanos));
    out
}

/// A real as Kusto prints it.
///
/// ```
/// assert_eq!(kql_engine::format::real(2.0), "2");
/// assert_eq!(kql_engine::format::real(f64::NAN), "NaN");
/// ```
pub fn real(x: f64) -> String {
    let mut out = String::new();
    let _ = write_real(&mut out, x);
    out
}

/// The text Kusto uses for a NaN or infinite `real`; `None` for a finite one.
pub fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x == f64::INFINITY {
        Some("Infinity")
    } else if x == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// Writes a `real` with the fewest digits that read back to the same float, in the layout of
/// .NET's `double.ToString()`: fixed notation for decimal exponents from -4 up to 14 (or up to
/// the digit count, when that is larger), else `1.5E-07` or `1E+15`.
pub fn write_real(f: &mut impl fmt::Write, x: f64) -> fmt::Result {
    if let Some(text) = non_finite(x) {
        return f.write_str(text);
    }

    // `{:e}` gives the shortest round-trip digits, as in `1.5e-7`.
    let scientific = format!("{x:e}");
    let Some((mantissa, exponent)) = scientific
        .split_once('e')
        .and_then(|(mantissa, exponent)| Some((mantissa, exponent.parse::<i32>().ok()?)))
    else {
        return write!(f, "{x}");
    };

    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let fixed_below = i32::try_from(digits)
        .unwrap_or(i32::MAX)
        .max(REAL_FIXED_DIGITS);
    if x == 0.0 || (-5 < exponent && exponent < fixed_below) {
        write!(f, "{x}")
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        write!(f, "{mantissa}E{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Writes a `datetime` as ISO 8601 in UTC: seconds always, then the fraction of a second
/// in 100 ns ticks, without trailing zeros, only when it is not zero.
pub fn write_datetime(f: &mut impl fmt::Write, nanos: i128) -> fmt::Result {
    // Flooring (not truncating) keeps instants before 1970 in the right second.
    let ticks = nanos.div_euclid(NANOS_PER_TICK);
    let seconds = ticks.div_euclid(TICKS_PER_SECOND as i128);
    let fraction = ticks.rem_euclid(TICKS_PER_SECOND as i128);

    let Some(time) = i64::try_from(seconds)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
    else {
        // Beyond chrono's range of years, and far beyond Kusto's (years 1 to 9999).
        return write!(f, "{nanos}");
    };

    write!(
        f,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )?;
    if fraction != 0 {
        let digits = format!("{fraction:07}");
        write!(f, ".{}", digits.trim_end_matches('0'))?;
    }
    f.write_str("Z")
}

/// Writes a `timespan` as `[-][d.]hh:mm:ss[.fffffff]`: days only when there are any, and
/// all seven tick digits of the fraction when it is not zero, as Kusto does.
pub fn write_timespan(f: &mut impl fmt::Write, nanos: i128) -> fmt::Result {
    // Truncating toward zero keeps `-x` printed as `-` followed by the text of `x`.
    let ticks = nanos / NANOS_PER_TICK;
    if ticks < 0 {
        f.write_str("-")?;
    }

    let ticks = ticks.unsigned_abs();
    let days = ticks / TICKS_PER_DAY;
    let hours = ticks % TICKS_PER_DAY / TICKS_PER_HOUR;
    let minutes = ticks % TICKS_PER_HOUR / TICKS_PER_MINUTE;
    let seconds = ticks % TICKS_PER_MINUTE / TICKS_PER_SECOND;
    let fraction = ticks % TICKS_PER_SECOND;

    if days != 0 {
        write!(f, "{days}.")?;
    }
    write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
    if fraction != 0 {
        write!(f, ".{fraction:07}")?;
    }
    Ok(())
}
