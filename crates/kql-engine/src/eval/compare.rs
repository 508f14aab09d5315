//! Comparisons, with Kusto's null rules for equality.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::compute::kernels::cmp;

use super::{Value, with_datums};
use crate::error::DiagResult;
use crate::plan::CompareOp;

/// `left op right`. Ordering comparisons with a null are null. Equality follows the
/// null-values page of the Kusto docs: null vs a value is `false` for `==` and `true` for
/// `!=`; null vs null is null.
pub(crate) fn compare(op: CompareOp, left: &Value, right: &Value) -> DiagResult<Value> {
    if left.array().data_type() == &arrow::datatypes::DataType::Float64 {
        let result = compare_reals(op, left, right)?;
        if left.array().null_count() == 0 && right.array().null_count() == 0 {
            return Ok(result);
        }
        return match op {
            CompareOp::Eq | CompareOp::NotEq => {
                one_sided_nulls(op == CompareOp::NotEq, left, right, result)
            }
            _ => Ok(result),
        };
    }
    let result = match op {
        CompareOp::Eq => with_datums(left, right, |l, r| Ok(Arc::new(cmp::eq(l, r)?) as ArrayRef))?,
        CompareOp::NotEq => {
            with_datums(
                left,
                right,
                |l, r| Ok(Arc::new(cmp::neq(l, r)?) as ArrayRef),
            )?
        }
        CompareOp::Lt => {
            return with_datums(left, right, |l, r| Ok(Arc::new(cmp::lt(l, r)?) as ArrayRef));
        }
        CompareOp::Le => {
            return with_datums(left, right, |l, r| {
                Ok(Arc::new(cmp::lt_eq(l, r)?) as ArrayRef)
            });
        }
        CompareOp::Gt => {
            return with_datums(left, right, |l, r| Ok(Arc::new(cmp::gt(l, r)?) as ArrayRef));
        }
        CompareOp::Ge => {
            return with_datums(left, right, |l, r| {
                Ok(Arc::new(cmp::gt_eq(l, r)?) as ArrayRef)
            });
        }
    };
    if left.array().null_count() == 0 && right.array().null_count() == 0 {
        return Ok(result);
    }
    one_sided_nulls(op == CompareOp::NotEq, left, right, result)
}

/// Compares reals with IEEE 754 rules: NaN is unequal to everything, itself included, and
/// every ordering comparison with NaN is false. (Arrow's kernels use a total order, in
/// which NaN equals NaN; Kusto's recorded answers follow IEEE.)
fn compare_reals(op: CompareOp, left: &Value, right: &Value) -> DiagResult<Value> {
    use arrow::array::Float64Array;
    let reals = |value: &Value| {
        value
            .array()
            .as_any()
            .downcast_ref::<Float64Array>()
            .cloned()
            .ok_or_else(|| kql_parser::Diagnostic::internal("a real comparison got non-reals"))
    };
    let (l, r) = (reals(left)?, reals(right)?);
    let len = super::row_count(&[left, right]);
    let at = |array: &Float64Array, scalar: bool, row: usize| {
        let row = if scalar { 0 } else { row };
        array.is_valid(row).then(|| array.value(row))
    };
    let result: BooleanArray = (0..len)
        .map(|row| {
            let (a, b) = (
                at(&l, left.is_scalar(), row)?,
                at(&r, right.is_scalar(), row)?,
            );
            Some(match op {
                CompareOp::Eq => a == b,
                CompareOp::NotEq => a != b,
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
                CompareOp::Gt => a > b,
                CompareOp::Ge => a >= b,
            })
        })
        .collect();
    Ok(Value::like(
        left.is_scalar() && right.is_scalar(),
        Arc::new(result),
    ))
}

/// Replaces the result where exactly one side is null with `when_one_null`.
fn one_sided_nulls(
    when_one_null: bool,
    left: &Value,
    right: &Value,
    result: Value,
) -> DiagResult<Value> {
    let scalar = result.is_scalar();
    let len = super::row_count(&[left, right]);
    let row = |value: &Value, i: usize| if value.is_scalar() { 0 } else { i };
    let result_array = result.array();
    let Some(result_bools) = result_array.as_any().downcast_ref::<BooleanArray>() else {
        return Err(kql_parser::Diagnostic::internal(
            "a comparison did not give booleans",
        ));
    };
    let fixed: BooleanArray = (0..len)
        .map(|i| {
            let left_null = left.array().is_null(row(left, i));
            let right_null = right.array().is_null(row(right, i));
            let r = row(&result, i);
            if left_null != right_null {
                Some(when_one_null)
            } else {
                result_bools.is_valid(r).then(|| result_bools.value(r))
            }
        })
        .collect();
    Ok(Value::like(scalar, Arc::new(fixed)))
}
