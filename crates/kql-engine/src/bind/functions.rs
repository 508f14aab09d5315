//! Binding scalar function calls: argument counts and types, constant arguments.

use std::sync::Arc;

use arrow::array::{ArrayRef, TimestampNanosecondArray};
use kql_parser::Span;
use kql_parser::ast::{Argument, Ident};

use super::Binder;
use super::expr::{constant_regex, expect_type};
use super::literal::{as_str, must_be_constant};
use crate::error::{DiagResult, not_supported, semantic};
use crate::eval::pattern::ReplacePattern;
use crate::plan::{BoundExpr, Columns, ExprKind};
use crate::types::KustoType;

/// Functions the binder handles itself, for "did you mean" hints.
pub(super) const SPECIAL_FUNCTIONS: &[&str] = &[
    "ago",
    "now",
    "replace_regex",
    "not",
    "column_ifexists",
    "column_names_of",
    "toscalar",
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
        if let Some(def) = self.user_function(&name.name) {
            let inlined = self.call_user_function(&name.name, &def, args, input, None, span)?;
            return match inlined {
                super::user_functions::Inlined::Scalar(value) => Ok(value),
                super::user_functions::Inlined::Tabular(_) => Err(crate::error::semantic(format!(
                    "`{}` returns a table, not a scalar",
                    name.name
                ))
                .with_span(span)
                .with_hint("use `toscalar(...)` to take its first value")),
            };
        }
        if let Some(named) = args.iter().find_map(|arg| arg.name.as_ref()) {
            return Err(not_supported("a named argument").with_span(named.span));
        }
        if name.name == "toscalar" {
            return match args {
                [arg] if arg.name.is_none() => self.bind_toscalar(&arg.value, span),
                _ => Err(crate::error::semantic("`toscalar` takes one argument").with_span(span)),
            };
        }
        if name.name == "column_names_of" {
            return match args {
                [arg] => self.bind_column_names_of(&arg.value, span),
                _ => Err(arity("column_names_of", "1", args.len(), span)),
            };
        }
        if let Some(bound) = self.bind_typed_call(name, args, input, operator, span) {
            return bound;
        }
        if name.name == "column_ifexists" {
            return self.bind_column_ifexists(args, input, operator, span);
        }
        if !SPECIAL_FUNCTIONS.contains(&name.name.as_str())
            && crate::functions::names().all(|known| known != name.name)
        {
            // A function kql lacks is reported as such before its arguments, which may use
            // forms only it accepts (`estimate_data_size(*)`), fail to bind.
            return bind_function(&name.name, name.span, Vec::new(), span, self.now);
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
        match input
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == column_name)
        {
            Some((index, found)) => Ok(BoundExpr {
                kind: ExprKind::Column(index),
                ty: found.ty,
                span,
            }),
            None => Ok(default),
        }
    }
}

/// Binds a call to a built-in function with already-bound arguments. `now`, `ago`, `not`
/// and `replace_regex` become plan nodes of their own; the rest belong to the function
/// families in [`crate::functions`].
pub(super) fn bind_function(
    name: &str,
    name_span: Span,
    mut args: Vec<BoundExpr>,
    span: Span,
    now: i64,
) -> DiagResult<BoundExpr> {
    let count = args.len();
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
                pattern: Arc::new(ReplacePattern::new(regex, rewrite)),
            };
            Ok(BoundExpr {
                kind,
                ty: KustoType::String,
                span,
            })
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
        _ => match crate::functions::bind(name, args, span) {
            Some(bound) => bound,
            None => {
                let known = SPECIAL_FUNCTIONS
                    .iter()
                    .copied()
                    .chain(crate::functions::names());
                let close = super::close_names(name, known);
                let mut diagnostic =
                    not_supported(format!("the function `{name}`")).with_span(name_span);
                if let Some(hint) = super::did_you_mean(&close) {
                    diagnostic = diagnostic.with_hint(hint);
                }
                Err(diagnostic)
            }
        },
    }
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
