//! One result cell: reading it out of an Arrow array, and printing it the way Kusto does.
//!
//! Every output format goes through [`Value`], so a datetime or a timespan reads the same
//! in a table, a CSV file and a JSON document. The text forms follow Kusto's own answers:
//!
//! | Kusto type | Text                                                         |
//! |------------|--------------------------------------------------------------|
//! | `datetime` | `2017-01-01T00:00:00.5Z`: ISO 8601 in UTC, 100 ns ticks      |
//! | `timespan` | `-1.02:03:04.5000000`: `[-][d.]hh:mm:ss[.fffffff]`           |
//! | `real`     | `2`, `0.5`, `1E+15`, `NaN`, `Infinity`: as .NET prints it    |
//! | `dynamic`  | the JSON text with the whitespace between tokens removed     |
//! | null       | the empty string                                             |

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Date64Type, DurationMicrosecondType,
    DurationMillisecondType, DurationNanosecondType, DurationSecondType, Field, Float16Type,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow::util::display::array_value_to_string;
pub use kql_engine::format::non_finite;
use kql_engine::format::{write_datetime, write_real, write_timespan};
use kql_engine::types::KustoType;

const NANOS_PER_DAY: i128 = 86_400_000_000_000;

/// One cell of a query result, borrowed from its Arrow array where it can be.
///
/// Its [`Display`](fmt::Display) form is the text Kusto shows in a table or a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A null of any type but `string`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int` or `long`.
    Long(i64),
    /// An unsigned 64-bit integer read from a file; Kusto would call it `long`.
    ULong(u64),
    /// `real`.
    Real(f64),
    /// `decimal`, held as a float.
    Decimal(f64),
    /// `string`; a null string reads as `""`.
    String(&'a str),
    /// `guid`.
    Guid(&'a str),
    /// `datetime`, as nanoseconds since 1970-01-01T00:00:00Z.
    DateTime(i128),
    /// `timespan`, as nanoseconds.
    TimeSpan(i128),
    /// `dynamic`: the stored JSON text, which may be malformed.
    Dynamic(&'a str),
    /// A value of an Arrow type Kusto has no counterpart for, in Arrow's display form.
    Other(String),
}

impl Value<'_> {
    /// Appends the value's text form (its [`Display`](fmt::Display)) to `buf`.
    pub fn push_text(&self, buf: &mut String) {
        // Writing into a `String` cannot fail, and `fmt` below only fails when its writer does.
        let _ = write!(buf, "{self}");
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Long(n) => write!(f, "{n}"),
            Value::ULong(n) => write!(f, "{n}"),
            Value::Real(x) => write_real(f, *x),
            Value::Decimal(x) => match non_finite(*x) {
                Some(text) => f.write_str(text),
                // .NET prints a decimal in fixed notation, whatever its size.
                None => write!(f, "{x}"),
            },
            Value::String(text) | Value::Guid(text) => f.write_str(text),
            Value::DateTime(nanos) => write_datetime(f, *nanos),
            Value::TimeSpan(nanos) => write_timespan(f, *nanos),
            Value::Dynamic(text) => f.write_str(&compact_json(text).unwrap_or(Cow::Borrowed(text))),
            Value::Other(text) => f.write_str(text),
        }
    }
}

/// Reads the cells of one column of one batch as [`Value`]s.
///
/// The Arrow type of the array decides how a cell is read; the field's Kusto type tag only
/// tells apart the Kusto types that share an Arrow type (`string`, `guid` and `dynamic`;
/// `real` and `decimal`). Arrays of other Arrow types are shown with Arrow's display form.
#[derive(Debug, Clone, Copy)]
pub struct ColumnReader<'a> {
    array: Option<&'a dyn Array>,
    kusto_type: Option<KustoType>,
}

impl<'a> ColumnReader<'a> {
    /// A reader of `array`, the column described by `field`. A missing array (a batch with
    /// fewer columns than its schema) reads as all nulls.
    pub fn new(field: &Field, array: Option<&'a dyn Array>) -> Self {
        ColumnReader {
            array,
            kusto_type: KustoType::of_field(field),
        }
    }

    /// The value at `row`; [`Value::Null`] past the end of the array.
    pub fn value(&self, row: usize) -> Value<'a> {
        let Some(array) = self.array.filter(|array| row < array.len()) else {
            return Value::Null;
        };

        if array.is_null(row) {
            // Kusto strings are never null: a missing string is the empty string.
            return match self.kusto_type {
                Some(KustoType::String) => Value::String(""),
                _ => Value::Null,
            };
        }

        read(array, self.kusto_type, row)
            .unwrap_or_else(|| array_value_to_string(array, row).map_or(Value::Null, Value::Other))
    }
}

