//! Running a bound plan: each operator turns its input batches into output batches.

mod aggregate;
mod bounds;
mod expand;
mod join;
mod needs;
mod order;
mod reorder;
pub(crate) mod required;
pub mod stream;
mod union;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow::compute::FilterBuilder;
use kql_parser::Diagnostic;

use crate::bind::BoundQuery;
use crate::error::{DiagResult, arrow_error};
use crate::eval::evaluate;
use crate::limits::RunLimits;
use crate::plan::{BoundExpr, Columns, Plan, PlanKind, arrow_schema};
use crate::source::LoadError;
use stream::{BatchSource, InMemory, Outcome, Pipeline};

/// The registered tables' data, looked up by name when a plan scans them.
pub trait TableData {
    /// All batches of a table, with the columns the binder was told it has, in order.
    fn batches(&self, table: &str) -> DiagResult<Vec<RecordBatch>>;

    /// The same batches as parts that threads can read and process in turn, for plans that
    /// stream over a table (see [`stream`]). By default, the batches in memory.
    fn source(&self, table: &str) -> DiagResult<Box<dyn BatchSource>> {
        Ok(Box::new(InMemory::new(self.batches(table)?)))
    }

    /// A load error met while streaming `table`: what to report for it. Implementations
    /// that report load errors as such remember it here.
    fn load_failed(&self, table: &str, error: LoadError) -> Diagnostic {
        let _ = table;
        crate::error::runtime(error.to_string())
    }
}

/// A table's rows in batches.
pub type Batches = Vec<RecordBatch>;

/// Runs every result plan of a bound query; tabular `let`s are computed once, on first use.
/// Fails when the run exceeds its `limits` (time, join rows).
pub fn execute(
    query: &BoundQuery,
    data: &dyn TableData,
    limits: &RunLimits,
) -> DiagResult<Vec<Batches>> {
    let mut executor = Executor {
        shared_plans: &query.shared,
        data,
        shared: vec![None; query.shared.len()],
        limits,
    };
    query
        .results
        .iter()
        .map(|plan| executor.run(plan))
        .collect()
}

/// Runs one plan whose tabular `let`s are `shared_plans` (used while binding, for
/// `toscalar` and tabular `in` lists).
pub fn run_plan(
    plan: &Plan,
    shared_plans: &[Plan],
    data: &dyn TableData,
    limits: &RunLimits,
) -> DiagResult<Batches> {
    let mut executor = Executor {
        shared_plans,
        data,
        shared: vec![None; shared_plans.len()],
        limits,
    };
    executor.run(plan)
}

struct Executor<'a> {
    shared_plans: &'a [Plan],
    data: &'a dyn TableData,
    /// Results of tabular `let`s, computed at most once.
    shared: Vec<Option<Batches>>,
    limits: &'a RunLimits,
}

impl Executor<'_> {
    fn run(&mut self, plan: &Plan) -> DiagResult<Batches> {
        self.limits.check_time()?;
        if let Some(pipeline) = Pipeline::of(plan) {
            let source = self.data.source(pipeline.table)?;
            match stream::run(
                &pipeline,
                source.as_ref(),
                self.limits,
                self.limits.threads(),
            ) {
                Outcome::Done(batches) => return Ok(batches),
                Outcome::Load(error) => return Err(self.data.load_failed(pipeline.table, error)),
                Outcome::Failed(diagnostic) => return Err(diagnostic),
                Outcome::WholeTable => {} // run it operator by operator below
            }
        }
        match &plan.kind {
            PlanKind::Scan { table } => self.data.batches(table),
            PlanKind::Shared { id } => self.shared_result(*id),
            PlanKind::Values { arrays } => {
                let rows = arrays.first().map_or(1, |array| array.len());
                Ok(vec![make_batch(&plan.columns, arrays.clone(), rows)?])
            }
            PlanKind::Filter { input, predicate } => {
                let mut out = Vec::new();
                for batch in self.run(input)? {
                    self.limits.check_time()?;
                    out.extend(filter_batch(predicate, &batch)?);
                }
                Ok(out)
            }
            PlanKind::Project { input, exprs } => {
                let mut out = Vec::new();
                let mut batches = self.run(input)?;
                if exprs.iter().any(crate::functions::uses_window) {
                    // Window functions read neighbouring rows: give them every row at once.
                    let schema = arrow_schema(&input.columns);
                    let all =
                        arrow::compute::concat_batches(&schema, &batches).map_err(arrow_error)?;
                    batches = vec![all];
                }
                for batch in batches {
                    self.limits.check_time()?;
                    out.push(project_batch(exprs, &plan.columns, &batch)?);
                }
                Ok(out)
            }
            PlanKind::Alias { input, .. } => self.run(input),
            PlanKind::Take { input, count } => match &input.kind {
                // `top`: sort only as far as needed.
                PlanKind::Sort {
                    input: sorted,
                    keys,
                } => {
                    let batches = self.run(sorted)?;
                    order::sort(&sorted.columns, &batches, keys, Some(*count))
                }
                _ => Ok(order::take(self.run(input)?, *count)),
            },
            PlanKind::Sort { input, keys } => {
                let batches = self.run(input)?;
                order::sort(&input.columns, &batches, keys, None)
            }
            PlanKind::Aggregate(aggregate) => {
                let batches = self.run(&aggregate.input)?;
                aggregate::summarize(aggregate, &plan.columns, &batches)
            }
            PlanKind::MvExpand(expand) => {
                let batches = self.run(&expand.input)?;
                expand::mv_expand(expand, &plan.columns, &batches)
            }
            PlanKind::Union { inputs, sources } => {
                let mut out = Vec::new();
                for (index, (input, mapping)) in inputs.iter().enumerate() {
                    let source = sources.as_ref().and_then(|names| names.get(index));
                    let batches = self.run(input)?;
                    out.extend(union::map_input(
                        &plan.columns,
                        batches,
                        mapping,
                        source.map(String::as_str),
                    )?);
                }
                Ok(out)
            }
            PlanKind::Join(join) => {
                let left = self.run(&join.left)?;
                let right = self.run(&join.right)?;
                join::hash_join(join, &plan.columns, &left, &right, self.limits)
            }
        }
    }

    fn shared_result(&mut self, id: usize) -> DiagResult<Batches> {
        if let Some(Some(batches)) = self.shared.get(id) {
            return Ok(batches.clone());
        }
        let plan = self
            .shared_plans
            .get(id)
            .ok_or_else(|| Diagnostic::internal(format!("the shared plan {id} does not exist")))?;
        let batches = self.run(plan)?;
        if let Some(slot) = self.shared.get_mut(id) {
            *slot = Some(batches.clone());
        }
        Ok(batches)
    }
}

