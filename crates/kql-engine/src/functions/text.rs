//! String functions: `strlen`, `tolower`, `toupper`, `strcat`, `tostring`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use kql_parser::Span;

use super::{Call, Function, call, check_arity, string_arg};
use crate::error::{DiagResult, arrow_error};
use crate::eval::string_at;
use crate::plan::BoundExpr;
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &["strlen", "tolower", "toupper", "strcat", "tostring"];

/// The string functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFn {
    /// `strlen(s)`: length in characters.
    StrLen,
    /// `tolower(s)`.
    ToLower,
    /// `toupper(s)`.
    ToUpper,
    /// `strcat(a, b, ...)`: 1 to 64 values, converted to strings and joined.
    StrCat,
    /// `tostring(x)`: the text Kusto prints for a value; null becomes `""`.
    ToString,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Text(f);
    match name {
        "strcat" => {
            check_arity(name, &args, 1..=64, span)?;
            let args = args.into_iter().map(string_arg).collect();
            Ok(call(
                function(TextFn::StrCat),
                args,
                KustoType::String,
                span,
            ))
        }
        "tostring" => {
            check_arity(name, &args, 1..=1, span)?;
            Ok(call(
                function(TextFn::ToString),
                args,
                KustoType::String,
                span,
            ))
        }
        _ => {
            check_arity(name, &args, 1..=1, span)?;
            let (f, ty) = match name {
                "strlen" => (TextFn::StrLen, KustoType::Long),
                "tolower" => (TextFn::ToLower, KustoType::String),
                _ => (TextFn::ToUpper, KustoType::String),
            };
            Ok(call(
                function(f),
                args.into_iter().map(string_arg).collect(),
                ty,
                span,
            ))
        }
    }
}

pub(super) fn evaluate(function: TextFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    Ok(match function {
        TextFn::StrLen => {
            let texts = call.strings(0)?;
            let lengths: Int64Array = (0..len)
                .map(|row| i64::try_from(string_at(texts, false, row).chars().count()).ok())
                .collect();
            Arc::new(lengths)
        }
        TextFn::ToLower | TextFn::ToUpper => {
            let texts = call.strings(0)?;
            let lower = function == TextFn::ToLower;
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
        TextFn::StrCat => {
            let parts = (0..call.arrays.len())
                .map(|i| call.strings(i))
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
        TextFn::ToString => to_kusto_strings(
            call.arg(0)?,
            call.types.first().copied().unwrap_or(KustoType::String),
        )?,
    })
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