/// Reads a non-null cell of an Arrow type Kusto knows; `None` for any other Arrow type.
fn read(array: &dyn Array, kusto_type: Option<KustoType>, row: usize) -> Option<Value<'_>> {
    Some(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(array.as_boolean_opt()?.value(row)),
        DataType::Int8 => Value::Long(primitive::<Int8Type>(array, row)?.into()),
        DataType::Int16 => Value::Long(primitive::<Int16Type>(array, row)?.into()),
        DataType::Int32 => Value::Long(primitive::<Int32Type>(array, row)?.into()),
        DataType::Int64 => Value::Long(primitive::<Int64Type>(array, row)?),
        DataType::UInt8 => Value::Long(primitive::<UInt8Type>(array, row)?.into()),
        DataType::UInt16 => Value::Long(primitive::<UInt16Type>(array, row)?.into()),
        DataType::UInt32 => Value::Long(primitive::<UInt32Type>(array, row)?.into()),
        DataType::UInt64 => Value::ULong(primitive::<UInt64Type>(array, row)?),
        DataType::Float16 => real(kusto_type, primitive::<Float16Type>(array, row)?.into()),
        DataType::Float32 => real(kusto_type, primitive::<Float32Type>(array, row)?.into()),
        DataType::Float64 => real(kusto_type, primitive::<Float64Type>(array, row)?),
        DataType::Utf8 => text(kusto_type, array.as_string_opt::<i32>()?.value(row)),
        DataType::LargeUtf8 => text(kusto_type, array.as_string_opt::<i64>()?.value(row)),
        DataType::Utf8View => text(kusto_type, array.as_string_view_opt()?.value(row)),
        DataType::Timestamp(unit, _) => Value::DateTime(timestamp_nanos(array, *unit, row)?),
        DataType::Date32 => {
            Value::DateTime(i128::from(primitive::<Date32Type>(array, row)?) * NANOS_PER_DAY)
        }
        DataType::Date64 => {
            Value::DateTime(i128::from(primitive::<Date64Type>(array, row)?) * 1_000_000)
        }
        DataType::Duration(unit) => Value::TimeSpan(duration_nanos(array, *unit, row)?),
        _ => return None,
    })
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> Option<T::Native> {
    array.as_primitive_opt::<T>().map(|array| array.value(row))
}

fn real<'a>(kusto_type: Option<KustoType>, x: f64) -> Value<'a> {
    match kusto_type {
        Some(KustoType::Decimal) => Value::Decimal(x),
        _ => Value::Real(x),
    }
}

fn text(kusto_type: Option<KustoType>, text: &str) -> Value<'_> {
    match kusto_type {
        Some(KustoType::Guid) => Value::Guid(text),
        Some(KustoType::Dynamic) => Value::Dynamic(text),
        _ => Value::String(text),
    }
}

