//! Window functions of serialized rows: `row_number`, `prev`, `next`, `row_cumsum`.
//!
//! They read neighbouring rows, so the executor gives them one batch holding every row of
//! their input, in order (see `exec`). Kusto requires that order to be defined (after
//! `serialize`, `sort`, `top`...): the binder rejects them over rows it knows are not
//! serialized (`bind::serialized`), and otherwise uses the input's order as it is.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, UInt32Array};
use kql_parser::Span;

use super::{Call, Function, call, check_arity, downcast, fit};
use crate::bind::expect_type;
use crate::error::{DiagResult, arrow_error, semantic};
use crate::plan::BoundExpr;
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &["row_number", "prev", "next", "row_cumsum"];

/// The window functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFn {
    /// `row_number([start [, restart]])`: 1, 2, 3... (from `start`), starting again from
    /// `start` where `restart` is true.
    RowNumber,
    /// `prev(x [, offset [, default]])`: `x` of the row `offset` rows before; `default` (or
    /// null) when there is none.
    Prev,
    /// `next(x [, offset [, default]])`: `x` of the row `offset` rows after.
    Next,
    /// `row_cumsum(x [, restart])`: the running sum of `x`, starting again where `restart`
    /// is true; nulls add nothing.
    RowCumSum,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Window(f);
    match name {
        "row_number" => {
            check_arity(name, &args, 0..=2, span)?;
            let mut bound = Vec::new();
            let mut args = args.into_iter();
            if let Some(start) = args.next() {
                if !start.ty.is_numeric() {
                    return Err(semantic("the start of `row_number` must be a number")
                        .with_span(start.span));
                }
                bound.push(fit(start, KustoType::Long));
            }
            if let Some(restart) = args.next() {
                bound.push(expect_type(
                    restart,
                    KustoType::Bool,
                    "the restart of `row_number`",
                )?);
            }
            Ok(call(
                function(WindowFn::RowNumber),
                bound,
                KustoType::Long,
                span,
            ))
        }
        "prev" | "next" => {
            check_arity(name, &args, 1..=3, span)?;
            let ty = args.first().map(|arg| arg.ty).ok_or_else(|| {
                kql_parser::Diagnostic::internal(format!("`{name}` lost its argument"))
            })?;
            let mut bound = Vec::new();
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(match index {
                    1 if arg.ty.is_numeric() => fit(arg, KustoType::Long),
                    1 => {
                        return Err(semantic(format!("the offset of `{name}` must be a number"))
                            .with_span(arg.span));
                    }
                    // Kusto takes the default as a constant: `prev(v, 1, v)` is an error
                    // (`agent-window-series-scan-0001`, `-0003` in the conformance cases).
                    2 if crate::eval::fold_constant(&arg).is_none() => {
                        return Err(semantic(format!(
                            "the default of `{name}` must be a constant"
                        ))
                        .with_span(arg.span));
                    }
                    2 if arg.ty == ty || (arg.ty.is_numeric() && ty.is_numeric()) => fit(arg, ty),
                    2 => {
                        return Err(
                            semantic(format!("the default of `{name}` must be a `{ty}`"))
                                .with_span(arg.span),
                        );
                    }
                    _ => arg,
                });
            }
            let f = if name == "prev" {
                WindowFn::Prev
            } else {
                WindowFn::Next
            };
            Ok(call(function(f), bound, ty, span))
        }
        _ => {
            check_arity(name, &args, 1..=2, span)?;
            let mut args = args.into_iter();
            let value = args
                .next()
                .ok_or_else(|| kql_parser::Diagnostic::internal("row_cumsum lost its argument"))?;
            let ty = match value.ty {
                KustoType::Int => KustoType::Int,
                KustoType::Long => KustoType::Long,
                KustoType::Real | KustoType::Decimal => KustoType::Real,
                other => {
                    return Err(
                        semantic(format!("`row_cumsum` sums numbers, found `{other}`"))
                            .with_span(value.span),
                    );
                }
            };
            let mut bound = vec![fit(value, ty)];
            if let Some(restart) = args.next() {
                bound.push(expect_type(
                    restart,
                    KustoType::Bool,
                    "the restart of `row_cumsum`",
                )?);
            }
            Ok(call(function(WindowFn::RowCumSum), bound, ty, span))
        }
    }
}

