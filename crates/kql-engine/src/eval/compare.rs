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

/// Replaces the result where exactly one side is null with `when_one_null`.
fn one_sided_nulls(
    when_one_null: bool,
    left: &Value,
    right: &Value,
    result: Value,
) -> DiagResult<Value> {
    let scalar = result.is_scalar();
    let len = left.array().len().max(right.array().len());
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