fn nanos_per_unit(unit: TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

fn timestamp_nanos(array: &dyn Array, unit: TimeUnit, row: usize) -> Option<i128> {
    let raw = match unit {
        TimeUnit::Second => primitive::<TimestampSecondType>(array, row),
        TimeUnit::Millisecond => primitive::<TimestampMillisecondType>(array, row),
        TimeUnit::Microsecond => primitive::<TimestampMicrosecondType>(array, row),
        TimeUnit::Nanosecond => primitive::<TimestampNanosecondType>(array, row),
    }?;
    Some(i128::from(raw) * nanos_per_unit(unit))
}

fn duration_nanos(array: &dyn Array, unit: TimeUnit, row: usize) -> Option<i128> {
    let raw = match unit {
        TimeUnit::Second => primitive::<DurationSecondType>(array, row),
        TimeUnit::Millisecond => primitive::<DurationMillisecondType>(array, row),
        TimeUnit::Microsecond => primitive::<DurationMicrosecondType>(array, row),
        TimeUnit::Nanosecond => primitive::<DurationNanosecondType>(array, row),
    }?;
    Some(i128::from(raw) * nanos_per_unit(unit))
}

/// The JSON text of a `dynamic` value with the whitespace between tokens removed, keeping
/// the order of keys and the spelling of numbers; `None` when `text` is not valid JSON.
pub fn compact_json(text: &str) -> Option<Cow<'_, str>> {
    serde_json::from_str::<serde_json::Value>(text).ok()?;

    let is_blank = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    if !text.contains(is_blank) {
        return Some(Cow::Borrowed(text));
    }

    // Valid JSON has no raw whitespace but spaces inside strings, so only the string state
    // (and the escape that may hide a quote) needs tracking.
    let mut compact = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            compact.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !is_blank(c) {
            in_string = c == '"';
            compact.push(c);
        }
    }
    Some(Cow::Owned(compact))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, DurationNanosecondArray,
        DurationSecondArray, Float64Array, Int32Array, Int64Array, NullArray, StringArray,
        TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
    };
    use arrow::datatypes::Field;

    use super::*;

    const SECOND: i128 = 1_000_000_000;
    const HOUR: i128 = 3_600 * SECOND;
    const DAY: i128 = 24 * HOUR;

    fn datetime(nanos: i128) -> String {
        Value::DateTime(nanos).to_string()
    }

    fn timespan(nanos: i128) -> String {
        Value::TimeSpan(nanos).to_string()
    }

    fn real(x: f64) -> String {
        Value::Real(x).to_string()
    }

    /// Nanoseconds since the epoch of a UTC date and time given as RFC 3339 text.
    fn instant(text: &str) -> i128 {
        let time = chrono::DateTime::parse_from_rfc3339(text).expect("test instants are valid");
        i128::from(
            time.timestamp_nanos_opt()
                .expect("test instants fit in i64 nanoseconds"),
        )
    }

    fn read_all(ty: KustoType, array: ArrayRef) -> Vec<String> {
        let field = ty.field("c");
        let reader = ColumnReader::new(&field, Some(array.as_ref()));
        (0..array.len())
            .map(|row| reader.value(row).to_string())
            .collect()
    }

    #[test]
    fn datetimes_print_as_kusto_does() {
        assert_eq!(
            datetime(instant("2026-11-27T12:00:00Z")),
            "2026-11-27T12:00:00Z"
        );
        let last_tick = instant("2016-12-31T23:59:59.9999999Z");
        assert_eq!(datetime(last_tick), "2016-12-31T23:59:59.9999999Z");
        let half = instant("2017-01-01T00:00:00.5Z");
        assert_eq!(datetime(half), "2017-01-01T00:00:00.5Z");
        assert_eq!(datetime(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn datetimes_keep_only_whole_ticks() {
        // 123 ns is one tick and 23 ns, and Kusto has no unit below the tick.
        assert_eq!(datetime(123), "1970-01-01T00:00:00.0000001Z");
        assert_eq!(datetime(-SECOND / 10), "1969-12-31T23:59:59.9Z");
        assert_eq!(datetime(-1), "1969-12-31T23:59:59.9999999Z");
    }

    #[test]
    fn datetimes_out_of_range_do_not_panic() {
        assert_eq!(datetime(i128::MAX), i128::MAX.to_string());
        assert_eq!(datetime(i128::MIN), i128::MIN.to_string());
    }

    #[test]
    fn timespans_print_as_kusto_does() {
        assert_eq!(timespan(100), "00:00:00.0000001");
        assert_eq!(timespan(DAY), "1.00:00:00");
        assert_eq!(timespan(-12 * HOUR), "-12:00:00");
        assert_eq!(timespan(3 * SECOND / 2), "00:00:01.5000000");
        assert_eq!(timespan(0), "00:00:00");
    }

    #[test]
    fn negative_and_multi_day_timespans() {
        let span = 2 * DAY + 3 * HOUR + 4 * 60 * SECOND + 5 * SECOND + 600;
        assert_eq!(timespan(span), "2.03:04:05.0000006");
        assert_eq!(timespan(-span), "-2.03:04:05.0000006");
        assert_eq!(timespan(400 * DAY), "400.00:00:00");
        assert_eq!(timespan(-SECOND / 2), "-00:00:00.5000000");
        assert_eq!(timespan(i128::from(i64::MIN)), "-106751.23:47:16.8547758");
    }

    #[test]
    fn reals_print_as_dotnet_does() {
        assert_eq!(real(2.0), "2");
        assert_eq!(real(-0.5), "-0.5");
        assert_eq!(real(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(real(0.0001), "0.0001");
        assert_eq!(real(0.00001), "1E-05");
        assert_eq!(real(1.5e-7), "1.5E-07");
        assert_eq!(real(1e14), "100000000000000");
        assert_eq!(real(1e15), "1E+15");
        assert_eq!(real(1234567890123456.0), "1234567890123456");
        assert_eq!(real(1e300), "1E+300");
        assert_eq!(real(0.0), "0");
    }

    #[test]
    fn non_finite_reals_have_names() {
        assert_eq!(real(f64::NAN), "NaN");
        assert_eq!(real(f64::INFINITY), "Infinity");
        assert_eq!(real(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(Value::Decimal(f64::NAN).to_string(), "NaN");
    }

    #[test]
    fn decimals_never_use_an_exponent() {
        assert_eq!(Value::Decimal(1e15).to_string(), "1000000000000000");
        assert_eq!(Value::Decimal(2.5).to_string(), "2.5");
    }

    #[test]
    fn dynamic_text_is_compacted_in_key_order() {
        let text = "{ \"b\": 1,\n \"a\": [1, 2.50], \"s\": \"x y \\\" z\" }";
        assert_eq!(
            compact_json(text).as_deref(),
            Some(r#"{"b":1,"a":[1,2.50],"s":"x y \" z"}"#)
        );
        assert_eq!(compact_json("[1,2]"), Some(Cow::Borrowed("[1,2]")));
        assert_eq!(compact_json("not json"), None);
        assert_eq!(Value::Dynamic("not json").to_string(), "not json");
        assert_eq!(Value::Dynamic(" [1, 2] ").to_string(), "[1,2]");
    }

    #[test]
    fn every_kusto_type_reads_from_its_arrow_array() {
        let cases: Vec<(KustoType, ArrayRef, &str)> = vec![
            (
                KustoType::Bool,
                Arc::new(BooleanArray::from(vec![true])),
                "true",
            ),
            (KustoType::Int, Arc::new(Int32Array::from(vec![-7])), "-7"),
            (
                KustoType::Long,
                Arc::new(Int64Array::from(vec![i64::MAX])),
                "9223372036854775807",
            ),
            (
                KustoType::Real,
                Arc::new(Float64Array::from(vec![2.0])),
                "2",
            ),
            (
                KustoType::Decimal,
                Arc::new(Float64Array::from(vec![1.25])),
                "1.25",
            ),
            (
                KustoType::String,
                Arc::new(StringArray::from(vec!["héllo"])),
                "héllo",
            ),
            (
                KustoType::Guid,
                Arc::new(StringArray::from(vec!["6f0b-…"])),
                "6f0b-…",
            ),
            (
                KustoType::Dynamic,
                Arc::new(StringArray::from(vec!["{\"a\": 1}"])),
                "{\"a\":1}",
            ),
            (
                KustoType::DateTime,
                Arc::new(TimestampNanosecondArray::from(vec![0]).with_timezone("UTC")),
                "1970-01-01T00:00:00Z",
            ),
            (
                KustoType::TimeSpan,
                Arc::new(DurationNanosecondArray::from(vec![100])),
                "00:00:00.0000001",
            ),
        ];
        for (ty, array, expected) in cases {
            assert_eq!(read_all(ty, array), [expected], "{ty}");
        }
    }

    #[test]
    fn other_time_units_and_widths_read_too() {
        let seconds = Arc::new(TimestampSecondArray::from(vec![86_400]));
        assert_eq!(
            read_all(KustoType::DateTime, seconds),
            ["1970-01-02T00:00:00Z"]
        );
        let days = Arc::new(Date32Array::from(vec![1]));
        assert_eq!(
            read_all(KustoType::DateTime, days),
            ["1970-01-02T00:00:00Z"]
        );
        let spans = Arc::new(DurationSecondArray::from(vec![-90]));
        assert_eq!(read_all(KustoType::TimeSpan, spans), ["-00:01:30"]);
        let unsigned = Arc::new(UInt64Array::from(vec![u64::MAX]));
        assert_eq!(
            read_all(KustoType::Long, unsigned),
            ["18446744073709551615"]
        );
    }

    #[test]
    fn nulls_are_empty_and_null_strings_are_empty_strings() {
        let strings = StringArray::from(vec![None::<&str>]);
        let field = KustoType::String.field("s");
        assert_eq!(
            ColumnReader::new(&field, Some(&strings)).value(0),
            Value::String("")
        );

        let longs = Int64Array::from(vec![None]);
        let field = KustoType::Long.field("n");
        let reader = ColumnReader::new(&field, Some(&longs));
        assert_eq!(reader.value(0), Value::Null);
        assert_eq!(reader.value(0).to_string(), "");

        let nulls = NullArray::new(1);
        let field = Field::new("x", DataType::Null, true);
        assert_eq!(
            ColumnReader::new(&field, Some(&nulls)).value(0),
            Value::Null
        );
    }

    #[test]
    fn missing_arrays_and_rows_read_as_null() {
        let field = KustoType::Long.field("n");
        assert_eq!(ColumnReader::new(&field, None).value(0), Value::Null);
        let longs = Int64Array::from(vec![1]);
        assert_eq!(
            ColumnReader::new(&field, Some(&longs)).value(5),
            Value::Null
        );
    }

    #[test]
    fn unknown_arrow_types_fall_back_to_arrow_display() {
        let bytes = BinaryArray::from(vec![&b"\x01\xff"[..]]);
        let field = Field::new("b", DataType::Binary, true);
        let value = ColumnReader::new(&field, Some(&bytes)).value(0);
        assert_eq!(value, Value::Other("01ff".to_string()));
    }

    #[test]
    fn a_mismatched_tag_does_not_change_how_the_array_is_read() {
        // A `datetime` tag on an Int64 column: the Arrow type wins.
        let longs = Int64Array::from(vec![5]);
        let field = Field::new("n", DataType::Int64, true)
            .with_metadata(KustoType::DateTime.field("n").metadata().clone());
        assert_eq!(
            ColumnReader::new(&field, Some(&longs)).value(0),
            Value::Long(5)
        );
    }
}
