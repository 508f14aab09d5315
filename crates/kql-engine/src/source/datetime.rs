//! Reading Kusto `datetime` and `timespan` values from text.
//!
//! Kusto keeps both types in 100 ns ticks, so every value parsed here is truncated to a whole
//! tick: two files that spell the same instant with 7 and with 9 fractional digits must compare
//! equal, as they would in Kusto.
//!
//! Accepted datetime spellings:
//!
//! - ISO 8601 and its common relaxations: `2023-10-18T14:37:28.2012261Z`, `2022-01-06T13:01:34Z`,
//!   `2019-01-15 05:24:24.010` (space, no zone: UTC), `2020-07-03 08:55:49.123472+00:00`,
//!   `2020-07-03T08:55:49-0500`, `2020-07-03` (midnight); `/` may replace `-` in the date.
//! - The Log Analytics portal export, which formats with the browser's locale:
//!   `10/18/2024, 9:29:21.125 AM` (month first, 12-hour) and `26/03/2026, 15:18:18.790`
//!   (day first, 24-hour). One value cannot say which of day and month comes first, so the
//!   caller passes a [`DateOrder`] decided for the whole column. `-` may replace `/`:
//!   `12-02-2022` is read like `12/02/2022`, as .NET's parser (and so Kusto) reads it.

use chrono::NaiveDate;

/// Nanoseconds in one Kusto tick.
pub const TICK_NANOS: i64 = 100;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Which of the first two numbers of a `a/b/yyyy` date is the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `M/d/yyyy`, as in the en-US locale and .NET's invariant culture (Kusto's own default).
    #[default]
    MonthFirst,
    /// `d/M/yyyy`, as in most other locales.
    DayFirst,
}

/// Parses a datetime and returns nanoseconds since 1970-01-01 UTC, truncated to whole ticks.
///
/// Values without a zone are UTC. `None` when the text is not a datetime in one of the accepted
/// spellings (see the module docs) or lies outside the range Arrow's nanosecond timestamps
/// hold (years 1677 to 2262).
///
/// ```
/// use kql_engine::source::datetime::{parse_datetime, DateOrder};
/// let a = parse_datetime("2024-10-18T09:29:21.125Z", DateOrder::MonthFirst);
/// let b = parse_datetime("10/18/2024, 9:29:21.125 AM", DateOrder::MonthFirst);
/// assert!(a.is_some());
/// assert_eq!(a, b);
/// ```
pub fn parse_datetime(text: &str, order: DateOrder) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if is_year_first(text) {
        parse_iso(bytes)
    } else {
        parse_slashed(bytes, order)
    }
}

/// Whether trimmed datetime text starts with a year (`2024-10-18`, `2024/10/18`): it is then
/// read as ISO 8601, whatever the column's [`DateOrder`].
pub(crate) fn is_year_first(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() > 4
        && bytes.iter().take(4).all(u8::is_ascii_digit)
        && matches!(bytes.get(4), Some(b'-' | b'/'))
}

/// True when the text is a datetime in either day/month order; used by type inference, which
/// runs before the column's order is known.
pub fn is_datetime(text: &str) -> bool {
    parse_datetime(text, DateOrder::MonthFirst).is_some()
        || parse_datetime(text, DateOrder::DayFirst).is_some()
}

