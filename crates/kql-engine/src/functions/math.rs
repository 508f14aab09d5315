//! Math functions: `abs`, `round`, `ceiling`, `sqrt`, `pow`, `log`, `log2`, `log10`, `exp`,
//! `exp2`, `exp10`, `sign`, `isnan`, `isinf`, `isfinite`, `max_of`, `min_of`.
//!
//! Result types follow Kusto.Language's signatures and the recorded answers: `abs` of an
//! integer is a `long`, `round` keeps its argument's type, `ceiling`, `sign`, `pow` and the
//! logarithms are `real`.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    PrimitiveArray,
};
use arrow::datatypes::{
    ArrowPrimitiveType, DurationNanosecondType, Float64Type, Int32Type, Int64Type,
    TimestampNanosecondType,
};
use kql_parser::Span;

use super::convert::{integer_arg, number_arg, real_arg, type_error};
use super::{Call, Function, call, check_arity, common_type, downcast, fit};
use crate::error::{DiagResult, not_supported};
use crate::plan::{BoundExpr, ExprKind};
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &[
    "abs", "round", "ceiling", "sqrt", "pow", "log", "log2", "log10", "exp", "exp2", "exp10",
    "sign", "isnan", "isinf", "isfinite", "max_of", "min_of",
];

/// The math functions. Each gives null for a null argument unless it says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFn {
    /// `abs(x)` of a number or timespan; integers give a `long`; null on overflow.
    Abs,
    /// `round(x[, digits])`: half away from zero, to `digits` decimal places (negative:
    /// tens, hundreds...).
    Round,
    /// `ceiling(x)`: the smallest whole number not below `x`, as a `real`.
    Ceiling,
    /// `sqrt(x)`: NaN for a negative `x` (the recorded answer; the docs say null).
    Sqrt,
    /// `pow(base, exponent)`: a `real`.
    Pow,
    /// `log(x)`: the natural logarithm; null for a negative `x`, -Infinity for 0.
    Log,
    /// `log2(x)`: null for a negative `x`.
    Log2,
    /// `log10(x)`: null for a negative `x`.
    Log10,
    /// `exp(x)`: e to the power `x`.
    Exp,
    /// `exp2(x)`: 2 to the power `x`.
    Exp2,
    /// `exp10(x)`: 10 to the power `x`.
    Exp10,
    /// `sign(x)`: -1, 0 or 1 as a `real`; null for NaN.
    Sign,
    /// `isnan(x)`.
    IsNan,
    /// `isinf(x)`: positive or negative infinity.
    IsInf,
    /// `isfinite(x)`: neither NaN nor infinite.
    IsFinite,
    /// `max_of(a, b, ...)`: the largest non-null argument; null when all are null.
    MaxOf,
    /// `min_of(a, b, ...)`: the smallest non-null argument; null when all are null.
    MinOf,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Math(f);
    match name {
        "max_of" | "min_of" => {
            check_arity(name, &args, 2..=64, span)?;
            let ty = match common_type(&args, span)? {
                KustoType::Decimal => KustoType::Real,
                ty @ (KustoType::Int
                | KustoType::Long
                | KustoType::Real
                | KustoType::DateTime
                | KustoType::TimeSpan) => ty,
                other => {
                    return Err(
                        not_supported(format!("`{name}` of `{other}` values")).with_span(span)
                    );
                }
            };
            let f = if name == "max_of" {
                MathFn::MaxOf
            } else {
                MathFn::MinOf
            };
            let args = args.into_iter().map(|arg| fit(arg, ty)).collect();
            Ok(call(function(f), args, ty, span))
        }
        "round" => {
            check_arity(name, &args, 1..=2, span)?;
            let mut args = args.into_iter();
            let mut bound = Vec::with_capacity(2);
            if let Some(number) = args.next() {
                bound.push(number_arg(name, "the number", number)?);
            }
            if let Some(digits) = args.next() {
                bound.push(integer_arg(name, "the precision", digits)?);
            }
            let ty = bound.first().map_or(KustoType::Real, |arg| arg.ty);
            Ok(call(function(MathFn::Round), bound, ty, span))
        }
        "pow" => {
            check_arity(name, &args, 2..=2, span)?;
            let mut bound = Vec::with_capacity(2);
            for (arg, what) in args.into_iter().zip(["the base", "the exponent"]) {
                bound.push(real_arg(name, what, arg)?);
            }
            Ok(call(function(MathFn::Pow), bound, KustoType::Real, span))
        }
        "abs" => {
            check_arity(name, &args, 1..=1, span)?;
            let Some(arg) = args.into_iter().next() else {
                return Err(kql_parser::Diagnostic::internal("abs lost its argument"));
            };
            let ty = match arg.ty {
                _ if matches!(arg.kind, ExprKind::Missing(_)) => KustoType::Real,
                KustoType::Int | KustoType::Long => KustoType::Long,
                KustoType::Real | KustoType::Decimal => KustoType::Real,
                KustoType::TimeSpan => KustoType::TimeSpan,
                _ => {
                    return Err(type_error(
                        name,
                        "its argument",
                        "a number or timespan",
                        &arg,
                    ));
                }
            };
            Ok(call(function(MathFn::Abs), vec![fit(arg, ty)], ty, span))
        }
        _ => {
            check_arity(name, &args, 1..=1, span)?;
            let (f, ty) = match name {
                "ceiling" => (MathFn::Ceiling, KustoType::Real),
                "sqrt" => (MathFn::Sqrt, KustoType::Real),
                "log" => (MathFn::Log, KustoType::Real),
                "log2" => (MathFn::Log2, KustoType::Real),
                "log10" => (MathFn::Log10, KustoType::Real),
                "exp" => (MathFn::Exp, KustoType::Real),
                "exp2" => (MathFn::Exp2, KustoType::Real),
                "exp10" => (MathFn::Exp10, KustoType::Real),
                "sign" => (MathFn::Sign, KustoType::Real),
                "isnan" => (MathFn::IsNan, KustoType::Bool),
                "isinf" => (MathFn::IsInf, KustoType::Bool),
                _ => (MathFn::IsFinite, KustoType::Bool),
            };
            let mut bound = Vec::with_capacity(1);
            for arg in args {
                bound.push(real_arg(name, "its argument", arg)?);
            }
            Ok(call(function(f), bound, ty, span))
        }
    }
}

