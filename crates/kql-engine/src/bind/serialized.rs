//! Which row sets Kusto counts as serialized: the window functions (`row_number`, `prev`,
//! `next`, `row_cumsum`) may only read rows whose order is defined.
//!
//! The serialize operator's docs page lists the rules: `range`, `sort`, `top`, `serialize`
//! and `getschema` make serialized rows; `count`, `distinct`, `evaluate`, `join`, `mv-expand`
//! and `summarize` (among others kql lacks) make rows that are not; every other operator
//! keeps what its input had. A table, and a `datatable`, is not serialized: Kusto rejects
//! `datatable(s:string)["a"] | extend idx = row_number()`
//! (`agent-nested-pipelines-let-cte-0034` in the conformance cases).
//!
//! Where kql cannot tell (a `let` name, a function's result, `print`, `union`), it does not
//! reject: it only refuses what it knows Kusto refuses.

use kql_parser::ast::{Expr, ExprKind as Ast, Operator, OperatorKind};

use super::Binder;
use crate::error::{DiagResult, semantic};
use crate::plan::{Plan, PlanKind};

impl Binder<'_> {
    /// Whether the rows of `expr` are serialized: `Some(false)` only when they surely are not,
    /// `None` when kql cannot tell.
    pub(super) fn serialization(&self, expr: &Expr) -> Option<bool> {
        match &expr.kind {
            Ast::Range { .. } => Some(true),
            Ast::Datatable { .. } | Ast::ExternalData { .. } => Some(false),
            // A `let` name could be told by its definition; kql does not look yet.
            Ast::Name(ident) if self.scope.contains_key(&ident.name) => None,
            Ast::Name(ident) => self.tables.contains_key(&ident.name).then_some(false),
            Ast::Paren(inner) => self.serialization(inner),
            Ast::Pipe { input, operator } => match &operator.kind {
                OperatorKind::Sort(_)
                | OperatorKind::Top(_)
                | OperatorKind::Serialize(_)
                | OperatorKind::GetSchema => Some(true),
                OperatorKind::Summarize(_)
                | OperatorKind::Count
                | OperatorKind::CountAs(_)
                | OperatorKind::Distinct(_)
                | OperatorKind::Join(_)
                | OperatorKind::MvExpand(_)
                | OperatorKind::Evaluate(_) => Some(false),
                OperatorKind::Union(_) | OperatorKind::Invoke(_) => None,
                _ => self.serialization(input),
            },
            _ => None,
        }
    }
}

/// Rejects a window function in the expressions of `plan`, the operator just bound, when its
/// input is surely not serialized. `serialize` itself may call them: it serializes first.
pub(super) fn check_window_input(
    plan: &Plan,
    operator: &Operator,
    input_serialized: Option<bool>,
) -> DiagResult<()> {
    if input_serialized != Some(false) || matches!(operator.kind, OperatorKind::Serialize(_)) {
        return Ok(());
    }
    let call = match &plan.kind {
        PlanKind::Project { exprs, .. } => exprs.iter().find_map(crate::functions::window_call),
        PlanKind::Filter { predicate, .. } => crate::functions::window_call(predicate),
        _ => None,
    };
    match call {
        Some(span) => Err(semantic(
            "window functions need serialized rows, and this operator's input is not serialized",
        )
        .with_span(span)
        .with_hint("order the rows first with `sort by`, or mark them with `serialize`")),
        None => Ok(()),
    }
}