/// Parses a Kusto timespan, `[-][d.]hh:mm[:ss[.fffffff]]`, and returns nanoseconds truncated to
/// whole ticks. A bare integer is a number of days, as in .NET's `TimeSpan.Parse`.
///
/// ```
/// use kql_engine::source::datetime::parse_timespan;
/// let seconds = (26 * 60 + 3) * 60 + 4;
/// assert_eq!(parse_timespan("1.02:03:04.5"), Some(seconds * 1_000_000_000 + 500_000_000));
/// assert_eq!(parse_timespan("-00:00:01"), Some(-1_000_000_000));
/// assert_eq!(parse_timespan("25:00:00"), None);
/// ```
pub fn parse_timespan(text: &str) -> Option<i64> {
    let mut cur = Cursor::new(text.trim().as_bytes());
    let negative = cur.eat(b'-');
    let first = cur.digits(1, 8)?;
    let (days, hours) = if cur.eat(b'.') {
        (first, cur.digits(1, 2)?)
    } else if cur.done() {
        let nanos = i64::from(first).checked_mul(86_400 * NANOS_PER_SECOND)?;
        return finish_timespan(negative, nanos);
    } else {
        (0, first)
    };
    if !cur.eat(b':') {
        return None;
    }
    let minutes = cur.digits(2, 2)?;
    let seconds = if cur.eat(b':') { cur.digits(2, 2)? } else { 0 };
    let nanos = if cur.eat(b'.') { cur.fraction()? } else { 0 };
    if !cur.done() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let whole = ((i64::from(days) * 24 + i64::from(hours)) * 60 + i64::from(minutes)) * 60
        + i64::from(seconds);
    finish_timespan(
        negative,
        whole.checked_mul(NANOS_PER_SECOND)?.checked_add(nanos)?,
    )
}

fn finish_timespan(negative: bool, nanos: i64) -> Option<i64> {
    Some(if negative { -nanos } else { nanos })
}

/// The two leading numbers of a `a/b/yyyy` date and whether its time has an AM/PM marker:
/// the evidence a column's [`DateOrder`] is decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlashedDate {
    pub first: u32,
    pub second: u32,
    pub has_time: bool,
    pub twelve_hour: bool,
}

/// Reads the shape of a `a/b/yyyy[, time]` value without deciding its order.
pub(crate) fn slashed_date(text: &str) -> Option<SlashedDate> {
    let mut cur = Cursor::new(text.trim().as_bytes());
    let first = cur.digits(1, 2)?;
    let separator = cur.date_separator()?;
    let second = cur.digits(1, 2)?;
    if !cur.eat(separator) {
        return None;
    }
    cur.digits(4, 4)?;
    let rest = cur.rest();
    let has_time = rest.contains(&b':');
    let upper = rest.to_ascii_uppercase();
    let twelve_hour = upper.ends_with(b"AM") || upper.ends_with(b"PM");
    Some(SlashedDate {
        first,
        second,
        has_time,
        twelve_hour,
    })
}

