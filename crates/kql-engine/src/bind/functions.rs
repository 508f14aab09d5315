//! Binding scalar function calls: argument counts and types, constant arguments.

use std::sync::Arc;

use arrow::array::{ArrayRef, TimestampNanosecondArray};
use kql_parser::Span;
use kql_parser::ast::{Argument, Ident};

use super::Binder;
use super::expr::{cast_to, common_numeric, constant_regex, expect_type};
use super::literal::{as_str, must_be_constant};
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Columns, ExprKind, Function};
use crate::types::KustoType;

/// The scalar functions known to kql, for "did you mean" hints.
const KNOWN_FUNCTIONS: &[&str] = &[
    "ago",
    "now",
    "coalesce",
    "replace_regex",
    "iff",
    "iif",
    "isempty",
    "isnotempty",
    "isnull",
    "isnotnull",
    "strlen",
    "tolower",
    "toupper",
    "strcat",
    "tostring",
    "not",
    "column_ifexists",
];

impl Binder<'_> {
    /// Binds `name(args)`.
    pub(crate) fn bind_call(
        &mut self,
        name: &Ident,
        args: &[Argument],
        input: &Columns,
        operator: &str,
        span: Span,
    ) -> DiagResult<BoundExpr> {
        if let Some(named) = args.iter().find_map(|arg| arg.name.as_ref()) {
            return Err(not_supported("a named argument").with_span(named.span));
        }
        if name.name == "column_ifexists" {
            return self.bind_column_ifexists(args, input, operator, span);
        }
        let mut bound = Vec::with_capacity(args.len());
        for arg in args {
            bound.push(self.bind_expr(&arg.value, input, operator)?);
        }
        bind_function(&name.name, name.span, bound, span, self.now)
    }

    /// `column_ifexists(name, default)`: the column when the input has it, else the default.
    fn bind_column_ifexists(
        &mut self,
        args: &[Argument],
        input: &Columns,
        operator: &str,
        span: Span,
    ) -> DiagResult<BoundExpr> {
        let [column, default] = args else {
            return Err(arity("column_ifexists", "2", args.len(), span));
        };
        let column_name = self.bind_constant(&column.value)?;
        let column_name = as_str(&column_name)
            .ok_or_else(|| must_be_constant("the column name", column.value.span))?
            .to_string();
        let default = self.bind_expr(&default.value, input, operator)?;
        match input.iter().position(|c| c.name == column_name) {
            Some(index) => Ok(BoundExpr {
                kind: ExprKind::Column(index),
                ty: input[index].ty,
                span,
            }),
            None => Ok(default),
        }
    }
}

/// Binds a call to a built-in function with already-bound arguments.
fn bind_function(
    name: &str,
    name_span: Span,
    mut args: Vec<BoundExpr>,
    span: Span,
    now: i64,
) -> DiagResult<BoundExpr> {
    let count = args.len();
    let call = |function: Function, args: Vec<BoundExpr>, ty: KustoType| BoundExpr {
        kind: ExprKind::Call { function, args },
        ty,
        span,
    };
    match name {
        "now" | "ago" => {
            let offset = match args.pop() {
                None if name == "now" => 0,
                None => return Err(arity(name, "1", count, span)),
                Some(arg) if count == 1 => constant_timespan(arg)?,
                Some(_) => return Err(arity(name, "0 or 1", count, span)),
            };
            let instant = if name == "now" {
                now.checked_add(offset)
            } else {
                now.checked_sub(offset)
            };
            let instant =
                instant.ok_or_else(|| semantic("the datetime is out of range").with_span(span))?;
            let array: ArrayRef =
                Arc::new(TimestampNanosecondArray::from(vec![instant]).with_timezone("UTC"));
            Ok(BoundExpr {
                kind: ExprKind::Literal(array),
                ty: KustoType::DateTime,
                span,
            })
        }
        "coalesce" => {
            if !(2..=64).contains(&count) {
                return Err(arity(name, "2 to 64", count, span));
            }
            let ty = common_type(&args, span)?;
            let args = args.into_iter().map(|arg| fit(arg, ty)).collect();
            Ok(call(Function::Coalesce, args, ty))
        }
        "replace_regex" => {
            let [source, pattern, rewrite] =
                <[BoundExpr; 3]>::try_from(args).map_err(|_| arity(name, "3", count, span))?;
            let source = expect_type(source, KustoType::String, "the source of `replace_regex`")?;
            let regex = constant_regex(&pattern)?;
            let rewrite = match &rewrite.kind {
                ExprKind::Literal(array) => as_str(array).map(translate_rewrite),
                _ => None,
            }
            .ok_or_else(|| must_be_constant("the rewrite pattern", rewrite.span))?;
            let kind = ExprKind::ReplaceRegex {
                source: Box::new(source),
                regex,
                rewrite,
            };
            Ok(BoundExpr {
                kind,
                ty: KustoType::String,
                span,
            })
        }
        "iff" | "iif" => {
            let [condition, then, otherwise] =
                <[BoundExpr; 3]>::try_from(args).map_err(|_| arity(name, "3", count, span))?;
            let condition = expect_type(condition, KustoType::Bool, "the condition of `iff`")?;
            let ty = common_type(&[then.clone(), otherwise.clone()], span)?;
            Ok(call(
                Function::Iff,
                vec![condition, fit(then, ty), fit(otherwise, ty)],
                ty,
            ))
        }
        "not" => {
            let [operand] =
                <[BoundExpr; 1]>::try_from(args).map_err(|_| arity(name, "1", count, span))?;
            let operand = expect_type(operand, KustoType::Bool, "the argument of `not`")?;
            Ok(BoundExpr {
                kind: ExprKind::Not(Box::new(operand)),
                ty: KustoType::Bool,
                span,
            })
        }
        "isempty" | "isnotempty" | "isnull" | "isnotnull" => {
            let [operand] =
                <[BoundExpr; 1]>::try_from(args).map_err(|_| arity(name, "1", count, span))?;
            let function = match name {
                "isempty" => Function::IsEmpty,
                "isnotempty" => Function::IsNotEmpty,
                "isnull" => Function::IsNull,
                _ => Function::IsNotNull,
            };
            Ok(call(function, vec![operand], KustoType::Bool))
        }
        "strlen" | "tolower" | "toupper" => {
            let [operand] =
                <[BoundExpr; 1]>::try_from(args).map_err(|_| arity(name, "1", count, span))?;
            let operand = to_string_arg(operand);
            let (function, ty) = match name {
                "strlen" => (Function::StrLen, KustoType::Long),
                "tolower" => (Function::ToLower, KustoType::String),
                _ => (Function::ToUpper, KustoType::String),
            };
            Ok(call(function, vec![operand], ty))
        }
        "tostring" => {
            let [operand] =
                <[BoundExpr; 1]>::try_from(args).map_err(|_| arity(name, "1", count, span))?;
            Ok(call(Function::ToString, vec![operand], KustoType::String))
        }
        "strcat" => {
            if !(1..=64).contains(&count) {
                return Err(arity(name, "1 to 64", count, span));
            }
            let args = args.into_iter().map(to_string_arg).collect();
            Ok(call(Function::StrCat, args, KustoType::String))
        }
        _ => {
            let close = super::close_names(name, KNOWN_FUNCTIONS.iter().copied());
            let mut diagnostic =
                not_supported(format!("the function `{name}`")).with_span(name_span);
            if let Some(hint) = super::did_you_mean(&close) {
                diagnostic = diagnostic.with_hint(hint);
            }
            Err(diagnostic)
        }
    }
}

