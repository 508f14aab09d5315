//! `coalesce`, `iff`/`iif`, `case`, `isempty`, `isnotempty`, `isnull`, `isnotnull`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::compute::kernels::zip::zip;
use arrow::compute::{is_not_null, is_null};
use kql_parser::Span;

use super::{Call, Function, call, check_arity, common_type, downcast, fit};
use crate::bind::expect_type;
use crate::error::{DiagResult, arrow_error};
use crate::eval::{null_as_false, string_at};
use crate::plan::BoundExpr;
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &[
    "coalesce",
    "iff",
    "iif",
    "case",
    "isempty",
    "isnotempty",
    "isnull",
    "isnotnull",
];

/// The conditional functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionalFn {
    /// `coalesce(a, b, ...)`: the first non-null (for strings, non-empty) argument.
    Coalesce,
    /// `iff(c, a, b)`: `a` when `c` is true, else `b` (also when `c` is null).
    Iff,
    /// `case(p1, v1, p2, v2, ..., else)`: the value of the first true predicate.
    Case,
    /// `isempty(x)`: null or `""`.
    IsEmpty,
    /// `isnotempty(x)`.
    IsNotEmpty,
    /// `isnull(x)`: always false for strings, which are never null.
    IsNull,
    /// `isnotnull(x)`.
    IsNotNull,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Conditional(f);
    match name {
        "coalesce" => {
            check_arity(name, &args, 2..=64, span)?;
            let ty = common_type(&args, span)?;
            let args = args.into_iter().map(|arg| fit(arg, ty)).collect();
            Ok(call(function(ConditionalFn::Coalesce), args, ty, span))
        }
        "iff" | "iif" => {
            check_arity(name, &args, 3..=3, span)?;
            let mut args = args.into_iter();
            let (Some(condition), Some(then), Some(otherwise)) =
                (args.next(), args.next(), args.next())
            else {
                return Err(kql_parser::Diagnostic::internal("iff lost its arguments"));
            };
            let condition = expect_type(condition, KustoType::Bool, "the condition of `iff`")?;
            let ty = common_type(&[then.clone(), otherwise.clone()], span)?;
            Ok(call(
                function(ConditionalFn::Iff),
                vec![condition, fit(then, ty), fit(otherwise, ty)],
                ty,
                span,
            ))
        }
        "case" => {
            if args.len() < 3 || args.len().is_multiple_of(2) {
                return Err(crate::error::semantic(
                    "`case` takes pairs of predicate and value, then an else value",
                )
                .with_span(span));
            }
            let values: Vec<BoundExpr> = args.iter().skip(1).step_by(2).cloned().collect();
            let ty = common_type(&values, span)?;
            let mut bound = Vec::with_capacity(args.len());
            let last = args.len() - 1;
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(if index % 2 == 0 && index != last {
                    expect_type(arg, KustoType::Bool, "a `case` predicate")?
                } else {
                    fit(arg, ty)
                });
            }
            Ok(call(function(ConditionalFn::Case), bound, ty, span))
        }
        _ => {
            check_arity(name, &args, 1..=1, span)?;
            let f = match name {
                "isempty" => ConditionalFn::IsEmpty,
                "isnotempty" => ConditionalFn::IsNotEmpty,
                "isnull" => ConditionalFn::IsNull,
                _ => ConditionalFn::IsNotNull,
            };
            Ok(call(function(f), args, KustoType::Bool, span))
        }
    }
}

pub(super) fn evaluate(function: ConditionalFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let first = call.arg(0)?;
    let first_ty = call.types.first().copied().unwrap_or(call.ty);
    let textual = matches!(
        first_ty,
        KustoType::String | KustoType::Guid | KustoType::Dynamic
    );
    Ok(match function {
        ConditionalFn::Coalesce => coalesce(call.arrays, call.ty)?,
        ConditionalFn::Iff => {
            let condition = null_as_false(downcast::<BooleanArray>(first)?);
            zip(&condition, call.arg(1)?, call.arg(2)?).map_err(arrow_error)?
        }
        ConditionalFn::Case => {
            // Built from the else value backwards, so the first true predicate wins.
            let pairs = call.arrays.len() / 2;
            let mut result = Arc::clone(call.arg(call.arrays.len() - 1)?);
            for pair in (0..pairs).rev() {
                let predicate = null_as_false(downcast::<BooleanArray>(call.arg(2 * pair)?)?);
                result = zip(&predicate, call.arg(2 * pair + 1)?, &result).map_err(arrow_error)?;
            }
            result
        }
        ConditionalFn::IsNull | ConditionalFn::IsNotNull if first_ty == KustoType::String => {
            Arc::new(BooleanArray::from(vec![
                function == ConditionalFn::IsNotNull;
                call.len
            ]))
        }
        ConditionalFn::IsNull => Arc::new(is_null(first).map_err(arrow_error)?),
        ConditionalFn::IsNotNull => Arc::new(is_not_null(first).map_err(arrow_error)?),
        ConditionalFn::IsEmpty | ConditionalFn::IsNotEmpty => {
            let want_empty = function == ConditionalFn::IsEmpty;
            let mask: BooleanArray = if textual {
                let texts = call.strings(0)?;
                (0..call.len)
                    .map(|row| Some(string_at(texts, false, row).is_empty() == want_empty))
                    .collect()
            } else {
                (0..call.len)
                    .map(|row| Some(first.is_null(row) == want_empty))
                    .collect()
            };
            Arc::new(mask)
        }
    })
}

/// `coalesce`: the first argument that is not null; for strings, not empty
/// (`K:coalesce-function`). Built right to left with `zip`, one kernel per argument.
fn coalesce(arrays: &[ArrayRef], ty: KustoType) -> DiagResult<ArrayRef> {
    let mut rest = arrays.iter().rev();
    let Some(last) = rest.next() else {
        return Err(kql_parser::Diagnostic::internal(
            "coalesce without arguments",
        ));
    };
    let mut result = Arc::clone(last);
    for candidate in rest {
        let usable: BooleanArray = if ty == KustoType::String {
            let texts = downcast::<arrow::array::StringArray>(candidate)?;
            (0..texts.len())
                .map(|row| Some(!string_at(texts, false, row).is_empty()))
                .collect()
        } else {
            is_not_null(candidate).map_err(arrow_error)?
        };
        result = zip(&usable, candidate, &result).map_err(arrow_error)?;
    }
    Ok(result)
}