pub(super) fn evaluate(function: MathFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    Ok(match function {
        MathFn::Abs => match call.ty {
            KustoType::Long => {
                let values = downcast::<Int64Array>(call.arg(0)?)?;
                Arc::new(map_values(values, len, i64::checked_abs))
            }
            KustoType::TimeSpan => {
                let values = downcast::<DurationNanosecondArray>(call.arg(0)?)?;
                Arc::new(map_values(values, len, i64::checked_abs))
            }
            _ => {
                let values = downcast::<Float64Array>(call.arg(0)?)?;
                Arc::new(map_values(values, len, |x| Some(x.abs())))
            }
        },
        MathFn::Round => round(call)?,
        MathFn::Pow => {
            let (base, exponent) = (reals(call, 0)?, reals(call, 1)?);
            let result: Float64Array = (0..len)
                .map(|row| Some(at(base, row)?.powf(at(exponent, row)?)))
                .collect();
            Arc::new(result)
        }
        MathFn::IsNan | MathFn::IsInf | MathFn::IsFinite => {
            let values = reals(call, 0)?;
            let test = match function {
                MathFn::IsNan => f64::is_nan,
                MathFn::IsInf => f64::is_infinite,
                _ => f64::is_finite,
            };
            let result: BooleanArray = (0..len).map(|row| at(values, row).map(test)).collect();
            Arc::new(result)
        }
        MathFn::MaxOf | MathFn::MinOf => {
            let max = function == MathFn::MaxOf;
            match call.ty {
                KustoType::Int => Arc::new(extreme::<Int32Type>(call, max)?),
                KustoType::Long => Arc::new(extreme::<Int64Type>(call, max)?),
                KustoType::DateTime => {
                    Arc::new(extreme::<TimestampNanosecondType>(call, max)?.with_timezone("UTC"))
                }
                KustoType::TimeSpan => Arc::new(extreme::<DurationNanosecondType>(call, max)?),
                _ => Arc::new(extreme::<Float64Type>(call, max)?),
            }
        }
        _ => {
            let values = reals(call, 0)?;
            let apply: fn(f64) -> Option<f64> = match function {
                MathFn::Ceiling => |x| Some(x.ceil()),
                MathFn::Sqrt => |x| Some(x.sqrt()),
                MathFn::Log => |x| (x >= 0.0 || x.is_nan()).then(|| x.ln()),
                MathFn::Log2 => |x| (x >= 0.0 || x.is_nan()).then(|| x.log2()),
                MathFn::Log10 => |x| (x >= 0.0 || x.is_nan()).then(|| x.log10()),
                MathFn::Exp => |x| Some(x.exp()),
                MathFn::Exp2 => |x| Some(x.exp2()),
                MathFn::Exp10 => |x| Some(10f64.powf(x)),
                _ => sign,
            };
            Arc::new(map_values(values, len, apply))
        }
    })
}

fn reals<'a>(call: &'a Call<'_>, index: usize) -> DiagResult<&'a Float64Array> {
    downcast(call.arg(index)?)
}

