//! Sources with rows of their own: `datatable`, `range`, and `externaldata` through the
//! embedder's resolver.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::array::{
    Array, ArrayRef, DurationNanosecondArray, Float64Array, Int64Array, TimestampNanosecondArray,
};
use kql_parser::Span;
use kql_parser::ast::{ColumnDecl, Expr, Ident, OperatorParam};

use super::Binder;
use super::expr::cast_to;
use crate::error::{DiagResult, arrow_error, runtime, semantic};
use crate::external::ExternalDataRequest;
use crate::plan::{Column, Columns, ExprKind, Plan, PlanKind};
use crate::types::KustoType;

/// The most rows `range` may generate: a typo in a step should fail, not fill memory.
pub const MAX_RANGE_ROWS: usize = 100_000_000;

impl Binder<'_> {
    /// `datatable(a:long, b:string) [1, 'x', 2, 'y']`: values row after row.
    pub(crate) fn bind_datatable(
        &mut self,
        decls: &[ColumnDecl],
        values: &[Expr],
        span: Span,
    ) -> DiagResult<Plan> {
        let columns = declared_columns(decls)?;
        if !values.len().is_multiple_of(columns.len().max(1)) {
            return Err(semantic(format!(
                "`datatable` has {} values, not a whole number of rows of {} columns",
                values.len(),
                columns.len()
            ))
            .with_span(span));
        }
        let mut cells: Vec<Vec<ArrayRef>> = vec![Vec::new(); columns.len()];
        // The values fill the table row by row; the check above makes every row whole.
        for row in values.chunks(columns.len().max(1)) {
            for (value, (column, cells_of_column)) in row.iter().zip(columns.iter().zip(&mut cells))
            {
                if !is_literal(value) {
                    return Err(semantic("`datatable` values must be literals")
                        .with_span(value.span)
                        .with_hint("compute the value with `extend` after `datatable`"));
                }
                let bound = self.bind_expr(value, &Columns::new(), "datatable")?;
                let bound = if bound.ty.is_numeric() && column.ty.is_numeric() {
                    cast_to(bound, column.ty)
                } else {
                    bound
                };
                let ExprKind::Literal(array) = bound.kind else {
                    return Err(
                        semantic("`datatable` values must be constants").with_span(value.span)
                    );
                };
                let compatible = bound.ty == column.ty
                    || (column.ty == KustoType::Guid && bound.ty == KustoType::String);
                if !compatible && array.null_count() == 0 {
                    return Err(semantic(format!(
                        "the value for column `{}` must be `{}`, found `{}`",
                        column.name, column.ty, bound.ty
                    ))
                    .with_span(value.span));
                }
                let array =
                    arrow::compute::cast(&array, &column.ty.to_arrow()).map_err(arrow_error)?;
                cells_of_column.push(array);
            }
        }
        let arrays = cells
            .iter()
            .zip(&columns)
            .map(|(cells, column)| {
                if cells.is_empty() {
                    return Ok(arrow::array::new_empty_array(&column.ty.to_arrow()));
                }
                let refs: Vec<&dyn Array> = cells.iter().map(|a| a.as_ref()).collect();
                arrow::compute::concat(&refs).map_err(arrow_error)
            })
            .collect::<DiagResult<Vec<_>>>()?;
        Ok(Plan {
            kind: PlanKind::Values { arrays },
            columns,
        })
    }

    /// `externaldata (a:string) [uris] with (props)`: the rows the engine's external data
    /// resolver gives, or an error when there is none (see [`crate::ExternalData`]).
    pub(crate) fn bind_external_data(
        &mut self,
        decls: &[ColumnDecl],
        uris: &[Expr],
        properties: &[OperatorParam],
        span: Span,
    ) -> DiagResult<Plan> {
        let columns = declared_columns(decls)?;
        let mut texts = Vec::with_capacity(uris.len());
        for uri in uris {
            let bound = self.bind_constant(uri)?;
            match super::literal::as_str(&bound) {
                Some(text) => texts.push(text.to_string()),
                None => {
                    return Err(
                        semantic("an `externaldata` URI must be a string").with_span(uri.span)
                    );
                }
            }
        }
        let Some(resolver) = self.external_data.clone() else {
            return Err(semantic(
                "`externaldata` is refused: a query reads only the tables registered with kql, \
                 not the files or URLs it names",
            )
            .with_span(span)
            .with_hint(
                "register the data as a table (`kql run --table NAME=PATH`) and use its name",
            ));
        };
        if self.data.is_none() {
            // Only checking: the declared columns are all binding needs.
            let arrays = columns
                .iter()
                .map(|c| arrow::array::new_empty_array(&c.ty.to_arrow()))
                .collect();
            return Ok(Plan {
                kind: PlanKind::Values { arrays },
                columns,
            });
        }
        let request = ExternalDataRequest {
            columns: columns.iter().map(|c| (c.name.clone(), c.ty)).collect(),
            uris: texts,
            properties: properties
                .iter()
                .map(|p| (p.name.name.clone(), property_value(&p.value)))
                .collect(),
        };
        let batches = resolver.fetch(&request).map_err(|message| {
            runtime(format!("`externaldata` failed: {message}")).with_span(span)
        })?;
        let arrays = external_arrays(&columns, &batches).map_err(|message| {
            runtime(format!("`externaldata`: the resolver's rows {message}")).with_span(span)
        })?;
        Ok(Plan {
            kind: PlanKind::Values { arrays },
            columns,
        })
    }

    /// `range x from a to b step s`: `a`, `a + s`, ... while not past `b`; with a `cap`, only
    /// the first `cap` of those rows.
    pub(crate) fn bind_range(
        &mut self,
        column: &Ident,
        from: &Expr,
        to: &Expr,
        step: &Expr,
        cap: Option<usize>,
        span: Span,
    ) -> DiagResult<Plan> {
        let start = self.bind_expr(from, &Columns::new(), "range")?;
        let stop = self.bind_expr(to, &Columns::new(), "range")?;
        let step_value = self.bind_expr(step, &Columns::new(), "range")?;
        let (start_ty, stop_ty, step_ty) = (start.ty, stop.ty, step_value.ty);
        let (ty, step_ty_bound) = match (start.ty, stop.ty, step_value.ty) {
            (KustoType::DateTime, KustoType::DateTime, KustoType::TimeSpan) => {
                (KustoType::DateTime, KustoType::TimeSpan)
            }
            (KustoType::TimeSpan, KustoType::TimeSpan, KustoType::TimeSpan) => {
                (KustoType::TimeSpan, KustoType::TimeSpan)
            }
            (KustoType::Int, KustoType::Int, KustoType::Int) => (KustoType::Long, KustoType::Long),
            (a, b, c) if a.is_numeric() && b.is_numeric() && c.is_numeric() => {
                let ty = if [a, b, c]
                    .iter()
                    .any(|t| matches!(t, KustoType::Real | KustoType::Decimal))
                {
                    KustoType::Real
                } else {
                    KustoType::Long
                };
                (ty, ty)
            }
            (a, b, c) => {
                return Err(
                    semantic(format!("`range` cannot step from `{a}` to `{b}` by `{c}`"))
                        .with_span(span),
                );
            }
        };
        let constant = |expr: super::BoundExpr, ty: KustoType| -> DiagResult<ArrayRef> {
            let span = expr.span;
            match cast_to(expr, ty).kind {
                ExprKind::Literal(array) if array.is_valid(0) => Ok(array),
                _ => Err(
                    semantic("`range` bounds and step must be non-null constants").with_span(span),
                ),
            }
        };
        let (start, stop, step_array) = (
            constant(start, ty)?,
            constant(stop, ty)?,
            constant(step_value, step_ty_bound)?,
        );
        let array: ArrayRef = match ty {
            KustoType::Real => {
                let value = |a: &ArrayRef| {
                    a.as_any()
                        .downcast_ref::<Float64Array>()
                        .map(|a| a.value(0))
                        .unwrap_or(0.0)
                };
                let (a, b, s) = (value(&start), value(&stop), value(&step_array));
                let count = range_count((b - a) / s, cap, span)?;
                Arc::new(Float64Array::from_iter_values(
                    (0..count).map(|i| a + s * i as f64),
                ))
            }
            _ => {
                let value = |a: &ArrayRef| -> i64 {
                    let any = a.as_any();
                    any.downcast_ref::<Int64Array>()
                        .map(|a| a.value(0))
                        .or_else(|| {
                            any.downcast_ref::<TimestampNanosecondArray>()
                                .map(|a| a.value(0))
                        })
                        .or_else(|| {
                            any.downcast_ref::<DurationNanosecondArray>()
                                .map(|a| a.value(0))
                        })
                        .unwrap_or(0)
                };
                let (a, b, s) = (value(&start), value(&stop), value(&step_array));
                let count = if s == 0 {
                    0
                } else {
                    range_count(((b as f64) - (a as f64)) / (s as f64), cap, span)?
                };
                let values = (0..count as i64).map(|i| a.saturating_add(s.saturating_mul(i)));
                match ty {
                    KustoType::DateTime => Arc::new(
                        TimestampNanosecondArray::from_iter_values(values).with_timezone("UTC"),
                    ),
                    KustoType::TimeSpan => {
                        Arc::new(DurationNanosecondArray::from_iter_values(values))
                    }
                    _ => Arc::new(Int64Array::from_iter_values(values)),
                }
            }
        };
        // An all-`int` range makes an `int` column; it is generated as `long` above.
        let all_int = [&start_ty, &stop_ty, &step_ty]
            .iter()
            .all(|t| **t == KustoType::Int);
        let (array, ty) = if all_int {
            let ints = arrow::compute::cast(&array, &arrow::datatypes::DataType::Int32)
                .map_err(arrow_error)?;
            (ints, KustoType::Int)
        } else {
            (array, ty)
        };
        let columns = vec![Column::new(column.name.clone(), ty)];
        Ok(Plan {
            kind: PlanKind::Values {
                arrays: vec![array],
            },
            columns,
        })
    }
}

