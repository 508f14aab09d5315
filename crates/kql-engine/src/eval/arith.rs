//! Arithmetic: `+ - * / %` on numbers, datetimes and timespans, unary minus, and casts.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, PrimitiveArray};
use arrow::compute::kernels::numeric;
use arrow::datatypes::{ArrowPrimitiveType, DataType, Float64Type, Int32Type, Int64Type};

use super::{Value, with_datums};
use crate::error::{DiagResult, arrow_error};
use crate::plan::ArithmeticOp;
use crate::types::KustoType;

/// Converts a value to `ty` (numeric widening, timespan to and from its tick count).
pub(crate) fn cast(value: Value, ty: KustoType) -> DiagResult<Value> {
    let scalar = value.is_scalar();
    let array = arrow::compute::cast(value.array(), &ty.to_arrow()).map_err(arrow_error)?;
    Ok(Value::like(scalar, array))
}

/// `-x`. Integers wrap on overflow, like Kusto's other integer arithmetic.
pub(crate) fn negate(value: Value) -> DiagResult<Value> {
    let scalar = value.is_scalar();
    let array = numeric::neg_wrapping(value.array()).map_err(arrow_error)?;
    Ok(Value::like(scalar, array))
}

/// `left op right`, where the binder has already made the operand types compatible:
/// equal numeric types, or one of the datetime/timespan combinations Kusto allows.
pub(crate) fn arithmetic(
    op: ArithmeticOp,
    left: Value,
    left_ty: KustoType,
    right: Value,
    right_ty: KustoType,
    result_ty: KustoType,
) -> DiagResult<Value> {
    use KustoType::*;
    match (left_ty, right_ty) {
        // Datetimes are computed on their nanosecond counts: Arrow's timestamp kernels need
        // the chrono-tz feature to read the "UTC" zone, which kql does not build.
        (DateTime, DateTime | TimeSpan) => {
            let nanos = kernel(op, &cast(left, Long)?, &cast(right, Long)?)?;
            cast(nanos, result_ty)
        }
        (TimeSpan, TimeSpan) if op == ArithmeticOp::Div => {
            let left = cast(cast(left, Long)?, Real)?;
            let right = cast(cast(right, Long)?, Real)?;
            kernel(ArithmeticOp::Div, &left, &right)
        }
        (TimeSpan, TimeSpan) if op == ArithmeticOp::Mod => {
            let ticks = kernel(op, &cast(left, Long)?, &cast(right, Long)?)?;
            cast(ticks, TimeSpan)
        }
        (TimeSpan, number) if number.is_numeric() => {
            // A timespan scaled by a number: computed on nanoseconds, as a real when the
            // factor is real, and rounded back to whole nanoseconds.
            let factor_ty = if number == Long || number == Int {
                Long
            } else {
                Real
            };
            let nanos = cast(left, Long)?;
            let nanos = if factor_ty == Real {
                cast(nanos, Real)?
            } else {
                nanos
            };
            let scaled = kernel(op, &nanos, &cast(right, factor_ty)?)?;
            let scaled = if factor_ty == Real {
                cast(round(scaled)?, Long)?
            } else {
                scaled
            };
            cast(scaled, TimeSpan)
        }
        _ => {
            let result = kernel(op, &left, &right)?;
            if result_ty.to_arrow() == *result.array().data_type() {
                Ok(result)
            } else {
                cast(result, result_ty)
            }
        }
    }
}

