//! Evaluating bound scalar expressions over record batches, vectorised with Arrow kernels.
//!
//! An expression evaluates to a [`Value`]: a whole column, or a scalar (a one-element array)
//! when it depends on no column. Scalars stay scalars through the kernels (Arrow's `Datum`),
//! so a literal is never expanded to a full column unless a kernel needs it.

mod arith;
mod compare;
mod logical;
pub mod pattern;
mod regex;
mod string_match;

pub(crate) use string_match::string_at;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Datum, RecordBatch, RecordBatchOptions, Scalar, UInt32Array};
use arrow::datatypes::Schema;

use crate::bind::null_of;
use crate::error::{DiagResult, arrow_error};
use crate::plan::{BoundExpr, ExprKind};

/// The result of evaluating an expression.
#[derive(Debug, Clone)]
pub enum Value {
    /// One value per row.
    Array(ArrayRef),
    /// The same value for every row, as a one-element array.
    Scalar(ArrayRef),
}

impl Value {
    /// The value as a column of `len` rows.
    pub fn into_array(self, len: usize) -> DiagResult<ArrayRef> {
        match self {
            Value::Array(array) => Ok(array),
            Value::Scalar(scalar) => broadcast(&scalar, len),
        }
    }

    /// The underlying array: the column, or the one-element scalar array.
    pub fn array(&self) -> &ArrayRef {
        match self {
            Value::Array(array) | Value::Scalar(array) => array,
        }
    }

    /// True for scalars.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Value::Scalar(_))
    }

    /// Wraps a kernel result: scalar when every input was.
    pub(crate) fn like(inputs_scalar: bool, array: ArrayRef) -> Value {
        if inputs_scalar {
            Value::Scalar(array)
        } else {
            Value::Array(array)
        }
    }
}

/// The row count of an operation over `values`: the length of any column among them (they
/// all have the batch's length), or 1 when all are scalars. (Taking the longest array would
/// be wrong for an empty batch: a scalar is 1 long, the columns 0.)
pub(crate) fn row_count(values: &[&Value]) -> usize {
    values
        .iter()
        .find(|value| !value.is_scalar())
        .map_or(1, |value| value.array().len())
}

/// Repeats a one-element array `len` times.
pub(crate) fn broadcast(scalar: &ArrayRef, len: usize) -> DiagResult<ArrayRef> {
    let indices = UInt32Array::from(vec![0u32; len]);
    arrow::compute::take(scalar.as_ref(), &indices, None).map_err(arrow_error)
}

/// Runs a two-input Arrow kernel on values, passing scalars as `Datum` scalars.
pub(crate) fn with_datums<F>(left: &Value, right: &Value, kernel: F) -> DiagResult<Value>
where
    F: FnOnce(&dyn Datum, &dyn Datum) -> Result<ArrayRef, arrow::error::ArrowError>,
{
    let left_scalar;
    let right_scalar;
    let left_datum: &dyn Datum = match left {
        Value::Array(array) => array,
        Value::Scalar(array) => {
            left_scalar = Scalar::new(Arc::clone(array));
            &left_scalar
        }
    };
    let right_datum: &dyn Datum = match right {
        Value::Array(array) => array,
        Value::Scalar(array) => {
            right_scalar = Scalar::new(Arc::clone(array));
            &right_scalar
        }
    };
    let result = kernel(left_datum, right_datum).map_err(arrow_error)?;
    Ok(Value::like(left.is_scalar() && right.is_scalar(), result))
}

/// A boolean array with null read as false, as `where`, `iff` and the `*if` aggregates do.
///
/// (Arrow's `prep_null_mask_filter` panics on arrays without a null buffer, so it is only
/// called when there are nulls.)
pub fn null_as_false(mask: &arrow::array::BooleanArray) -> arrow::array::BooleanArray {
    if mask.null_count() > 0 {
        arrow::compute::prep_null_mask_filter(mask)
    } else {
        mask.clone()
    }
}

