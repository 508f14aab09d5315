//! Binding `mv-expand`.

use kql_parser::ast::{ExprKind as Ast, Literal, MvExpand};

use super::Binder;
use crate::error::{DiagResult, semantic};
use crate::plan::{BoundExpr, Column, Expansion, ExprKind, MvExpandPlan, Plan, PlanKind};
use crate::types::KustoType;

/// The default row limit of `mv-expand` (`K:mv-expand-operator`).
const DEFAULT_LIMIT: usize = 2_147_483_647;

impl Binder<'_> {
    /// `mv-expand [kind=bag|array] [with_itemindex=I] [Name =] expr [to typeof(T)], ...
    /// [limit N]`. An expanded column replaces the input column of its name in place, or is
    /// appended when the name is new.
    pub(crate) fn bind_mv_expand(&mut self, input: Plan, mv_expand: &MvExpand) -> DiagResult<Plan> {
        let mut bags_as_arrays = false;
        let mut index_name = None;
        for param in &mv_expand.params {
            let value = match &param.value.kind {
                Ast::Name(ident) => ident.name.clone(),
                Ast::Literal(Literal::String(text)) => text.value.clone(),
                _ => String::new(),
            };
            match (param.name.name.as_str(), value.as_str()) {
                ("kind" | "bagexpansion", "array") => bags_as_arrays = true,
                ("kind" | "bagexpansion", "bag") => bags_as_arrays = false,
                ("with_itemindex", name) if !name.is_empty() => index_name = Some(name.to_string()),
                (name, _) => {
                    return Err(semantic(format!(
                        "unknown `mv-expand` parameter `{name}={value}`"
                    ))
                    .with_span(param.name.span));
                }
            }
        }

        let mut columns = input.columns.clone();
        let mut expansions = Vec::new();
        for column in &mv_expand.columns {
            let expr = self.bind_expr(&column.column.value, &input.columns, "mv-expand")?;
            let expr = match (&expr.kind, expr.ty) {
                (ExprKind::Missing(_), _) => BoundExpr {
                    ty: KustoType::Dynamic,
                    ..expr
                },
                (_, KustoType::Dynamic) => expr,
                (_, other) => {
                    return Err(semantic(format!(
                        "`mv-expand` expands `dynamic` arrays, found `{other}`"
                    ))
                    .with_span(expr.span));
                }
            };
            let name = match (&column.column.name, &column.column.value.kind) {
                (Some(name), _) => name.name.clone(),
                (None, Ast::Name(ident)) => ident.name.clone(),
                (None, _) => {
                    return Err(
                        semantic("name the expanded expression: `Name = expression`")
                            .with_span(column.column.value.span),
                    );
                }
            };
            let ty = match &column.to_type {
                Some(type_name) => type_name.name.parse().map_err(|_| {
                    semantic(format!("unknown type `{}`", type_name.name)).with_span(type_name.span)
                })?,
                None => KustoType::Dynamic,
            };
            let target = match columns.iter_mut().enumerate().find(|(_, c)| c.name == name) {
                Some((existing, column)) => {
                    *column = Column::new(name, ty);
                    existing
                }
                None => {
                    columns.push(Column::new(name, ty));
                    columns.len() - 1
                }
            };
            expansions.push(Expansion {
                expr,
                column: target,
                ty,
            });
        }
        let index_column = index_name.map(|name| {
            columns.push(Column::new(name, KustoType::Long));
            columns.len() - 1
        });
        let limit = match &mv_expand.limit {
            Some(limit) => {
                let value = self.bind_constant(limit)?;
                super::literal::as_usize(&value).ok_or_else(|| {
                    semantic("`limit` needs a non-negative `long`").with_span(limit.span)
                })?
            }
            None => DEFAULT_LIMIT,
        };
        let plan = MvExpandPlan {
            input,
            expansions,
            bags_as_arrays,
            index_column,
            limit,
        };
        Ok(Plan {
            kind: PlanKind::MvExpand(Box::new(plan)),
            columns,
        })
    }
}
