//! `typeof(T)` as a function argument: the type a function converts its result to, as in
//! `extract(regex, group, text, typeof(int))` (K:extract-function).

use kql_parser::Span;
use kql_parser::ast::{Argument, Expr, ExprKind as Ast, Ident};

use super::Binder;
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Columns};
use crate::types::KustoType;

/// The type of a `typeof(T)` argument, or `None` when the argument is another expression.
fn type_argument(expr: &Expr) -> Option<DiagResult<KustoType>> {
    let Ast::Call { name, args } = &expr.kind else {
        return None;
    };
    if name.name != "typeof" {
        return None;
    }
    let type_name = match args.as_slice() {
        [arg] => match &arg.value.kind {
            Ast::Name(ident) => Some(ident),
            _ => None,
        },
        _ => None,
    };
    Some(
        type_name
            .and_then(|ident| ident.name.parse::<KustoType>().ok())
            .ok_or_else(|| {
                semantic("`typeof` takes a type name, such as `typeof(int)`").with_span(expr.span)
            }),
    )
}

/// The conversion function that turns a string into `ty`.
fn conversion(ty: KustoType) -> Option<&'static str> {
    Some(match ty {
        KustoType::Bool => "tobool",
        KustoType::Int => "toint",
        KustoType::Long => "tolong",
        KustoType::Real => "todouble",
        KustoType::DateTime => "todatetime",
        KustoType::TimeSpan => "totimespan",
        KustoType::String => "tostring",
        KustoType::Dynamic => "todynamic",
        KustoType::Decimal | KustoType::Guid => return None,
    })
}

impl Binder<'_> {
    /// Binds a call with a `typeof(T)` argument, or returns `None` when it has none.
    /// `extract(regex, group, text, typeof(T))` is `extract(regex, group, text)` converted
    /// to `T` (null when the conversion fails); other functions with a type argument are not
    /// supported yet.
    pub(crate) fn bind_typed_call(
        &mut self,
        name: &Ident,
        args: &[Argument],
        input: &Columns,
        operator: &str,
        span: Span,
    ) -> Option<DiagResult<BoundExpr>> {
        let (position, ty) = args
            .iter()
            .enumerate()
            .find_map(|(position, arg)| Some((position, type_argument(&arg.value)?)))?;
        let type_span = args.get(position).map_or(span, |arg| arg.value.span);
        if name.name != "extract" || position != 3 || args.len() != 4 {
            let known = crate::functions::names().any(|known| known == name.name);
            let (what, at) = if known {
                (
                    format!("a `typeof(...)` argument of `{}`", name.name),
                    type_span,
                )
            } else {
                (format!("the function `{}`", name.name), name.span)
            };
            return Some(Err(not_supported(what).with_span(at)));
        }
        Some(self.bind_extract_typed(
            name,
            args.get(..3).unwrap_or(args),
            ty,
            input,
            operator,
            span,
        ))
    }

    /// `extract(regex, group, text)` converted to `ty`.
    fn bind_extract_typed(
        &mut self,
        name: &Ident,
        args: &[Argument],
        ty: DiagResult<KustoType>,
        input: &Columns,
        operator: &str,
        span: Span,
    ) -> DiagResult<BoundExpr> {
        let ty = ty?;
        let convert = conversion(ty)
            .ok_or_else(|| not_supported(format!("`extract` to `{ty}`")).with_span(span))?;
        let extracted = self.bind_call(name, args, input, operator, span)?;
        super::functions::bind_function(convert, name.span, vec![extracted], span, self.now)
    }
}