/// `where` over one batch: the rows whose predicate is true; `None` when there are none.
pub(crate) fn filter_batch(
    predicate: &BoundExpr,
    batch: &RecordBatch,
) -> DiagResult<Option<RecordBatch>> {
    filter_by(&filter_mask(predicate, batch)?, batch)
}

/// `where`'s predicate over one batch: true for the rows it keeps (null counts as false).
pub(crate) fn filter_mask(predicate: &BoundExpr, batch: &RecordBatch) -> DiagResult<BooleanArray> {
    let mask = evaluate(predicate, batch)?.into_array(batch.num_rows())?;
    as_mask(&mask)
}

/// The rows of `batch` that `mask` keeps; `None` when there are none.
pub(crate) fn filter_by(
    mask: &BooleanArray,
    batch: &RecordBatch,
) -> DiagResult<Option<RecordBatch>> {
    if mask.true_count() == 0 {
        return Ok(None); // nothing survives; skip the empty batch
    }
    if mask.true_count() == batch.num_rows() {
        return Ok(Some(batch.clone())); // everything survives: no copy
    }
    let predicate = FilterBuilder::new(mask).optimize().build();
    let rows = predicate.count();
    let columns = batch
        .columns()
        .iter()
        .map(|column| match crate::empty::filter_empty(column, rows) {
            Some(empty) => Ok(empty),
            None => predicate.filter(column),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(arrow_error)?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(batch.schema(), columns, &options)
        .map(Some)
        .map_err(arrow_error)
}

/// `extend` or `project` over one batch: the output `columns`, one per expression.
pub(crate) fn project_batch(
    exprs: &[BoundExpr],
    columns: &Columns,
    batch: &RecordBatch,
) -> DiagResult<RecordBatch> {
    let rows = batch.num_rows();
    let arrays = exprs
        .iter()
        .map(|expr| evaluate(expr, batch)?.into_array(rows))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;
    make_batch(columns, arrays, rows)
}

/// A `where` mask: null counts as false.
fn as_mask(array: &ArrayRef) -> DiagResult<BooleanArray> {
    let mask = array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| Diagnostic::internal("a predicate did not give booleans"))?;
    Ok(crate::eval::null_as_false(mask))
}

/// A batch of `columns` from arrays, which may come with other (but equivalent) field
/// metadata than the plan's schema.
pub(crate) fn make_batch(
    columns: &Columns,
    arrays: Vec<ArrayRef>,
    rows: usize,
) -> DiagResult<RecordBatch> {
    let schema = arrow_schema(columns);
    let arrays = arrays
        .into_iter()
        .zip(schema.fields())
        .map(|(array, field)| {
            if array.data_type() == field.data_type() {
                Ok(array)
            } else {
                arrow::compute::cast(&array, field.data_type()).map_err(arrow_error)
            }
        })
        .collect::<DiagResult<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::clone(&schema), arrays, &options).map_err(arrow_error)
}
