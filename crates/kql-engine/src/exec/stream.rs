//! `where`, `extend` and `project` straight over a table's batches, on all cores.
//!
//! A plan that is a chain of these over a scan (a hunt's `let X = T | where ... | extend ...
//! | where ...`) does not need the table in memory: each batch goes through the whole chain
//! as soon as it is read, and only what survives is kept. Worker threads take the table's
//! parts in turn (a Parquet row group, a run of CSV records, a batch in memory), so reading,
//! converting and evaluating all run in parallel, and the results are put back in table
//! order.
//!
//! The answer is exactly the one operator-at-a-time execution gives, errors included: when
//! anything fails, the rest of the table is still read (not evaluated) so that the error
//! reported is the one a whole-table read would meet first (see [`StreamError`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrow::array::RecordBatch;
use kql_parser::Diagnostic;

use super::reorder::Collector;
use super::{Batches, filter_batch, project_batch};
use crate::error::DiagResult;
use crate::limits::RunLimits;
use crate::plan::{BoundExpr, Columns, Plan, PlanKind};
use crate::source::LoadError;

pub use super::bounds::{DatetimeRange, RowBounds};
pub use super::needs::{ChainNeeds, EveryRow};

/// A table's batches as parts that several threads can take in turn.
pub trait BatchSource: Send + Sync {
    /// The next part in table order; `None` when every part was taken.
    ///
    /// Only the rows the `chain` keeps are asked for, with every column: a source may leave
    /// out rows the chain would drop, and is free to give every row regardless. A part that
    /// provably holds no row within the chain's bounds may come with no batches, unread.
    fn next_part(&self, chain: &dyn ChainNeeds) -> Option<Part>;
}

/// One part of a table: its place in the table and its batches, read as they are iterated.
pub struct Part {
    /// Parts are numbered from 0 in table order.
    pub order: usize,
    /// The part's batches in order.
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch, StreamError>> + Send>,
}

/// Why a batch could not be streamed.
#[derive(Debug)]
pub enum StreamError {
    /// The table cannot be read part by part with the whole-table answer (a CSV column's
    /// day/month order is decided from all its values): read it whole instead.
    WholeTable,
    /// The file could not be read. `early` errors are the ones a whole-table read meets
    /// before converting any value (a CSV record that cannot be split).
    Load {
        /// What went wrong, and where.
        error: LoadError,
        /// Met before any conversion error in a whole-table read.
        early: bool,
    },
    /// Anything else.
    Failed(Diagnostic),
}

/// The batches of a table already in memory, one part each.
pub struct InMemory {
    batches: Vec<RecordBatch>,
    next: AtomicUsize,
}

impl InMemory {
    /// Parts made of these batches.
    pub fn new(batches: Vec<RecordBatch>) -> InMemory {
        InMemory {
            batches,
            next: AtomicUsize::new(0),
        }
    }
}

impl BatchSource for InMemory {
    fn next_part(&self, _chain: &dyn ChainNeeds) -> Option<Part> {
        let order = self.next.fetch_add(1, Ordering::Relaxed);
        let batch = self.batches.get(order)?.clone();
        Some(Part {
            order,
            batches: Box::new(std::iter::once(Ok(batch))),
        })
    }
}

/// One operator of a streamed chain.
pub(super) enum Step<'p> {
    /// `where`.
    Filter(&'p BoundExpr),
    /// `extend` or `project`, with its output columns.
    Project(&'p [BoundExpr], &'p Columns),
}

/// A chain of streamable operators over a scan, first operator first.
pub(super) struct Pipeline<'p> {
    /// The scanned table.
    pub table: &'p str,
    /// The operators, in the order they apply.
    pub steps: Vec<Step<'p>>,
    /// Where the rows the chain keeps lie, from the `where`s before any `extend`.
    pub bounds: RowBounds,
    /// The table columns the chain computes with (see [`ChainNeeds::computed_columns`]).
    pub computed: Vec<usize>,
}

