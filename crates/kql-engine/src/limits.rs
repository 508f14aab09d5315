//! Bounds on what one query may use: result size, join output, wall time, threads.
//!
//! Query text and files come from users, so a run must end with an answer or an error, not
//! with the process out of memory or stuck. The result limits are Kusto's own (its query
//! limits page, `K:querylimits`: 500,000 records or 64 MB, then the result is cut and the
//! client told); the join budget and the time budget are kql's, off by default for time.
//!
//! ```
//! use std::time::Duration;
//! use kql_engine::{Engine, Limits, Options};
//!
//! let limits = Limits {
//!     time_budget: Some(Duration::from_secs(30)),
//!     ..Limits::default()
//! };
//! let engine = Engine::new().with_options(Options { limits, ..Options::default() });
//! let result = engine.run("range x from 1 to 10 step 1").unwrap();
//! assert_eq!(result.tables[0].num_rows(), 10);
//! ```

use std::time::{Duration, Instant};

use arrow::array::{Array, RecordBatch};
use kql_parser::{Diagnostic, DiagnosticKind, Span};

use crate::error::DiagResult;

/// Kusto's default cut of a result, in records (`truncationmaxrecords`).
pub const DEFAULT_RESULT_MAX_RECORDS: usize = 500_000;

/// Kusto's default cut of a result, in bytes (`truncationmaxsize`, 64 MB).
pub const DEFAULT_RESULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// How much memory one compiled regex may use. Patterns come from query text (and, for
/// `extract` over a column, from data), so a pathological one fails cleanly instead of
/// exhausting memory.
pub const REGEX_SIZE_LIMIT: usize = 16 * 1024 * 1024;

/// kql's default budget of rows one `join` or `lookup` may output.
pub const DEFAULT_JOIN_MAX_ROWS: usize = 10_000_000;

/// Limits of a query run, set in [`crate::Options`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Each result table is cut after this many rows, with a warning and
    /// [`crate::ResultTable::truncated`] set, as Kusto does. `None`: no cut. The query's own
    /// `set notruncation;` and `set truncationmaxrecords = N;` override it.
    pub result_max_records: Option<usize>,
    /// Each result table is cut before its data exceeds this many bytes (the Arrow size of
    /// its values). `None`: no cut. The query's `set truncationmaxsize = N;` overrides it.
    pub result_max_bytes: Option<usize>,
    /// A join (or `lookup`) whose output would exceed this many rows fails, naming the join
    /// and its inputs' row counts, instead of exhausting memory. `None`: no budget.
    pub join_max_rows: Option<usize>,
    /// A run that takes longer is cancelled with an error. Checked between operators and
    /// batches, so a run ends shortly after its budget, not at the instant. `None`: no budget.
    pub time_budget: Option<Duration>,
    /// How many threads a run may use to read files and evaluate `where`/`extend` over their
    /// batches. `None`: one per core. The answer is the same for any number.
    pub threads: Option<usize>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            result_max_records: Some(DEFAULT_RESULT_MAX_RECORDS),
            result_max_bytes: Some(DEFAULT_RESULT_MAX_BYTES),
            join_max_rows: Some(DEFAULT_JOIN_MAX_ROWS),
            time_budget: None,
            threads: None,
        }
    }
}

/// The limits of a run in progress: the moment it must end by, and the join budget.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunLimits {
    deadline: Option<(Instant, Duration)>,
    join_max_rows: Option<usize>,
    threads: usize,
}

impl RunLimits {
    /// Starts the clock of a run under `limits`.
    pub fn start(limits: &Limits) -> RunLimits {
        RunLimits {
            deadline: limits
                .time_budget
                .and_then(|budget| Some((Instant::now().checked_add(budget)?, budget))),
            join_max_rows: limits.join_max_rows,
            threads: limits.threads.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            }),
        }
    }

    /// How many threads the run may use, at least 1.
    pub fn threads(&self) -> usize {
        self.threads.max(1)
    }

    /// An error once the time budget is spent.
    pub fn check_time(&self) -> DiagResult<()> {
        match self.deadline {
            Some((deadline, budget)) if Instant::now() >= deadline => Err(limit(format!(
                "the query was cancelled: it ran longer than its time budget of {}",
                describe(budget)
            ))
            .with_hint("give it a larger budget (`kql run --timeout SECONDS`)")),
            _ => Ok(()),
        }
    }

    /// An error when a join at `span` would output more than its budget of rows.
    pub fn check_join_rows(
        &self,
        rows: usize,
        inputs: (usize, usize),
        span: Span,
    ) -> DiagResult<()> {
        match self.join_max_rows {
            Some(max) if rows > max => Err(limit(format!(
                "the join would output more than {max} rows (its left side has {} rows, its \
                 right side {})",
                inputs.0, inputs.1
            ))
            .with_span(span)
            .with_span_label("this join")
            .with_hint(
                "narrow the sides first (`where`, `summarize`), or raise the budget \
                 (`kql run --max-join-rows N`)",
            )),
            _ => Ok(()),
        }
    }
}

/// A diagnostic of a limit reached.
pub(crate) fn limit(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Limit, message)
}

fn describe(budget: Duration) -> String {
    let millis = budget.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{millis} ms")
    }
}

/// The cut a result gets: at most so many records and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultLimits {
    /// At most this many rows; `None`: any.
    pub max_records: Option<usize>,
    /// At most this many bytes of values; `None`: any.
    pub max_bytes: Option<usize>,
}

