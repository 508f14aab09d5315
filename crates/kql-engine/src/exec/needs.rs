//! What a streamed chain needs of its table, told to the table's source so that it can read
//! less: the ranges its rows lie in ([`RowBounds`]), the columns it computes with, and which
//! rows it keeps.
//!
//! A hunt computes with one or two command-line columns and keeps a row in a thousand, but
//! carries a dozen other columns to its output. A source that can read some columns without
//! the others (Parquet) reads the computed ones first, asks which rows are kept, and reads the
//! carried columns of those rows only. The chain then runs again over the kept rows, whole,
//! so its answer is the one a whole read gives. That holds because every kql function is
//! deterministic: a function such as `rand()` would have to make the chain compute with all
//! its columns.

use std::collections::BTreeSet;

use arrow::array::{BooleanArray, RecordBatch, UInt32Array};
use arrow::compute::filter;
use kql_parser::Diagnostic;

use super::bounds::RowBounds;
use super::stream::{Pipeline, Step};
use super::{filter_by, filter_mask, project_batch};
use crate::error::arrow_error;
use crate::plan::{BoundExpr, ExprKind, visit};

/// What a streamed chain needs of the table it reads.
pub trait ChainNeeds: Sync {
    /// Ranges that every row the chain keeps lies in.
    fn bounds(&self) -> &RowBounds;

    /// The table columns, by index in ascending order, that the chain's `where`s and computed
    /// columns read. The others it only carries to its output.
    fn computed_columns(&self) -> &[usize];

    /// Which rows of `batch`, a batch of the table, the chain keeps. Only the
    /// [computed columns](ChainNeeds::computed_columns) need to hold the table's values: the
    /// others may hold any values of their type.
    fn kept_rows(&self, batch: &RecordBatch) -> Result<BooleanArray, Diagnostic>;
}

impl ChainNeeds for Pipeline<'_> {
    fn bounds(&self) -> &RowBounds {
        &self.bounds
    }

    fn computed_columns(&self) -> &[usize] {
        &self.computed
    }

    fn kept_rows(&self, batch: &RecordBatch) -> Result<BooleanArray, Diagnostic> {
        let total = batch.num_rows();
        let all = u32::try_from(total).map_err(|_| Diagnostic::internal("a batch is too long"))?;
        // The table rows still in `current`, in order.
        let mut rows = UInt32Array::from_iter_values(0..all);
        let mut current = batch.clone();
        for step in &self.steps {
            match step {
                Step::Filter(predicate) => {
                    let mask = filter_mask(predicate, &current)?;
                    rows = filter(&rows, &mask)
                        .map_err(arrow_error)?
                        .as_any()
                        .downcast_ref::<UInt32Array>()
                        .cloned()
                        .ok_or_else(|| Diagnostic::internal("row numbers lost their type"))?;
                    match filter_by(&mask, &current)? {
                        Some(kept) => current = kept,
                        None => break,
                    }
                }
                Step::Project(exprs, columns) => current = project_batch(exprs, columns, &current)?,
            }
        }
        let mut kept = vec![false; total];
        for &row in rows.values() {
            if let Some(slot) = usize::try_from(row).ok().and_then(|row| kept.get_mut(row)) {
                *slot = true;
            }
        }
        Ok(BooleanArray::from(kept))
    }
}

/// The needs of a chain that must see every row of every column read: no bounds, every
/// column computed with. A source given it reads its parts whole, so that every value of the
/// columns read is converted and checked ([`crate::Options::check_every_row`]).
///
/// ```
/// use kql_engine::exec::stream::{ChainNeeds, EveryRow};
///
/// let every = EveryRow::new(3);
/// assert_eq!(every.computed_columns(), &[0, 1, 2]);
/// assert!(every.bounds().datetime("TimeGenerated").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct EveryRow {
    bounds: RowBounds,
    columns: Vec<usize>,
}

impl EveryRow {
    /// The needs of a chain over a table `width` columns wide that reads every row.
    pub fn new(width: usize) -> EveryRow {
        EveryRow {
            bounds: RowBounds::default(),
            columns: (0..width).collect(),
        }
    }
}

impl ChainNeeds for EveryRow {
    fn bounds(&self) -> &RowBounds {
        &self.bounds
    }

    fn computed_columns(&self) -> &[usize] {
        &self.columns
    }

    fn kept_rows(&self, batch: &RecordBatch) -> Result<BooleanArray, Diagnostic> {
        Ok(BooleanArray::from(vec![true; batch.num_rows()]))
    }
}

/// The table columns that `steps`, over a table `width` columns wide, compute with: those
/// their `where`s and computed columns read, traced back through the columns carried as
/// they are.
pub(super) fn computed_columns(steps: &[Step<'_>], width: usize) -> Vec<usize> {
    // For each column of the next step's input, the table column it carries, if it does.
    let mut origin: Vec<Option<usize>> = (0..width).map(Some).collect();
    let mut used = BTreeSet::new();
    let reads = |expr: &BoundExpr, origin: &[Option<usize>], used: &mut BTreeSet<usize>| {
        visit(expr, &mut |node| {
            if let ExprKind::Column(index) = node.kind
                && let Some(Some(table_column)) = origin.get(index)
            {
                used.insert(*table_column);
            }
        });
    };
    for step in steps {
        match step {
            Step::Filter(predicate) => reads(predicate, &origin, &mut used),
            Step::Project(exprs, _) => {
                origin = exprs
                    .iter()
                    .map(|expr| match expr.kind {
                        ExprKind::Column(index) => origin.get(index).copied().flatten(),
                        _ => {
                            reads(expr, &origin, &mut used);
                            None
                        }
                    })
                    .collect();
            }
        }
    }
    used.into_iter().collect()
}
