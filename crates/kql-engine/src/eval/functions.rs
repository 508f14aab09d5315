//! Scalar functions: `coalesce`, `iff`, `isempty`, `strlen`, `tolower`, `strcat`...

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use arrow::compute::kernels::zip::zip;
use arrow::compute::{is_not_null, is_null};

use super::Value;
use super::string_match::{string_at, strings};
use crate::error::{DiagResult, arrow_error};
use crate::plan::{BoundExpr, Function};
use crate::types::KustoType;

/// Calls `function` on evaluated arguments.
pub(crate) fn call(
    function: Function,
    values: Vec<Value>,
    args: &[BoundExpr],
    ty: KustoType,
    rows: usize,
) -> DiagResult<Value> {
    let all_scalar = values.iter().all(Value::is_scalar);
    let len = if all_scalar { 1 } else { rows };
    let arrays = values
        .into_iter()
        .map(|value| value.into_array(len))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;
    let first = arrays
        .first()
        .ok_or_else(|| kql_parser::Diagnostic::internal("a function call has no arguments"))?;
    let first_ty = args.first().map_or(ty, |arg| arg.ty);
    let result: ArrayRef = match function {
        Function::Coalesce => coalesce(&arrays, ty)?,
        Function::Iff => {
            let condition = booleans(first)?;
            // A null condition chooses the `else` branch (`K:iff-function`).
            let condition = arrow::compute::prep_null_mask_filter(&condition);
            zip(&condition, &arrays[1], &arrays[2]).map_err(arrow_error)?
        }
        Function::IsNull | Function::IsNotNull if first_ty == KustoType::String => {
            Arc::new(BooleanArray::from(vec![
                function == Function::IsNotNull;
                len
            ]))
        }
        Function::IsNull => Arc::new(is_null(first).map_err(arrow_error)?),
        Function::IsNotNull => Arc::new(is_not_null(first).map_err(arrow_error)?),
        Function::IsEmpty | Function::IsNotEmpty => {
            let want_empty = function == Function::IsEmpty;
            Arc::new(empty_mask(first, first_ty, len, want_empty)?)
        }
        Function::StrLen => {
            let texts = string_array(first)?;
            let lengths: Int64Array = (0..len)
                .map(|row| i64::try_from(string_at(texts, false, row).chars().count()).ok())
                .collect();
            Arc::new(lengths)
        }
        Function::ToLower | Function::ToUpper => {
            let texts = string_array(first)?;
            let lower = function == Function::ToLower;
            let converted: StringArray = (0..len)
                .map(|row| {
                    let text = string_at(texts, false, row);
                    Some(if lower {
                        text.to_lowercase()
                    } else {
                        text.to_uppercase()
                    })
                })
                .collect();
            Arc::new(converted)
        }
        Function::StrCat => {
            let parts = arrays
                .iter()
                .map(string_array)
                .collect::<DiagResult<Vec<_>>>()?;
            let joined: StringArray = (0..len)
                .map(|row| {
                    Some(
                        parts
                            .iter()
                            .map(|part| string_at(part, false, row))
                            .collect::<String>(),
                    )
                })
                .collect();
            Arc::new(joined)
        }
        Function::ToString => to_kusto_strings(first, first_ty)?,
    };
    Ok(Value::like(all_scalar, result))
}

fn booleans(array: &ArrayRef) -> DiagResult<BooleanArray> {
    array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .cloned()
        .ok_or_else(|| kql_parser::Diagnostic::internal("expected a boolean argument"))
}

fn string_array(array: &ArrayRef) -> DiagResult<&StringArray> {
    strings(&Value::Array(Arc::clone(array)))
        .map(|_| ())
        .and_then(|()| {
            array
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected a string argument"))
        })
}

/// `isempty`: null, or the empty string (`K:isempty-function`).
fn empty_mask(
    array: &ArrayRef,
    ty: KustoType,
    len: usize,
    want_empty: bool,
) -> DiagResult<BooleanArray> {
    if matches!(ty, KustoType::String | KustoType::Guid | KustoType::Dynamic) {
        let texts = string_array(array)?;
        return Ok((0..len)
            .map(|row| Some(string_at(texts, false, row).is_empty() == want_empty))
            .collect());
    }
    Ok((0..len)
        .map(|row| Some(array.is_null(row) == want_empty))
        .collect())
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
        let usable = if ty == KustoType::String {
            let texts = string_array(candidate)?;
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

/// Values as Kusto's `tostring` prints them; null becomes `""`.
pub(crate) fn to_kusto_strings(array: &ArrayRef, ty: KustoType) -> DiagResult<ArrayRef> {
    use arrow::array::{DurationNanosecondArray, TimestampNanosecondArray};
    let strings: StringArray = match ty {
        KustoType::DateTime => {
            let values = array
                .as_any()
                .downcast_ref::<TimestampNanosecondArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected datetimes"))?;
            values
                .iter()
                .map(|v| Some(v.map(crate::format::datetime).unwrap_or_default()))
                .collect()
        }
        KustoType::TimeSpan => {
            let values = array
                .as_any()
                .downcast_ref::<DurationNanosecondArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected timespans"))?;
            values
                .iter()
                .map(|v| Some(v.map(crate::format::timespan).unwrap_or_default()))
                .collect()
        }
        KustoType::Real | KustoType::Decimal => {
            let values = array
                .as_any()
                .downcast_ref::<arrow::array::Float64Array>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected reals"))?;
            values
                .iter()
                .map(|v| Some(v.map(crate::format::real).unwrap_or_default()))
                .collect()
        }
        _ => {
            let cast = arrow::compute::cast(array, &arrow::datatypes::DataType::Utf8)
                .map_err(arrow_error)?;
            let texts = cast
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("a cast to string failed"))?;
            texts
                .iter()
                .map(|v| Some(v.unwrap_or_default().to_string()))
                .collect()
        }
    };
    Ok(Arc::new(strings))
}
