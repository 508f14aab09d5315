//! Subqueries that become constants: `toscalar(T)` and the tabular right side of `in`.
//!
//! Kusto computes them once per query, before the rows that use them. kql does the same by
//! running their plans while binding, when the tables' data is at hand; when only checking a
//! query, their values stay unknown (typed nulls) and only their types are checked.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringArray, UInt32Array};
use kql_parser::Span;
use kql_parser::ast::Expr;

use super::Binder;
use crate::error::{DiagResult, arrow_error, semantic};
use crate::plan::{BoundExpr, Columns, ExprKind};
use crate::types::KustoType;

/// The most values a tabular `in` list may hold.
const MAX_LIST_VALUES: usize = 1_000_000;

impl Binder<'_> {
    /// `toscalar(T)`: the first column of the first row of `T`, or null when `T` is empty.
    /// A scalar argument is its own value (`toscalar(1.5)` is 1.5), computed outside any row
    /// (K:toscalar-function: "the value to convert into a scalar").
    pub(crate) fn bind_toscalar(&mut self, expr: &Expr, span: Span) -> DiagResult<BoundExpr> {
        if !self.is_tabular(expr) {
            return self.bind_expr(expr, &Columns::new(), "toscalar");
        }
        let (column, ty) = self.first_column(expr, span)?;
        let value = match column {
            Some(column) if !column.is_empty() => {
                let first = UInt32Array::from(vec![0u32]);
                arrow::compute::take(column.as_ref(), &first, None).map_err(arrow_error)?
            }
            _ => super::literal::null_of(ty),
        };
        Ok(BoundExpr {
            kind: ExprKind::Literal(value),
            ty,
            span,
        })
    }

    /// `column_names_of(T)`: the names of `T`'s columns, as a dynamic array
    /// (K:column-names-of-function). Only the schema is needed: `T` is not run.
    pub(crate) fn bind_column_names_of(
        &mut self,
        expr: &Expr,
        span: Span,
    ) -> DiagResult<BoundExpr> {
        if !self.is_tabular(expr) {
            return Err(
                semantic("`column_names_of` takes a table, such as `column_names_of(T)`")
                    .with_span(expr.span),
            );
        }
        let plan = self.bind_tabular(expr)?;
        let names: Vec<serde_json::Value> = plan
            .columns
            .iter()
            .map(|column| serde_json::Value::String(column.name.clone()))
            .collect();
        let json = serde_json::Value::Array(names).to_string();
        Ok(BoundExpr {
            kind: ExprKind::Literal(Arc::new(StringArray::from(vec![json]))),
            ty: KustoType::Dynamic,
            span,
        })
    }

    /// The values of the first column of `T`, as constant list items for `in (T)`.
    pub(crate) fn bind_tabular_list(
        &mut self,
        expr: &Expr,
        span: Span,
    ) -> DiagResult<Vec<BoundExpr>> {
        let (column, ty) = self.first_column(expr, span)?;
        let Some(column) = column else {
            return Ok(Vec::new());
        };
        if column.len() > MAX_LIST_VALUES {
            return Err(semantic(format!(
                "the list has {} values, more than the {MAX_LIST_VALUES} kql accepts",
                column.len()
            ))
            .with_span(span));
        }
        Ok((0..column.len())
            .map(|row| BoundExpr {
                kind: ExprKind::Literal(column.slice(row, 1)),
                ty,
                span,
            })
            .collect())
    }

    /// Binds `expr` as a table and, with data at hand, runs it and returns its first column.
    fn first_column(
        &mut self,
        expr: &Expr,
        span: Span,
    ) -> DiagResult<(Option<ArrayRef>, KustoType)> {
        let plan = self.bind_tabular(expr)?;
        let ty = plan
            .columns
            .first()
            .map(|column| column.ty)
            .ok_or_else(|| semantic("the subquery has no columns").with_span(span))?;
        let Some(data) = self.data else {
            return Ok((None, ty));
        };
        let batches = crate::exec::run_plan(&plan, &self.shared, data, &self.limits)?;
        let arrays: Vec<&dyn Array> = batches
            .iter()
            .map(|batch| batch.column(0).as_ref())
            .collect();
        let column = if arrays.is_empty() {
            arrow::array::new_empty_array(&ty.to_arrow())
        } else {
            arrow::compute::concat(&arrays).map_err(arrow_error)?
        };
        Ok((Some(Arc::clone(&column)), ty))
    }
}