/// Evaluates an expression over a batch.
pub fn evaluate(expr: &BoundExpr, batch: &RecordBatch) -> DiagResult<Value> {
    let result = match &expr.kind {
        ExprKind::Column(index) => {
            let column = batch.columns().get(*index).ok_or_else(|| {
                kql_parser::Diagnostic::internal(format!(
                    "column {index} is missing from the batch"
                ))
            })?;
            Ok(Value::Array(Arc::clone(column)))
        }
        ExprKind::Literal(array) => Ok(Value::Scalar(Arc::clone(array))),
        ExprKind::Missing(_) => Ok(Value::Scalar(null_of(expr.ty))),
        ExprKind::Cast(operand) => arith::cast(evaluate(operand, batch)?, expr.ty),
        ExprKind::Arithmetic { op, left, right } => {
            let left_value = evaluate(left, batch)?;
            let right_value = evaluate(right, batch)?;
            arith::arithmetic(*op, left_value, left.ty, right_value, right.ty, expr.ty)
        }
        ExprKind::Negate(operand) => arith::negate(evaluate(operand, batch)?),
        ExprKind::Compare { op, left, right } => {
            compare::compare(*op, &evaluate(left, batch)?, &evaluate(right, batch)?)
        }
        ExprKind::And(left, right) => {
            logical::and(&evaluate(left, batch)?, &evaluate(right, batch)?)
        }
        ExprKind::Or(left, right) => logical::or(&evaluate(left, batch)?, &evaluate(right, batch)?),
        ExprKind::Not(operand) => logical::not(&evaluate(operand, batch)?),
        ExprKind::StringMatch {
            kind,
            case,
            negation,
            haystack,
            needle,
        } => {
            let haystack = evaluate(haystack, batch)?;
            let needle = evaluate(needle, batch)?;
            string_match::string_match(*kind, *case, *negation, &haystack, &needle)
        }
        ExprKind::MatchesRegex { haystack, regex } => {
            regex::matches_regex(&evaluate(haystack, batch)?, regex)
        }
        ExprKind::ParseCapture {
            source,
            regex,
            group,
            all,
            strict,
        } => {
            let capture = regex::Capture {
                regex,
                group: *group,
                all,
                strict: *strict,
            };
            regex::parse_capture(&evaluate(source, batch)?, &capture, expr.ty)
        }
        ExprKind::ReplaceRegex { source, pattern } => {
            regex::replace_regex(&evaluate(source, batch)?, pattern)
        }
        ExprKind::List { op, left, items } => {
            let left_value = evaluate(left, batch)?;
            string_match::list(*op, &left_value, left.ty, items)
        }
        ExprKind::Call { function, args } => {
            let values = args
                .iter()
                .map(|arg| evaluate(arg, batch))
                .collect::<DiagResult<Vec<_>>>()?;
            crate::functions::evaluate(*function, values, args, expr.ty, batch.num_rows())
        }
    };
    result.map_err(|error| error.with_span_fallback(expr.span))
}

/// Evaluates a bound expression that refers to no column, giving a one-element array.
/// `None` when it refers to a column or fails (the failure then shows when the query runs).
pub fn fold_constant(expr: &BoundExpr) -> Option<ArrayRef> {
    if refers_to_columns(expr) {
        return None;
    }
    let options = RecordBatchOptions::new().with_row_count(Some(1));
    let batch =
        RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options).ok()?;
    let array = evaluate(expr, &batch).ok()?.into_array(1).ok()?;
    (array.len() == 1).then_some(array)
}

/// True when the expression reads an input column (or a missing one).
fn refers_to_columns(expr: &BoundExpr) -> bool {
    match &expr.kind {
        ExprKind::Column(_) | ExprKind::Missing(_) => true,
        ExprKind::Literal(_) => false,
        ExprKind::Cast(operand) | ExprKind::Negate(operand) | ExprKind::Not(operand) => {
            refers_to_columns(operand)
        }
        ExprKind::Arithmetic { left, right, .. }
        | ExprKind::Compare { left, right, .. }
        | ExprKind::And(left, right)
        | ExprKind::Or(left, right) => refers_to_columns(left) || refers_to_columns(right),
        ExprKind::StringMatch {
            haystack, needle, ..
        } => refers_to_columns(haystack) || refers_to_columns(needle),
        ExprKind::MatchesRegex { haystack, .. } => refers_to_columns(haystack),
        ExprKind::ReplaceRegex { source, .. } | ExprKind::ParseCapture { source, .. } => {
            refers_to_columns(source)
        }
        ExprKind::List { left, items, .. } => {
            refers_to_columns(left) || items.iter().any(refers_to_columns)
        }
        // Window functions depend on the rows around them, not just their arguments.
        ExprKind::Call {
            function: crate::functions::Function::Window(_),
            ..
        } => true,
        ExprKind::Call { args, .. } => args.iter().any(refers_to_columns),
    }
}