/// `yyyy-MM-dd[(T| )HH:mm[:ss[.f+]]][zone]`.
fn parse_iso(bytes: &[u8]) -> Option<i64> {
    let mut cur = Cursor::new(bytes);
    let year = cur.digits(4, 4)?;
    let separator = cur.next()?;
    let month = cur.digits(1, 2)?;
    if !cur.eat(separator) {
        return None;
    }
    let day = cur.digits(1, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if cur.done() {
        return to_nanos(date, Time::MIDNIGHT, 0);
    }
    if !(cur.eat(b'T') || cur.eat(b't') || cur.eat(b' ')) {
        return None;
    }
    let time = cur.time()?;
    let offset = cur.zone()?;
    if !cur.done() {
        return None;
    }
    to_nanos(date, time, offset)
}

/// The portal's locale-formatted `a/b/yyyy[,] [h:mm[:ss[.fff]] [AM|PM]]`.
fn parse_slashed(bytes: &[u8], order: DateOrder) -> Option<i64> {
    let mut cur = Cursor::new(bytes);
    let first = cur.digits(1, 2)?;
    let separator = cur.date_separator()?;
    let second = cur.digits(1, 2)?;
    if !cur.eat(separator) {
        return None;
    }
    let year = i32::try_from(cur.digits(4, 4)?).ok()?;
    let (month, day) = match order {
        DateOrder::MonthFirst => (first, second),
        DateOrder::DayFirst => (second, first),
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let comma = cur.eat(b',');
    if cur.done() && !comma {
        return to_nanos(date, Time::MIDNIGHT, 0);
    }
    if !cur.spaces() {
        return None;
    }
    let mut time = cur.time()?;
    cur.spaces();
    if let Some(pm) = cur.am_pm() {
        time.hour = twelve_hour_to_24(time.hour, pm)?;
    }
    let offset = cur.zone()?;
    if !cur.done() {
        return None;
    }
    to_nanos(date, time, offset)
}

/// Converts a 12-hour clock hour. Hours 13 to 23 with `PM` are accepted as already on a 24-hour
/// clock: Azure-Sentinel's `RiskIQ_scenrio.json` sample writes `14:51:35.857 PM`, and the
/// marker then adds nothing. Hour 0, and hours above 12 with `AM`, contradict their marker and
/// are rejected.
fn twelve_hour_to_24(hour: u32, pm: bool) -> Option<u32> {
    match (hour, pm) {
        (1..=11, false) => Some(hour),
        (12, false) => Some(0),
        (1..=11, true) => Some(hour + 12),
        (12..=23, true) => Some(hour),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
struct Time {
    hour: u32,
    minute: u32,
    second: u32,
    nanos: i64,
}

impl Time {
    const MIDNIGHT: Time = Time {
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
    };
}

/// Combines a date, a wall-clock time and its offset east of UTC in seconds.
fn to_nanos(date: NaiveDate, time: Time, offset_seconds: i64) -> Option<i64> {
    let nanos = u32::try_from(time.nanos).ok()?;
    let local = date.and_hms_nano_opt(time.hour, time.minute, time.second, nanos)?;
    let utc = local.and_utc().timestamp_nanos_opt()?;
    utc.checked_sub(offset_seconds.checked_mul(NANOS_PER_SECOND)?)
}

/// A byte cursor over ASCII date text. Every read is bounds-checked: any input, however
/// malformed, ends in `None`, never in a panic.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The `/` or `-` between the numbers of a `a/b/yyyy` date; the same must come again.
    fn date_separator(&mut self) -> Option<u8> {
        let separator = self.peek().filter(|b| matches!(b, b'/' | b'-'))?;
        self.pos += 1;
        Some(separator)
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Skips spaces; true when there was at least one.
    fn spaces(&mut self) -> bool {
        let start = self.pos;
        while self.eat(b' ') {}
        self.pos > start
    }

    /// Reads `min..=max` decimal digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let mut value: u32 = 0;
        let mut count = 0;
        while count < max {
            match self.peek() {
                Some(byte @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(byte - b'0');
                    self.pos += 1;
                    count += 1;
                }
                _ => break,
            }
        }
        (count >= min).then_some(value)
    }

    /// Reads the digits after a decimal point as nanoseconds truncated to whole ticks. Digits
    /// past the seventh are read and dropped.
    fn fraction(&mut self) -> Option<i64> {
        let mut ticks: i64 = 0;
        let mut count = 0;
        while let Some(byte @ b'0'..=b'9') = self.peek() {
            if count < 7 {
                ticks = ticks * 10 + i64::from(byte - b'0');
            }
            count += 1;
            self.pos += 1;
        }
        if count == 0 {
            return None;
        }
        for _ in count..7 {
            ticks *= 10;
        }
        Some(ticks * TICK_NANOS)
    }

    /// `H[H]:mm[:ss[.f+]]`.
    fn time(&mut self) -> Option<Time> {
        let hour = self.digits(1, 2)?;
        if !self.eat(b':') {
            return None;
        }
        let minute = self.digits(2, 2)?;
        let mut second = 0;
        let mut nanos = 0;
        if self.eat(b':') {
            second = self.digits(2, 2)?;
            if self.eat(b'.') {
                nanos = self.fraction()?;
            }
        }
        (hour < 24 && minute < 60 && second < 60).then_some(Time {
            hour,
            minute,
            second,
            nanos,
        })
    }

    /// An `AM`/`PM` marker, any case: `Some(true)` for PM.
    fn am_pm(&mut self) -> Option<bool> {
        let marker = self.rest().get(..2)?.to_ascii_uppercase();
        let pm = match marker.as_slice() {
            b"AM" => false,
            b"PM" => true,
            _ => return None,
        };
        self.pos += 2;
        Some(pm)
    }

    /// An optional zone: nothing or `Z` (UTC), `UTC`/`GMT`, or `±HH[[:]mm]`; returns the offset
    /// east of UTC in seconds. `None` for a malformed zone.
    fn zone(&mut self) -> Option<i64> {
        self.spaces();
        if self.done() || self.eat(b'Z') || self.eat(b'z') {
            return Some(0);
        }
        let rest = self.rest();
        if rest.eq_ignore_ascii_case(b"UTC") || rest.eq_ignore_ascii_case(b"GMT") {
            self.pos = self.bytes.len();
            return Some(0);
        }
        let sign = match self.next()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours = self.digits(2, 2)?;
        self.eat(b':');
        let minutes = if self.done() { 0 } else { self.digits(2, 2)? };
        (hours <= 14 && minutes < 60).then_some(sign * i64::from(hours * 3600 + minutes * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        match parse_datetime(text, DateOrder::MonthFirst) {
            Some(nanos) => nanos,
            None => panic!("`{text}` should parse"),
        }
    }

    const BASE: &str = "2023-10-18T14:37:28Z";

    #[test]
    fn iso_spellings_agree() {
        let base = utc(BASE);
        assert_eq!(utc("2023-10-18T14:37:28"), base);
        assert_eq!(utc("2023-10-18 14:37:28"), base);
        assert_eq!(utc("2023-10-18t14:37:28z"), base);
        assert_eq!(utc("2023/10/18 14:37:28"), base);
        assert_eq!(utc("2023-10-18T14:37:28+00:00"), base);
        assert_eq!(utc("2023-10-18T16:37:28+02:00"), base);
        assert_eq!(utc("2023-10-18T09:37:28-0500"), base);
        assert_eq!(utc("2023-10-18T16:37:28+02"), base);
        assert_eq!(utc("2023-10-18 14:37:28 UTC"), base);
        assert_eq!(utc("  2023-10-18T14:37:28Z "), base);
        assert_eq!(utc("2023-10-18T14:37Z"), base - 28 * NANOS_PER_SECOND);
        assert_eq!(
            utc("2023-10-18"),
            base - (14 * 3600 + 37 * 60 + 28) * NANOS_PER_SECOND
        );
    }

    #[test]
    fn fractions_keep_ticks_and_drop_the_rest() {
        let base = utc(BASE);
        assert_eq!(utc("2023-10-18T14:37:28.2012261Z"), base + 201_226_100);
        assert_eq!(utc("2023-10-18T14:37:28.201226199Z"), base + 201_226_100);
        assert_eq!(utc("2023-10-18T14:37:28.5Z"), base + 500_000_000);
        assert_eq!(
            utc("2020-07-03 08:55:49.123472+00:00") % NANOS_PER_SECOND,
            123_472_000
        );
    }

    #[test]
    fn portal_formats() {
        let month_first = parse_datetime("10/18/2024, 9:29:21.125 AM", DateOrder::MonthFirst);
        assert_eq!(month_first, Some(utc("2024-10-18T09:29:21.125Z")));
        let pm = parse_datetime("3/31/2022, 10:51:35.857 PM", DateOrder::MonthFirst);
        assert_eq!(pm, Some(utc("2022-03-31T22:51:35.857Z")));
        let noon = parse_datetime("3/31/2022, 12:00:00.000 PM", DateOrder::MonthFirst);
        assert_eq!(noon, Some(utc("2022-03-31T12:00:00Z")));
        let midnight = parse_datetime("3/31/2022, 12:00:00.000 am", DateOrder::MonthFirst);
        assert_eq!(midnight, Some(utc("2022-03-31T00:00:00Z")));
        let day_first = parse_datetime("26/03/2026, 15:18:18.790", DateOrder::DayFirst);
        assert_eq!(day_first, Some(utc("2026-03-26T15:18:18.790Z")));
        assert_eq!(
            parse_datetime("26/03/2026, 15:18:18.790", DateOrder::MonthFirst),
            None
        );
        assert_eq!(
            parse_datetime("1/2/2020", DateOrder::DayFirst),
            Some(utc("2020-02-01"))
        );
    }

    /// `12-02-2022` as in the todatetime docs page (`todatetime-function-01`); mixed separators
    /// are not a date.
    #[test]
    fn dashes_may_replace_slashes() {
        let dashed = parse_datetime("12-02-2022", DateOrder::MonthFirst);
        assert_eq!(dashed, Some(utc("2022-12-02")));
        assert_eq!(parse_datetime("12-02/2022", DateOrder::MonthFirst), None);
        assert_eq!(
            parse_datetime("2-12-2022 10:00", DateOrder::DayFirst),
            Some(utc("2022-12-02T10:00:00Z"))
        );
    }

    #[test]
    fn redundant_pm_is_accepted_and_contradictions_are_not() {
        // The RiskIQ sample's `14:51:35.857 PM`: see `twelve_hour_to_24`.
        let value = parse_datetime("3/31/2022, 14:51:35.857 PM", DateOrder::MonthFirst);
        assert_eq!(value, Some(utc("2022-03-31T14:51:35.857Z")));
        assert_eq!(
            parse_datetime("3/31/2022, 14:51:35 AM", DateOrder::MonthFirst),
            None
        );
        assert_eq!(
            parse_datetime("3/31/2022, 0:51:35 PM", DateOrder::MonthFirst),
            None
        );
    }

    #[test]
    fn rejects_what_is_not_a_datetime() {
        for text in [
            "",
            "yesterday",
            "2023",
            "2023-13-01",
            "2023-02-30",
            "2023-10-18T25:00:00",
            "2023-10-18T14:37:28Zjunk",
            "2023-10-18T14:37:28.",
            "2023-10-18T14:37:28+99:00",
            "10/18/2024,",
            "10/18/24",
            "12345",
            "9999-12-31",
            "é/é/é",
        ] {
            assert_eq!(parse_datetime(text, DateOrder::MonthFirst), None, "{text}");
            assert!(!is_datetime(text), "{text}");
        }
    }

    #[test]
    fn slashed_date_evidence() {
        let shape = slashed_date("26/03/2026, 15:18:18.790");
        let expected = SlashedDate {
            first: 26,
            second: 3,
            has_time: true,
            twelve_hour: false,
        };
        assert_eq!(shape, Some(expected));
        assert_eq!(
            slashed_date("10/18/2024, 9:29:21.125 AM").map(|d| d.twelve_hour),
            Some(true)
        );
        assert_eq!(slashed_date("2024-10-18"), None);
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:00:00"), Some(0));
        assert_eq!(parse_timespan("00:01"), Some(60 * NANOS_PER_SECOND));
        assert_eq!(parse_timespan("2"), Some(2 * 86_400 * NANOS_PER_SECOND));
        assert_eq!(parse_timespan("00:00:00.0000001"), Some(100));
        assert_eq!(parse_timespan("00:00:00.00000019"), Some(100));
        assert_eq!(
            parse_timespan("-1.00:00:00"),
            Some(-86_400 * NANOS_PER_SECOND)
        );
        let bad = [
            "",
            "x",
            "1:2",
            "00:60:00",
            "00:00:60",
            "1.",
            "00:00:00.",
            "--1",
            "99999999",
        ];
        for text in bad {
            assert_eq!(parse_timespan(text), None, "{text}");
        }
    }

    #[test]
    fn arbitrary_text_never_panics() {
        // A fixed pseudo-random stream over the characters dates are made of.
        let alphabet: Vec<char> = "0123456789-/:.,+TZ APMapmé9".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let text: String = (0..len)
                .map(|i| {
                    alphabet[(state.rotate_left(i as u32 * 5) % alphabet.len() as u64) as usize]
                })
                .collect();
            for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
                let _ = parse_datetime(&text, order);
            }
            let _ = parse_timespan(&text);
            let _ = slashed_date(&text);
        }
    }
}