/// Converts an argument to string as Kusto does for string functions.
fn to_string_arg(arg: BoundExpr) -> BoundExpr {
    if matches!(arg.ty, KustoType::String) {
        return arg;
    }
    if matches!(arg.kind, ExprKind::Missing(_)) {
        return BoundExpr {
            ty: KustoType::String,
            ..arg
        };
    }
    let span = arg.span;
    BoundExpr {
        kind: ExprKind::Call {
            function: Function::ToString,
            args: vec![arg],
        },
        ty: KustoType::String,
        span,
    }
}

/// Gives a missing column the type `ty`, or converts a numeric argument to it.
fn fit(arg: BoundExpr, ty: KustoType) -> BoundExpr {
    if matches!(arg.kind, ExprKind::Missing(_)) {
        return BoundExpr { ty, ..arg };
    }
    cast_to(arg, ty)
}

/// The common type of arguments that must agree: numeric types widen, others must be equal.
/// Missing columns (permissive mode) take the type of the others.
fn common_type(args: &[BoundExpr], span: Span) -> DiagResult<KustoType> {
    let mut common: Option<KustoType> = None;
    for arg in args
        .iter()
        .filter(|arg| !matches!(arg.kind, ExprKind::Missing(_)))
    {
        common = Some(match common {
            None => arg.ty,
            Some(ty) if ty == arg.ty => ty,
            Some(ty) if ty.is_numeric() && arg.ty.is_numeric() => common_numeric(ty, arg.ty),
            Some(ty) => {
                return Err(semantic(format!(
                    "the arguments must have one type, found `{ty}` and `{}`",
                    arg.ty
                ))
                .with_span(arg.span)
                .with_label(span, "in this call"));
            }
        });
    }
    Ok(common.unwrap_or(KustoType::String))
}

/// A constant timespan argument in nanoseconds.
fn constant_timespan(arg: BoundExpr) -> DiagResult<i64> {
    use arrow::array::{Array, DurationNanosecondArray};
    if arg.ty != KustoType::TimeSpan {
        return Err(
            semantic(format!("expected a timespan, found `{}`", arg.ty)).with_span(arg.span)
        );
    }
    let value = match &arg.kind {
        ExprKind::Literal(array) => array
            .as_any()
            .downcast_ref::<DurationNanosecondArray>()
            .filter(|array| array.is_valid(0))
            .map(|array| array.value(0)),
        _ => None,
    };
    value.ok_or_else(|| {
        not_supported("a timespan argument that is not a constant").with_span(arg.span)
    })
}

/// An argument-count error.
fn arity(name: &str, expected: &str, found: usize, span: Span) -> kql_parser::Diagnostic {
    semantic(format!(
        "`{name}` takes {expected} arguments, found {found}"
    ))
    .with_span(span)
}

/// Translates a Kusto rewrite pattern (`\1` for a group) into the regex crate's syntax
/// (`${1}`), escaping the crate's own `$` (kql-semantics §5).
pub(crate) fn translate_rewrite(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len());
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut group = String::new();
                while let Some(digit) = chars.peek().copied().filter(char::is_ascii_digit) {
                    group.push(digit);
                    chars.next();
                }
                out.push_str(&format!("${{{group}}}"));
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::translate_rewrite;

    #[test]
    fn rewrites_use_the_regex_crate_syntax() {
        assert_eq!(translate_rewrite(r"was: \1"), "was: ${1}");
        assert_eq!(translate_rewrite("cost $5"), "cost $$5");
        assert_eq!(translate_rewrite(r"\0-\12"), "${0}-${12}");
        assert_eq!(translate_rewrite(r"a\b"), r"a\b");
    }
}