/// The restart flags, if given: true rows start a new run.
fn restarts(call: &Call<'_>, index: usize) -> DiagResult<Option<BooleanArray>> {
    match call.arrays.get(index) {
        Some(array) => Ok(Some(crate::eval::null_as_false(downcast::<BooleanArray>(
            array,
        )?))),
        None => Ok(None),
    }
}

pub(super) fn evaluate(function: WindowFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    Ok(match function {
        WindowFn::RowNumber => {
            let start = match call.arrays.first() {
                Some(array) => {
                    let starts = downcast::<Int64Array>(array)?;
                    if starts.is_empty() || starts.is_null(0) {
                        1
                    } else {
                        starts.value(0)
                    }
                }
                None => 1,
            };
            let restart = restarts(call, 1)?;
            let mut next = start;
            let numbers: Int64Array = (0..len)
                .map(|row| {
                    if restart.as_ref().is_some_and(|r| r.value(row)) {
                        next = start;
                    }
                    let number = next;
                    next += 1;
                    Some(number)
                })
                .collect();
            Arc::new(numbers)
        }
        WindowFn::Prev | WindowFn::Next => {
            let value = call.arg(0)?;
            let offset = match call.arrays.get(1) {
                Some(array) => {
                    let offsets = downcast::<Int64Array>(array)?;
                    if offsets.is_empty() || offsets.is_null(0) {
                        1
                    } else {
                        offsets.value(0)
                    }
                }
                None => 1,
            };
            let offset = if function == WindowFn::Prev {
                -offset
            } else {
                offset
            };
            let indices: UInt32Array = (0..len as i64)
                .map(|row| {
                    let source = row + offset;
                    (0..len as i64).contains(&source).then_some(source as u32)
                })
                .collect();
            let shifted =
                arrow::compute::take(value.as_ref(), &indices, None).map_err(arrow_error)?;
            match call.arrays.get(2) {
                Some(default) => {
                    let missing = arrow::compute::is_null(&indices).map_err(arrow_error)?;
                    arrow::compute::kernels::zip::zip(&missing, default, &shifted)
                        .map_err(arrow_error)?
                }
                None if call.ty == KustoType::String => {
                    // Strings are never null: a missing neighbour is "".
                    let empty = arrow::array::StringArray::from(vec![""; len]);
                    let missing = arrow::compute::is_null(&indices).map_err(arrow_error)?;
                    arrow::compute::kernels::zip::zip(&missing, &empty, &shifted)
                        .map_err(arrow_error)?
                }
                None => shifted,
            }
        }
        WindowFn::RowCumSum => {
            let value = call.arg(0)?;
            let restart = restarts(call, 1)?;
            let restart_at = |row: usize| restart.as_ref().is_some_and(|r| r.value(row));
            if matches!(call.ty, KustoType::Long | KustoType::Int) {
                let longs = arrow::compute::cast(value, &arrow::datatypes::DataType::Int64)
                    .map_err(arrow_error)?;
                let values = downcast::<Int64Array>(&longs)?;
                let mut sum = 0i64;
                let sums: Int64Array = (0..len)
                    .map(|row| {
                        if restart_at(row) {
                            sum = 0;
                        }
                        if values.is_valid(row) {
                            sum = sum.wrapping_add(values.value(row));
                        }
                        Some(sum)
                    })
                    .collect();
                // An `int` running sum stays `int`.
                let sums: ArrayRef = Arc::new(sums);
                arrow::compute::cast(&sums, &call.ty.to_arrow()).map_err(arrow_error)?
            } else {
                let values = downcast::<Float64Array>(value)?;
                let mut sum = 0f64;
                let sums: Float64Array = (0..len)
                    .map(|row| {
                        if restart_at(row) {
                            sum = 0.0;
                        }
                        if values.is_valid(row) {
                            sum += values.value(row);
                        }
                        Some(sum)
                    })
                    .collect();
                Arc::new(sums)
            }
        }
    })
}
