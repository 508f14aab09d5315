//! User-defined functions (`let f = (x:long, T:(*)) { ... }`), bound by inlining: each call
//! binds the body with the parameters standing for the call's arguments.
//!
//! A scalar parameter stands for the argument's bound expression (which may read the
//! caller's columns); a tabular parameter stands for the argument's plan. The body sees the
//! parameters and the `let`s in scope where it is called, not the caller's columns: in
//! Kusto a function's body only knows what is passed to it.

use std::sync::Arc;

use kql_parser::Span;
use kql_parser::ast::{
    Argument, Expr, ExprKind as Ast, FunctionDef, LetValue, ParamType, StatementKind,
};

use super::expr::cast_to;
use super::{Binder, Binding};
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Columns, Plan};
use crate::types::KustoType;

/// How deeply function calls may nest: recursion is not allowed in Kusto, and a chain of
/// calls this deep means a function calls itself.
const MAX_CALL_DEPTH: usize = 64;

/// What an inlined call produced.
pub(crate) enum Inlined {
    /// A scalar function's value.
    Scalar(BoundExpr),
    /// A tabular function's result.
    Tabular(Plan),
}

impl Binder<'_> {
    /// Binds a call of a user-defined function. `piped` is the input of `T | invoke f()`,
    /// which becomes the first tabular parameter.
    pub(crate) fn call_user_function(
        &mut self,
        name: &str,
        def: &Arc<FunctionDef>,
        args: &[Argument],
        input: &Columns,
        mut piped: Option<Plan>,
        span: Span,
    ) -> DiagResult<Inlined> {
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(semantic(format!("the function `{name}` calls itself")).with_span(span));
        }
        let mut positional = args.iter().filter(|arg| arg.name.is_none());
        let mut bindings = Vec::new();
        for param in &def.params {
            let named = args
                .iter()
                .find(|arg| arg.name.as_ref().is_some_and(|n| n.name == param.name.name));
            let binding = match &param.ty {
                ParamType::Tabular(_) => {
                    let plan = match piped.take() {
                        Some(plan) => plan,
                        None => match named.or_else(|| positional.next()) {
                            Some(arg) => self.bind_tabular(&arg.value)?,
                            None => return Err(missing_argument(name, &param.name.name, span)),
                        },
                    };
                    Binding::Plan(plan)
                }
                ParamType::Scalar(ty) => {
                    let value = match named.or_else(|| positional.next()) {
                        Some(arg) => self.bind_expr(&arg.value, input, "invoke")?,
                        None => match &param.default {
                            Some(default) => self.bind_expr(default, &Columns::new(), "invoke")?,
                            None => return Err(missing_argument(name, &param.name.name, span)),
                        },
                    };
                    let ty: KustoType = ty.name.parse().map_err(|_| {
                        semantic(format!("unknown type `{}`", ty.name)).with_span(ty.span)
                    })?;
                    let value = if value.ty.is_numeric() && ty.is_numeric() {
                        cast_to(value, ty)
                    } else {
                        value
                    };
                    if value.ty != ty && ty != KustoType::Dynamic {
                        return Err(semantic(format!(
                            "the argument `{}` of `{name}` must be `{ty}`, found `{}`",
                            param.name.name, value.ty
                        ))
                        .with_span(value.span));
                    }
                    Binding::Scalar(value)
                }
            };
            bindings.push((param.name.name.clone(), binding));
        }
        if let Some(extra) = positional.next() {
            return Err(
                semantic(format!("`{name}` takes {} arguments", def.params.len()))
                    .with_span(extra.value.span),
            );
        }

        let saved = self.scope.clone();
        self.call_depth += 1;
        let result = self.bind_function_body(def, bindings);
        self.call_depth -= 1;
        self.scope = saved;
        result
    }

    fn bind_function_body(
        &mut self,
        def: &FunctionDef,
        bindings: Vec<(String, Binding)>,
    ) -> DiagResult<Inlined> {
        for (name, binding) in bindings {
            self.scope.insert(name, binding);
        }
        for statement in &def.statements {
            match &statement.kind {
                StatementKind::Let(statement) => {
                    let binding = match &statement.value {
                        LetValue::Expr(expr) => self.bind_let_value(expr)?,
                        LetValue::Function(function) => {
                            Binding::Function(Arc::new(function.clone()))
                        }
                    };
                    self.scope.insert(statement.name.name.clone(), binding);
                }
                _ => {
                    return Err(not_supported("a `set` statement inside a function")
                        .with_span(statement.span));
                }
            }
        }
        if self.is_tabular(&def.body) {
            Ok(Inlined::Tabular(self.bind_tabular(&def.body)?))
        } else {
            Ok(Inlined::Scalar(self.bind_expr(
                &def.body,
                &Columns::new(),
                "invoke",
            )?))
        }
    }

    /// The function a call names, if it is user-defined.
    pub(crate) fn user_function(&self, name: &str) -> Option<Arc<FunctionDef>> {
        match self.scope.get(name) {
            Some(Binding::Function(def)) => Some(Arc::clone(def)),
            _ => None,
        }
    }

    /// Whether a user function returns a table: its body is tabular, or names a tabular
    /// parameter.
    pub(crate) fn function_is_tabular(&self, def: &FunctionDef) -> bool {
        match &def.body.kind {
            Ast::Name(ident) => {
                def.params
                    .iter()
                    .any(|p| p.name.name == ident.name && matches!(p.ty, ParamType::Tabular(_)))
                    || self.is_tabular(&def.body)
            }
            _ => self.is_tabular_shape(&def.body),
        }
    }

    /// `T | invoke f(args)`.
    pub(crate) fn bind_invoke(&mut self, input: Plan, call: &Expr) -> DiagResult<Plan> {
        let Ast::Call { name, args } = &call.kind else {
            return Err(semantic("`invoke` expects a function call").with_span(call.span));
        };
        let Some(def) = self.user_function(&name.name) else {
            return Err(not_supported(format!("`invoke` of `{}`", name.name)).with_span(name.span));
        };
        let columns = input.columns.clone();
        match self.call_user_function(&name.name, &def, args, &columns, Some(input), call.span)? {
            Inlined::Tabular(plan) => Ok(plan),
            Inlined::Scalar(_) => {
                Err(semantic(format!("`{}` does not return a table", name.name))
                    .with_span(call.span))
            }
        }
    }
}

fn missing_argument(function: &str, param: &str, span: Span) -> kql_parser::Diagnostic {
    semantic(format!(
        "the call of `{function}` gives no value for `{param}`"
    ))
    .with_span(span)
}
