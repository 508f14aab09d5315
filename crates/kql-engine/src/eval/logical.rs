//! `and`, `or` and `not` with Kusto's three-valued logic: `false and null` is `false`,
//! `true or null` is `true`, anything else involving null is null (null-values page).

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::compute::kernels::boolean;

use super::Value;
use crate::error::{DiagResult, arrow_error};

fn booleans(value: &Value, len: usize) -> DiagResult<BooleanArray> {
    let array = value.clone().into_array(len)?;
    array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .cloned()
        .ok_or_else(|| kql_parser::Diagnostic::internal("a logical operand is not boolean"))
}

fn binary(
    left: &Value,
    right: &Value,
    kernel: fn(&BooleanArray, &BooleanArray) -> Result<BooleanArray, arrow::error::ArrowError>,
) -> DiagResult<Value> {
    let len = super::row_count(&[left, right]);
    let result = kernel(&booleans(left, len)?, &booleans(right, len)?).map_err(arrow_error)?;
    Ok(Value::like(
        left.is_scalar() && right.is_scalar(),
        Arc::new(result) as ArrayRef,
    ))
}

/// `left and right`.
pub(crate) fn and(left: &Value, right: &Value) -> DiagResult<Value> {
    binary(left, right, boolean::and_kleene)
}

/// `left or right`.
pub(crate) fn or(left: &Value, right: &Value) -> DiagResult<Value> {
    binary(left, right, boolean::or_kleene)
}

/// `not(x)`: null stays null.
pub(crate) fn not(operand: &Value) -> DiagResult<Value> {
    let len = operand.array().len();
    let result = boolean::not(&booleans(operand, len)?).map_err(arrow_error)?;
    Ok(Value::like(operand.is_scalar(), Arc::new(result)))
}