impl ResultLimits {
    /// The result limits of engine limits.
    pub fn of(limits: &Limits) -> ResultLimits {
        ResultLimits {
            max_records: limits.result_max_records,
            max_bytes: limits.result_max_bytes,
        }
    }

    /// Cuts `batches` to the limits; returns whether anything was cut, and why.
    pub(crate) fn cut(&self, batches: &mut Vec<RecordBatch>) -> Option<Cut> {
        let mut rows = 0usize;
        let mut bytes = 0usize;
        for index in 0..batches.len() {
            let Some(batch) = batches.get(index) else {
                break;
            };
            let batch_bytes = data_size(batch);
            let over_records = self
                .max_records
                .is_some_and(|max| rows + batch.num_rows() > max);
            let over_bytes = self.max_bytes.is_some_and(|max| bytes + batch_bytes > max);
            if !over_records && !over_bytes {
                rows += batch.num_rows();
                bytes += batch_bytes;
                continue;
            }
            let keep = self.rows_that_fit(batch, rows, bytes);
            let reason = if over_records && self.max_records == Some(rows + keep) {
                CutReason::Records
            } else {
                CutReason::Bytes
            };
            let kept = batch.slice(0, keep);
            batches.truncate(index);
            if keep > 0 {
                batches.push(kept);
            }
            return Some(Cut {
                reason,
                kept_rows: rows + keep,
            });
        }
        None
    }

    /// How many of `batch`'s first rows fit after `rows` rows of `bytes` bytes: a binary
    /// search, since the size of a slice grows with its length.
    fn rows_that_fit(&self, batch: &RecordBatch, rows: usize, bytes: usize) -> usize {
        let records_left = self
            .max_records
            .map_or(batch.num_rows(), |max| max.saturating_sub(rows));
        let mut high = records_left.min(batch.num_rows());
        let Some(max_bytes) = self.max_bytes else {
            return high;
        };
        let fits = |n: usize| bytes + data_size(&batch.slice(0, n)) <= max_bytes;
        if fits(high) {
            return high;
        }
        let mut low = 0; // fits(low) holds: no rows take no bytes
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if fits(middle) {
                low = middle;
            } else {
                high = middle;
            }
        }
        low
    }
}

/// Why a result was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CutReason {
    Records,
    Bytes,
}

/// A cut result: why, and how many rows it kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cut {
    pub reason: CutReason,
    pub kept_rows: usize,
}

impl Cut {
    /// The warning that tells the user, in Kusto's terms.
    pub fn warning(&self, limits: &ResultLimits) -> Diagnostic {
        let what = match (self.reason, limits.max_records, limits.max_bytes) {
            (CutReason::Records, Some(max), _) => format!("more than {max} rows"),
            (_, _, Some(max)) => format!("more than {max} bytes"),
            _ => "too much data".to_string(),
        };
        limit(format!(
            "the result was cut to its first {} rows: it has {what}, Kusto's result limit",
            self.kept_rows
        ))
        .warning()
        .with_hint(
            "add `set notruncation;` before the query (or `kql run --no-truncation`) to get \
             every row, or `set truncationmaxrecords = N;`",
        )
    }
}

/// The bytes of a batch's values: the buffers its rows use, not the memory it holds.
fn data_size(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|column| column.to_data().get_slice_memory_size().unwrap_or(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn batch(rows: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let strings: Vec<String> = rows.clone().map(|i| format!("row {i:06}")).collect();
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from_iter_values(rows)),
                Arc::new(StringArray::from(strings)),
            ],
        )
        .unwrap()
    }

    fn total(batches: &[RecordBatch]) -> usize {
        batches.iter().map(RecordBatch::num_rows).sum()
    }

    #[test]
    fn under_the_limits_nothing_is_cut() {
        let limits = ResultLimits {
            max_records: Some(30),
            max_bytes: Some(1 << 20),
        };
        let mut batches = vec![batch(0..10), batch(10..30)];
        assert_eq!(limits.cut(&mut batches), None);
        assert_eq!(total(&batches), 30);
    }

    #[test]
    fn records_cut_inside_a_batch() {
        let limits = ResultLimits {
            max_records: Some(15),
            max_bytes: None,
        };
        let mut batches = vec![batch(0..10), batch(10..30), batch(30..40)];
        let cut = limits.cut(&mut batches).unwrap();
        assert_eq!(cut.reason, CutReason::Records);
        assert_eq!(cut.kept_rows, 15);
        assert_eq!(total(&batches), 15);
        assert_eq!(batches.len(), 2);
    }

    #[test]
    fn bytes_cut_keeps_what_fits() {
        // Each row is 8 bytes of long, 4 of offset and 10 of text.
        let limits = ResultLimits {
            max_records: None,
            max_bytes: Some(22 * 25 + 10),
        };
        let mut batches = vec![batch(0..100)];
        let cut = limits.cut(&mut batches).unwrap();
        assert_eq!(cut.reason, CutReason::Bytes);
        assert!((20..=26).contains(&cut.kept_rows), "{cut:?}");
        assert!(data_size(&batches[0]) <= 22 * 25 + 10);
    }

    #[test]
    fn a_spent_time_budget_is_a_limit_error() {
        let limits = Limits {
            time_budget: Some(Duration::ZERO),
            ..Limits::default()
        };
        let run = RunLimits::start(&limits);
        let error = run.check_time().unwrap_err();
        assert_eq!(error.kind, DiagnosticKind::Limit);
        assert!(error.message.contains("time budget of 0 s"), "{error}");
        assert!(RunLimits::start(&Limits::default()).check_time().is_ok());
    }
}
