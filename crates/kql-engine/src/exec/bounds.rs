//! What a streamed chain's first `where` says about the rows it keeps, so that a source can
//! skip the parts of its table that hold none of them without reading them.
//!
//! Only ranges on `datetime` columns are drawn: a hunt starts with
//! `where TimeGenerated >= ago(90d)`, and a Parquet file written in time order keeps each row
//! group's smallest and largest time in its footer. Of a row group wholly outside the range
//! only that column is read, to confirm, as Kusto never reads the extents outside a query's
//! time range. The answer is the same; what changes is that damage in a skipped row group's
//! other columns is not met, so not reported (docs/architecture.md).

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit, TimestampNanosecondType};

use crate::plan::{BoundExpr, Column, CompareOp, ExprKind};
use crate::types::KustoType;

/// Ranges that every row kept by a chain lies in, by column name.
///
/// ```
/// use kql_engine::exec::stream::{DatetimeRange, RowBounds};
///
/// let bounds = RowBounds::default();
/// assert!(bounds.datetime("TimeGenerated").is_none());
/// let range = DatetimeRange { min: Some(10), max: None };
/// assert!(!range.excludes(5, 20) && range.excludes(1, 9));
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RowBounds {
    datetimes: BTreeMap<String, DatetimeRange>,
}

/// Inclusive bounds on a `datetime` column, in nanoseconds since the Unix epoch (UTC); a row
/// whose value is null or outside them is not kept.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DatetimeRange {
    /// The smallest value kept, if there is one.
    pub min: Option<i64>,
    /// The largest value kept, if there is one.
    pub max: Option<i64>,
}

impl DatetimeRange {
    /// True when no value from `smallest` to `largest` (inclusive) lies in the range.
    pub fn excludes(&self, smallest: i64, largest: i64) -> bool {
        self.min.is_some_and(|min| largest < min) || self.max.is_some_and(|max| smallest > max)
    }

    fn narrow(&mut self, op: CompareOp, value: i64) {
        let (min, max) = match op {
            CompareOp::Ge => (Some(value), None),
            CompareOp::Gt => (value.checked_add(1), None),
            CompareOp::Le => (None, Some(value)),
            CompareOp::Lt => (None, value.checked_sub(1)),
            CompareOp::Eq => (Some(value), Some(value)),
            CompareOp::NotEq => (None, None),
        };
        if let Some(min) = min {
            self.min = Some(self.min.map_or(min, |old| old.max(min)));
        }
        if let Some(max) = max {
            self.max = Some(self.max.map_or(max, |old| old.min(max)));
        }
    }
}

impl RowBounds {
    /// The bounds on `column`, when the chain sets any.
    pub fn datetime(&self, column: &str) -> Option<&DatetimeRange> {
        self.datetimes.get(column)
    }

    /// What the `where` predicates keep, over a table with `columns`: each predicate's
    /// `and`-ed comparisons of a `datetime` column with a constant.
    pub(super) fn of(predicates: &[&BoundExpr], columns: &[Column]) -> RowBounds {
        let mut bounds = RowBounds::default();
        for predicate in predicates {
            bounds.add(predicate, columns);
        }
        bounds
    }

    fn add(&mut self, predicate: &BoundExpr, columns: &[Column]) {
        match &predicate.kind {
            // A row is kept only when both sides are true.
            ExprKind::And(left, right) => {
                self.add(left, columns);
                self.add(right, columns);
            }
            ExprKind::Compare { op, left, right } => {
                let (op, index, value) = match (&left.kind, &right.kind) {
                    (ExprKind::Column(index), ExprKind::Literal(value)) => (*op, index, value),
                    (ExprKind::Literal(value), ExprKind::Column(index)) => {
                        (mirrored(*op), index, value)
                    }
                    _ => return,
                };
                let Some(column) = columns.get(*index) else {
                    return;
                };
                let Some(value) = datetime_value(value.as_ref()) else {
                    return;
                };
                if column.ty == KustoType::DateTime {
                    let range = self.datetimes.entry(column.name.clone()).or_default();
                    range.narrow(op, value);
                }
            }
            _ => {}
        }
    }
}

/// The operator with its operands swapped: `L < c` is `c > L`.
fn mirrored(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        CompareOp::Eq | CompareOp::NotEq => op,
    }
}

/// A one-element `datetime` literal's value; `None` when it is null or not a datetime.
fn datetime_value(array: &dyn Array) -> Option<i64> {
    if !matches!(
        array.data_type(),
        DataType::Timestamp(TimeUnit::Nanosecond, _)
    ) {
        return None;
    }
    let times = array.as_primitive_opt::<TimestampNanosecondType>()?;
    (times.len() == 1 && times.is_valid(0)).then(|| times.value(0))
}