/// The value of a row, `None` when null.
fn at<T: ArrowPrimitiveType>(array: &PrimitiveArray<T>, row: usize) -> Option<T::Native> {
    array.is_valid(row).then(|| array.value(row))
}

/// Applies `f` to every non-null value; `None` results are null.
fn map_values<T: ArrowPrimitiveType>(
    array: &PrimitiveArray<T>,
    len: usize,
    f: impl Fn(T::Native) -> Option<T::Native>,
) -> PrimitiveArray<T> {
    (0..len).map(|row| at(array, row).and_then(&f)).collect()
}

/// `sign(x)`: -1, 0 or 1; null for NaN.
fn sign(x: f64) -> Option<f64> {
    if x.is_nan() {
        None
    } else if x > 0.0 {
        Some(1.0)
    } else if x < 0.0 {
        Some(-1.0)
    } else {
        Some(0.0)
    }
}

/// `max_of`/`min_of`: the first extreme non-null value of each row.
fn extreme<T: ArrowPrimitiveType>(call: &Call<'_>, max: bool) -> DiagResult<PrimitiveArray<T>>
where
    T::Native: PartialOrd,
{
    let arrays = (0..call.arrays.len())
        .map(|index| downcast::<PrimitiveArray<T>>(call.arg(index)?))
        .collect::<DiagResult<Vec<_>>>()?;
    Ok((0..call.len)
        .map(|row| {
            arrays
                .iter()
                .filter_map(|array| at(array, row))
                .reduce(|best, value| {
                    let better = if max { value > best } else { value < best };
                    if better { value } else { best }
                })
        })
        .collect())
}

/// `round(x[, digits])` by the argument's type.
fn round(call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    let digits = match call.arrays.get(1) {
        Some(array) => Some(downcast::<Int64Array>(array)?),
        None => None,
    };
    let digits_at = |row: usize| match digits {
        Some(digits) => at(digits, row),
        None => Some(0),
    };
    Ok(match call.ty {
        KustoType::Int => {
            let values = downcast::<Int32Array>(call.arg(0)?)?;
            let result: Int32Array = (0..len)
                .map(|row| {
                    let rounded = round_long(i64::from(at(values, row)?), digits_at(row)?)?;
                    i32::try_from(rounded).ok()
                })
                .collect();
            Arc::new(result)
        }
        KustoType::Long => {
            let values = downcast::<Int64Array>(call.arg(0)?)?;
            let result: Int64Array = (0..len)
                .map(|row| round_long(at(values, row)?, digits_at(row)?))
                .collect();
            Arc::new(result)
        }
        _ => {
            let values = reals(call, 0)?;
            let result: Float64Array = (0..len)
                .map(|row| Some(round_real(at(values, row)?, digits_at(row)?)))
                .collect();
            Arc::new(result)
        }
    })
}

/// Rounds half away from zero to `digits` decimal places (`K:round-function`:
/// `round(2.15, 1)` is 2.2, `round(-50.55, -2)` is -100).
fn round_real(x: f64, digits: i64) -> f64 {
    const MAX_DIGITS: i64 = 308;
    if digits >= 0 {
        if digits > MAX_DIGITS {
            return x;
        }
        let scale = 10f64.powi(digits as i32);
        let scaled = x * scale;
        if scaled.is_finite() {
            scaled.round() / scale
        } else {
            x
        }
    } else {
        if digits < -MAX_DIGITS {
            return 0.0;
        }
        let scale = 10f64.powi(digits.unsigned_abs() as i32);
        (x / scale).round() * scale
    }
}

/// Rounds an integer half away from zero to a multiple of `10^-digits`; positive `digits`
/// leave it unchanged. `None` on overflow.
fn round_long(x: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(x);
    }
    let power = 10i64.checked_pow(u32::try_from(digits.unsigned_abs()).ok()?)?;
    let (quotient, remainder) = (x / power, x % power);
    let quotient = if remainder.abs() * 2 >= power {
        quotient + remainder.signum()
    } else {
        quotient
    };
    quotient.checked_mul(power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_follows_the_docs_examples() {
        assert_eq!(round_real(2.98765, 3), 2.988);
        assert_eq!(round_real(2.15, 1), 2.2);
        assert_eq!(round_real(2.15, 0), 2.0);
        assert_eq!(round_real(-50.55, -2), -100.0);
        assert_eq!(round_real(21.5, -1), 20.0);
        assert_eq!(round_real(-0.5, 0), -1.0);
        assert_eq!(round_long(1250, -2), Some(1300));
        assert_eq!(round_long(-1250, -2), Some(-1300));
        assert_eq!(round_long(1249, -2), Some(1200));
        assert_eq!(round_long(7, 2), Some(7));
        assert_eq!(round_real(5.0, -400), 0.0);
        assert_eq!(round_real(5.5, 400), 5.5);
    }
}