/// The number of rows of a range whose last index is `steps` (possibly fractional or
/// negative: an empty range), at most `cap`.
fn range_count(steps: f64, cap: Option<usize>, span: Span) -> DiagResult<usize> {
    if !steps.is_finite() || steps < 0.0 {
        return Ok(0);
    }
    let count = steps.floor() + 1.0;
    let count = cap.map_or(count, |cap| count.min(cap as f64));
    if count > MAX_RANGE_ROWS as f64 {
        return Err(semantic(format!(
            "`range` would produce more than {MAX_RANGE_ROWS} rows"
        ))
        .with_span(span));
    }
    Ok(count as usize)
}

/// The columns `name:type, ...` declare, each name once.
fn declared_columns(decls: &[ColumnDecl]) -> DiagResult<Columns> {
    let mut columns: Columns = Vec::new();
    for decl in decls {
        let ty: KustoType = decl.ty.name.parse().map_err(|_| {
            semantic(format!("unknown type `{}`", decl.ty.name)).with_span(decl.ty.span)
        })?;
        if columns.iter().any(|c| c.name == decl.name.name) {
            return Err(
                semantic(format!("the column `{}` is declared twice", decl.name.name))
                    .with_span(decl.name.span),
            );
        }
        columns.push(Column::new(decl.name.name.clone(), ty));
    }
    Ok(columns)
}