/// Runs the Arrow kernel of `op`; `%` follows Kusto, whose remainder is never negative.
/// Runs the Arrow kernel of `op`. Integer arithmetic wraps on overflow and an integer
/// divided by zero is null, as in Kusto's recorded answers (`9223372036854775807 + 1`,
/// `1 / 0`); reals follow IEEE 754. `%` follows Kusto, whose remainder is never negative.
fn kernel(op: ArithmeticOp, left: &Value, right: &Value) -> DiagResult<Value> {
    match op {
        ArithmeticOp::Add => with_datums(left, right, numeric::add_wrapping),
        ArithmeticOp::Sub => with_datums(left, right, numeric::sub_wrapping),
        ArithmeticOp::Mul => with_datums(left, right, numeric::mul_wrapping),
        ArithmeticOp::Div => {
            let right = zero_divisors_to_null(right)?;
            with_datums(left, &right, numeric::div)
        }
        ArithmeticOp::Mod => {
            let right = zero_divisors_to_null(right)?;
            let remainder = with_datums(left, &right, numeric::rem)?;
            let divisor_scalar = right.is_scalar();
            let fixed = non_negative_remainder(remainder.array(), right.array(), divisor_scalar)?;
            Ok(Value::like(remainder.is_scalar(), fixed))
        }
    }
}

/// An integer divisor with its zeros made null, so that dividing by them gives null.
fn zero_divisors_to_null(divisor: &Value) -> DiagResult<Value> {
    let array = divisor.array();
    if !array.data_type().is_integer() {
        return Ok(divisor.clone());
    }
    let zero = arrow::compute::cast(
        &(Arc::new(arrow::array::Int64Array::from(vec![0])) as ArrayRef),
        array.data_type(),
    )
    .map_err(arrow_error)?;
    let is_zero = arrow::compute::kernels::cmp::eq(array, &arrow::array::Scalar::new(zero))
        .map_err(arrow_error)?;
    let nulled = arrow::compute::nullif(array, &is_zero).map_err(arrow_error)?;
    Ok(Value::like(divisor.is_scalar(), nulled))
}

/// Kusto's `%` result is in `[0, |divisor|)`: `-14 % 12` is 10 (`K:numerical-operators`).
fn non_negative_remainder(
    remainder: &ArrayRef,
    divisor: &ArrayRef,
    divisor_scalar: bool,
) -> DiagResult<ArrayRef> {
    fn fix<T: ArrowPrimitiveType>(
        remainder: &ArrayRef,
        divisor: &ArrayRef,
        divisor_scalar: bool,
        shift: impl Fn(T::Native, T::Native) -> T::Native,
    ) -> Option<ArrayRef> {
        let remainder = remainder.as_any().downcast_ref::<PrimitiveArray<T>>()?;
        let divisor = divisor.as_any().downcast_ref::<PrimitiveArray<T>>()?;
        let fixed: PrimitiveArray<T> = remainder
            .iter()
            .enumerate()
            .map(|(row, value)| {
                let d = divisor.value(if divisor_scalar { 0 } else { row });
                value.map(|v| shift(v, d))
            })
            .collect();
        Some(Arc::new(fixed))
    }
    let fixed = match remainder.data_type() {
        DataType::Int64 => fix::<Int64Type>(remainder, divisor, divisor_scalar, |v, d| {
            if v < 0 { v + d.abs() } else { v }
        }),
        DataType::Int32 => fix::<Int32Type>(remainder, divisor, divisor_scalar, |v, d| {
            if v < 0 { v + d.abs() } else { v }
        }),
        DataType::Float64 => fix::<Float64Type>(remainder, divisor, divisor_scalar, |v, d| {
            if v < 0.0 { v + d.abs() } else { v }
        }),
        _ => None,
    };
    Ok(fixed.unwrap_or_else(|| Arc::clone(remainder)))
}

/// Rounds reals to the nearest whole number.
fn round(value: Value) -> DiagResult<Value> {
    let scalar = value.is_scalar();
    let array = value
        .array()
        .as_any()
        .downcast_ref::<Float64Array>()
        .map(|reals| {
            reals
                .iter()
                .map(|v| v.map(f64::round))
                .collect::<Float64Array>()
        });
    match array {
        Some(array) => Ok(Value::like(scalar, Arc::new(array))),
        None => Ok(value),
    }
}
