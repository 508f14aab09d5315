//! Inferring a column's Kusto type, and the day/month order of its dates, from all its values.
//!
//! Inference looks at every value of the file, not a sample: a column is `long` only if no
//! value anywhere says otherwise, so conversion after inference cannot fail.

use super::datetime::{DateOrder, is_datetime, slashed_date};
use super::raw::{CellKind, RawBatch};
use crate::types::KustoType;

/// What the values seen so far allow.
struct Evidence {
    /// Non-empty text cells (every CSV cell is text).
    texts: usize,
    text_long: bool,
    text_real: bool,
    text_bool: bool,
    text_datetime: bool,
    numbers: usize,
    numbers_integral: bool,
    bools: usize,
    nested: usize,
}

impl Evidence {
    fn new() -> Self {
        Evidence {
            texts: 0,
            text_long: true,
            text_real: true,
            text_bool: true,
            text_datetime: true,
            numbers: 0,
            numbers_integral: true,
            bools: 0,
            nested: 0,
        }
    }

    fn add(&mut self, kind: CellKind, text: &str, text_is_typed: bool) {
        match kind {
            CellKind::Text => self.add_text(text, text_is_typed),
            CellKind::Number => {
                self.numbers += 1;
                self.numbers_integral &= text.parse::<i64>().is_ok();
            }
            CellKind::Bool => self.bools += 1,
            CellKind::Nested => self.nested += 1,
        }
    }

    /// `text_is_typed`: CSV text may hold numbers and booleans; a JSON string chose to be a
    /// string, so only datetime (which JSON has no type for) is looked for in it.
    fn add_text(&mut self, text: &str, text_is_typed: bool) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.texts += 1;
        if !text_is_typed {
            self.text_long = false;
            self.text_real = false;
            self.text_bool = false;
        }
        // Each test runs only while its type is still possible, so a plain string column
        // costs one failed test per type.
        if self.text_long {
            self.text_long = is_integer(text);
        }
        if self.text_real {
            self.text_real = is_number(text);
        }
        if self.text_bool {
            self.text_bool =
                text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false");
        }
        if self.text_datetime {
            self.text_datetime = is_datetime(text);
        }
    }

    fn decide(&self) -> KustoType {
        let scalars = self.texts + self.numbers + self.bools;
        if self.nested > 0 {
            KustoType::Dynamic
        } else if scalars == 0 {
            KustoType::String
        } else if self.numbers == scalars {
            if self.numbers_integral {
                KustoType::Long
            } else {
                KustoType::Real
            }
        } else if self.bools == scalars {
            KustoType::Bool
        } else if self.texts < scalars {
            KustoType::String // JSON numbers or booleans mixed with strings
        } else if self.text_long {
            KustoType::Long
        } else if self.text_real {
            KustoType::Real
        } else if self.text_bool {
            KustoType::Bool
        } else if self.text_datetime {
            KustoType::DateTime
        } else {
            KustoType::String
        }
    }
}

/// An integer that fits a `long`.
fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && text.parse::<i64>().is_ok()
}

/// A decimal number; words Rust would also read as numbers (`inf`, `NaN`) do not count.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') && text.parse::<f64>().is_ok()
}

/// The Kusto type of file column `source`, from every one of its values.
pub(crate) fn infer_type(batches: &[RawBatch], source: usize) -> KustoType {
    let mut evidence = Evidence::new();
    for raw in batches.iter().filter_map(|batch| batch.column(source)) {
        let text_is_typed = raw.kinds.is_none();
        for (kind, text) in raw.cells().flatten() {
            evidence.add(kind, text, text_is_typed);
        }
    }
    evidence.decide()
}