/// The resolver's batches as one array per declared column: each batch must have the
/// declared columns, in order, of the declared types.
fn external_arrays(columns: &Columns, batches: &[RecordBatch]) -> Result<Vec<ArrayRef>, String> {
    for batch in batches {
        let fields = batch.schema();
        let same = fields.fields().len() == columns.len()
            && fields.fields().iter().zip(columns).all(|(field, column)| {
                field.name() == &column.name && KustoType::of_field(field) == Some(column.ty)
            });
        if !same {
            let got: Vec<String> = fields
                .fields()
                .iter()
                .map(|f| format!("{}:{}", f.name(), f.data_type()))
                .collect();
            return Err(format!(
                "do not have the declared columns: got ({})",
                got.join(", ")
            ));
        }
    }
    (0..columns.len())
        .zip(columns)
        .map(|(index, column)| {
            let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(index).as_ref()).collect();
            if parts.is_empty() {
                return Ok(arrow::array::new_empty_array(&column.ty.to_arrow()));
            }
            let array = arrow::compute::concat(&parts).map_err(|e| e.to_string())?;
            arrow::compute::cast(&array, &column.ty.to_arrow()).map_err(|e| e.to_string())
        })
        .collect()
}

/// A `with` property's value as plain text: a string's value, else the KQL text (`true`).
fn property_value(value: &Expr) -> String {
    match &value.kind {
        kql_parser::ast::ExprKind::Literal(kql_parser::ast::Literal::String(text)) => {
            text.value.clone()
        }
        _ => value.to_string(),
    }
}

/// Whether a `datatable` value is a literal, or a sign before a numeric one (`-1h`): Kusto
/// reads the values as literals (Kusto.Language's `ParseLiteral`), and rejects an expression
/// such as `0.0/0.0` (`r1-type-casts-coercion/agent-type-casts-coercion-0013`).
fn is_literal(value: &Expr) -> bool {
    use kql_parser::ast::{ExprKind as Ast, Literal};
    match &value.kind {
        Ast::Literal(_) => true,
        Ast::Unary { operand, .. } => matches!(
            operand.kind,
            Ast::Literal(
                Literal::Int(_) | Literal::Long(_) | Literal::Real(_) | Literal::TimeSpan(_)
            )
        ),
        _ => false,
    }
}