impl<'p> Pipeline<'p> {
    /// The chain `plan` is, when it is one with at least one operator.
    pub fn of(plan: &'p Plan) -> Option<Pipeline<'p>> {
        let mut steps = Vec::new();
        let mut node = plan;
        let (table, columns) = loop {
            match &node.kind {
                PlanKind::Scan { table } => break (table.as_str(), &node.columns),
                PlanKind::Filter { input, predicate } => {
                    steps.push(Step::Filter(predicate));
                    node = input;
                }
                // Window functions read neighbouring rows, across batch boundaries.
                PlanKind::Project { input, exprs }
                    if !exprs.iter().any(crate::functions::uses_window) =>
                {
                    steps.push(Step::Project(exprs, &node.columns));
                    node = input;
                }
                PlanKind::Alias { input, .. } => node = input,
                _ => return None,
            }
        };
        if steps.is_empty() {
            return None;
        }
        steps.reverse();
        let leading_filters: Vec<&BoundExpr> = steps
            .iter()
            .map_while(|step| match step {
                Step::Filter(predicate) => Some(*predicate),
                Step::Project(..) => None,
            })
            .collect();
        let bounds = RowBounds::of(&leading_filters, columns);
        let computed = super::needs::computed_columns(&steps, columns.len());
        Some(Pipeline {
            table,
            steps,
            bounds,
            computed,
        })
    }

    /// One batch through every step; `None` when no row survives.
    fn apply(&self, batch: RecordBatch) -> DiagResult<Option<RecordBatch>> {
        let mut batch = batch;
        for step in &self.steps {
            batch = match step {
                Step::Filter(predicate) => match filter_batch(predicate, &batch)? {
                    Some(kept) => kept,
                    None => return Ok(None),
                },
                Step::Project(exprs, columns) => project_batch(exprs, columns, &batch)?,
            };
        }
        Ok(Some(batch))
    }
}

/// How a streamed run ended.
pub(super) enum Outcome {
    /// The chain's output, in table order.
    Done(Batches),
    /// The table must be read whole and the chain run as usual.
    WholeTable,
    /// A file could not be read.
    Load(LoadError),
    /// Evaluation failed, or the time budget ran out.
    Failed(Diagnostic),
}

/// A failure, ranked as a whole-table run would meet it: early load errors, then other load
/// errors, then evaluation errors, each kind in table order.
enum Failure {
    WholeTable,
    Load { error: LoadError, early: bool },
    Failed(Diagnostic),
}

impl Failure {
    fn rank(&self) -> u8 {
        match self {
            Failure::WholeTable => 0,
            Failure::Load { early: true, .. } => 1,
            Failure::Load { early: false, .. } => 2,
            Failure::Failed(_) => 3,
        }
    }
}

/// Runs `pipeline` over `source` on `threads` threads.
pub(super) fn run(
    pipeline: &Pipeline<'_>,
    source: &dyn BatchSource,
    limits: &RunLimits,
    threads: usize,
) -> Outcome {
    let collector = Collector::default();
    let failures = Mutex::new(Vec::new());
    let failed = AtomicBool::new(false);
    let work = || worker(pipeline, source, limits, &failed, &collector, &failures);
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(work);
            }
        });
    }
    let mut failures = match failures.into_inner() {
        Ok(failures) => failures,
        Err(poisoned) => poisoned.into_inner(),
    };
    failures.sort_by_key(|(place, failure): &((usize, usize), Failure)| (failure.rank(), *place));
    match failures.into_iter().next().map(|(_, failure)| failure) {
        None => match collector.finish() {
            Ok(batches) => Outcome::Done(batches),
            Err(diagnostic) => Outcome::Failed(diagnostic),
        },
        Some(Failure::WholeTable) => Outcome::WholeTable,
        Some(Failure::Load { error, .. }) => Outcome::Load(error),
        Some(Failure::Failed(diagnostic)) => Outcome::Failed(diagnostic),
    }
}

/// Takes parts until none is left. After any failure, batches are still read, for their
/// load errors, but no longer evaluated.
fn worker(
    pipeline: &Pipeline<'_>,
    source: &dyn BatchSource,
    limits: &RunLimits,
    failed: &AtomicBool,
    collector: &Collector,
    failures: &Mutex<Vec<((usize, usize), Failure)>>,
) {
    while let Some(part) = source.next_part(pipeline) {
        let mut count = 0;
        for (index, batch) in part.batches.enumerate() {
            let place = (part.order, index);
            count += 1;
            let result = match batch {
                Err(StreamError::WholeTable) => Err(Failure::WholeTable),
                Err(StreamError::Load { error, early }) => Err(Failure::Load { error, early }),
                Err(StreamError::Failed(diagnostic)) => Err(Failure::Failed(diagnostic)),
                Ok(_) if failed.load(Ordering::Relaxed) => Ok(None),
                Ok(batch) => limits
                    .check_time()
                    .and_then(|()| pipeline.apply(batch))
                    .map_err(Failure::Failed),
            };
            match result {
                Ok(kept) => collector.add(place, kept),
                Err(failure) => {
                    failed.store(true, Ordering::Relaxed);
                    collector.add(place, None);
                    if let Ok(mut failures) = failures.lock() {
                        failures.push((place, failure));
                    }
                }
            }
        }
        collector.end_part(part.order, count);
    }
}