/// The order of day and month in a datetime column's `a/b/yyyy` values.
///
/// A number above 12 settles it. Failing that, the Log Analytics portal writes 12-hour times in
/// the en-US locale (month first) and 24-hour times in most day-first locales; a column with
/// neither evidence follows .NET's invariant culture, month first. When values disagree, the
/// order of the first evidence wins and conversion then fails on the others with their line.
pub(crate) fn date_order(batches: &[RawBatch], source: usize) -> DateOrder {
    let mut decided = None;
    let (mut twelve_hour, mut twenty_four_hour) = (false, false);
    for raw in batches.iter().filter_map(|batch| batch.column(source)) {
        for (_, text) in raw.cells().flatten() {
            let Some(date) = slashed_date(text) else {
                continue;
            };
            if decided.is_none() {
                if date.first > 12 {
                    decided = Some(DateOrder::DayFirst);
                } else if date.second > 12 {
                    decided = Some(DateOrder::MonthFirst);
                }
            }
            twelve_hour |= date.twelve_hour;
            twenty_four_hour |= date.has_time && !date.twelve_hour;
        }
    }
    match decided {
        Some(order) => order,
        None if !twelve_hour && twenty_four_hour => DateOrder::DayFirst,
        None => DateOrder::MonthFirst,
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, StringArray};

    use super::*;
    use crate::source::raw::RawColumn;

    fn batch(values: &[&str], kinds: Option<Vec<CellKind>>) -> RawBatch {
        let values = StringArray::from(values.to_vec());
        RawBatch {
            num_rows: values.len(),
            first_row: 0,
            columns: vec![Some(RawColumn { values, kinds })],
            lines: None,
        }
    }

    fn csv_type(values: &[&str]) -> KustoType {
        infer_type(&[batch(values, None)], 0)
    }

    #[test]
    fn csv_text() {
        assert_eq!(csv_type(&["1", "", "-2"]), KustoType::Long);
        assert_eq!(csv_type(&["1", "2.5"]), KustoType::Real);
        assert_eq!(csv_type(&["1", "18446744073709551615"]), KustoType::Real);
        assert_eq!(csv_type(&["TRUE", "false"]), KustoType::Bool);
        assert_eq!(
            csv_type(&["2019-01-15 05:15:02.980", ""]),
            KustoType::DateTime
        );
        assert_eq!(
            csv_type(&["10/18/2024, 9:29:21.125 AM"]),
            KustoType::DateTime
        );
        assert_eq!(csv_type(&["1", "x"]), KustoType::String);
        assert_eq!(csv_type(&["inf", "NaN"]), KustoType::String);
        assert_eq!(csv_type(&["0x3e7"]), KustoType::String);
        assert_eq!(csv_type(&["", ""]), KustoType::String);
        assert_eq!(csv_type(&[]), KustoType::String);
    }

    #[test]
    fn json_values() {
        use CellKind::*;
        let json =
            |values: &[&str], kinds: Vec<CellKind>| infer_type(&[batch(values, Some(kinds))], 0);
        assert_eq!(json(&["1", ""], vec![Number, Text]), KustoType::Long);
        assert_eq!(json(&["1", "1.5"], vec![Number, Number]), KustoType::Real);
        assert_eq!(json(&["true"], vec![Bool]), KustoType::Bool);
        assert_eq!(json(&["123"], vec![Text]), KustoType::String);
        assert_eq!(
            json(&["2022-01-06T13:01:34Z"], vec![Text]),
            KustoType::DateTime
        );
        assert_eq!(json(&["1", "x"], vec![Number, Text]), KustoType::String);
        assert_eq!(json(&["{}", "1"], vec![Nested, Number]), KustoType::Dynamic);
    }

    #[test]
    fn date_order_evidence() {
        let order = |values: &[&str]| date_order(&[batch(values, None)], 0);
        assert_eq!(
            order(&["3/4/2024, 10:00:00.000", "26/03/2026, 15:18:18.790"]),
            DateOrder::DayFirst
        );
        assert_eq!(order(&["03/26/2026, 15:18:18.790"]), DateOrder::MonthFirst);
        assert_eq!(
            order(&["10/11/2024, 9:29:21.125 AM"]),
            DateOrder::MonthFirst
        );
        assert_eq!(order(&["10/11/2024, 15:18:18.790"]), DateOrder::DayFirst);
        assert_eq!(order(&["10/11/2024"]), DateOrder::MonthFirst);
        assert_eq!(order(&["2024-10-11T00:00:00Z"]), DateOrder::MonthFirst);
    }
}
