//! The embedding API: register tables, set options, run query text.
//!
//! A file whose columns can be known without reading its rows (see [`peek_columns`]) is not
//! read when registered. Each run binds the query against the whole tables, then [`prune`]
//! rewrites the plans so that they scan only the columns they need, and only those are read.
//!
//! The plans are rewritten rather than bound again against the columns read, because names
//! depend on columns whose values are never read: `project-away X` needs an `X` to remove, and
//! a join renames a right `Name` to `Name1` because the left has a `Name`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use kql_parser::Diagnostic;
use kql_parser::ast::Query;

use crate::bind::{BindOptions, BoundQuery, bind_with_data};
use crate::catalog::{Catalog, TableSchema};
use crate::error::{DiagResult, Error, runtime, semantic};
use crate::exec::required::prune;
use crate::exec::stream::{BatchSource, ChainNeeds, EveryRow, InMemory, Part, StreamError};
use crate::exec::{Batches, TableData, execute, make_batch};
use crate::external::{ExternalData, Resolver};
use crate::limits::{Limits, ResultLimits, RunLimits};
use crate::plan::{Column, Columns, arrow_schema};
use crate::source::{LoadError, LoadOptions, load_file, peek_columns, stream_file};
use crate::types::KustoType;

/// Options of a query run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The instant `now()` and `ago()` use, in nanoseconds since 1970 (UTC); the current
    /// time when `None`. Kusto's `set query_now` overrides it.
    pub now: Option<i64>,
    /// Treat unknown column names as empty columns, reported as warnings, instead of failing
    /// the query as Kusto does.
    pub allow_missing_columns: bool,
    /// Bounds on the result, the joins and the time of a run: Kusto's result limits, a join
    /// row budget and no time budget by default.
    pub limits: Limits,
    /// Leave out the rows of registered files that cannot be read (see
    /// [`LoadOptions::skip_bad_rows`]) instead of failing; each run that reads such a file
    /// warns how many rows it left out and where.
    pub skip_bad_rows: bool,
    /// Read and check every row of the columns a query uses, as a whole read does. By
    /// default a chain of `where`/`extend` over a file skips the Parquet row groups whose
    /// statistics rule out its first `where`, and converts the columns it only carries in the
    /// rows it keeps: a bad value in what it skips is then not reported.
    pub check_every_row: bool,
}

/// One table of a query result.
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// The columns, tagged with their Kusto types (see [`crate::types::KUSTO_TYPE_KEY`]).
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Whether the rows were cut to the result limits ([`Limits::result_max_records`],
    /// `set truncationmaxrecords`...); a warning in [`QueryResult::warnings`] says so too.
    pub truncated: bool,
}

impl ResultTable {
    /// The number of rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// The answer to a query: one table per tabular statement, and the warnings.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// The result tables, in statement order.
    pub tables: Vec<ResultTable>,
    /// Warnings: missing columns in the permissive mode, ignored options, results cut.
    pub warnings: Vec<Diagnostic>,
}

/// A registered table.
#[derive(Debug, Clone)]
enum Table {
    /// Rows in memory: batches an embedder gave, or a file whose columns are only known once
    /// it is read.
    Loaded {
        columns: Columns,
        batches: Vec<RecordBatch>,
        /// The rows of the file left out with `skip_bad_rows`.
        skipped: Vec<LoadError>,
        /// What the loader said about how the file became the table, warned at each run
        /// that reads it (see [`crate::source::LoadedTable::notes`]).
        notes: Vec<String>,
    },
    /// A file read at each run, with only the columns the query needs.
    Lazy(LazyTable),
}

impl Table {
    fn columns(&self) -> &Columns {
        match self {
            Table::Loaded { columns, .. } => columns,
            Table::Lazy(lazy) => &lazy.columns,
        }
    }
}

/// A file registered without reading its rows.
#[derive(Debug, Clone)]
struct LazyTable {
    /// The columns loading the whole file gives.
    columns: Columns,
    path: PathBuf,
    /// The catalog's schema of the table when it was registered: a later change to the
    /// catalog must not change what the file loads as.
    schema: Option<TableSchema>,
    skip_bad_rows: bool,
    /// [`Options::check_every_row`] when it was registered.
    check_every_row: bool,
}

impl LazyTable {
    /// Reads the file: the columns at the `keep` indexes (all without), in table order, and
    /// the rows left out with `skip_bad_rows`.
    fn load(&self, keep: Option<&[usize]>) -> Result<(Vec<RecordBatch>, Vec<LoadError>), Error> {
        let columns = self.subset(keep);
        let names: Option<Vec<String>> =
            keep.map(|_| columns.iter().map(|c| c.name.clone()).collect());
        let options = self.load_options(names.as_deref());
        let loaded = load_file(&self.path, &options)?;
        self.check_columns(&loaded.schema, &columns)?;
        let batches = loaded
            .batches
            .into_iter()
            .map(|batch| {
                let rows = batch.num_rows();
                make_batch(&columns, batch.columns().to_vec(), rows)
            })
            .collect::<DiagResult<Vec<_>>>()?;
        Ok((batches, loaded.skipped))
    }

    /// The file's `keep` columns as parts for threads to read in turn, when the file can be
    /// streamed (see [`stream_file`]).
    fn stream(&self, keep: &[usize]) -> Result<Option<Box<dyn BatchSource>>, Error> {
        let columns = self.subset(Some(keep));
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let Some((schema, parts)) = stream_file(&self.path, &self.load_options(Some(&names)))?
        else {
            return Ok(None);
        };
        self.check_columns(&schema, &columns)?;
        let every_row = self.check_every_row.then(|| EveryRow::new(columns.len()));
        Ok(Some(Box::new(Retyped {
            parts,
            columns,
            every_row,
        })))
    }

    fn load_options<'a>(&'a self, columns: Option<&'a [String]>) -> LoadOptions<'a> {
        LoadOptions {
            schema: self.schema.as_ref(),
            columns,
            skip_bad_rows: self.skip_bad_rows,
            ..LoadOptions::default()
        }
    }

    /// Only the header or metadata was read when the file was registered: had it changed
    /// since, its columns could differ from the ones the query was bound to.
    fn check_columns(&self, schema: &SchemaRef, columns: &Columns) -> Result<(), Error> {
        let same = schema.fields().len() == columns.len()
            && schema.fields().iter().zip(columns).all(|(field, column)| {
                field.name() == &column.name && KustoType::of_field(field) == Some(column.ty)
            });
        if same {
            Ok(())
        } else {
            let message = "the file's columns changed since it was registered as a table";
            Err(LoadError::new(&self.path, message).into())
        }
    }

    fn subset(&self, keep: Option<&[usize]>) -> Columns {
        match keep {
            Some(keep) => keep
                .iter()
                .filter_map(|&index| self.columns.get(index).cloned())
                .collect(),
            None => self.columns.clone(),
        }
    }
}

/// A file's parts, each batch given the plan's schema (see [`make_batch`]).
struct Retyped {
    parts: Box<dyn BatchSource>,
    columns: Columns,
    /// What to ask of the file instead of the chain's needs, to read every row.
    every_row: Option<EveryRow>,
}

impl BatchSource for Retyped {
    fn next_part(&self, chain: &dyn ChainNeeds) -> Option<Part> {
        let asked: &dyn ChainNeeds = match &self.every_row {
            Some(every_row) => every_row,
            None => chain,
        };
        let Part { order, batches } = self.parts.next_part(asked)?;
        let columns = self.columns.clone();
        let batches = batches.map(move |batch| {
            let batch = batch?;
            let rows = batch.num_rows();
            make_batch(&columns, batch.columns().to_vec(), rows).map_err(StreamError::Failed)
        });
        Some(Part {
            order,
            batches: Box::new(batches),
        })
    }
}

/// A KQL engine holding tables.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{Int64Array, RecordBatch, StringArray};
/// use arrow::datatypes::Schema;
/// use kql_engine::{Engine, types::KustoType};
///
/// let schema = Arc::new(Schema::new(vec![
///     KustoType::String.field("State"),
///     KustoType::Long.field("Damage"),
/// ]));
/// let batch = RecordBatch::try_new(schema, vec![
///     Arc::new(StringArray::from(vec!["TEXAS", "KANSAS", "TEXAS"])),
///     Arc::new(Int64Array::from(vec![10, 20, 30])),
/// ]).unwrap();
///
/// let mut engine = Engine::new();
/// engine.register_batches("StormEvents", vec![batch]).unwrap();
/// let result = engine.run("StormEvents | where State == 'TEXAS' and Damage > 15").unwrap();
/// assert_eq!(result.tables[0].num_rows(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    tables: BTreeMap<String, Table>,
    catalog: Catalog,
    options: Options,
    /// Where `externaldata` rows come from; without one, `externaldata` is refused.
    external_data: Option<Resolver>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// An engine with no tables, the built-in schemas of known Sentinel and Defender tables,
    /// and default options.
    pub fn new() -> Engine {
        Engine {
            tables: BTreeMap::new(),
            catalog: Catalog::builtin(),
            options: Options::default(),
            external_data: None,
        }
    }

    /// Lets queries use `externaldata`, whose rows `resolver` supplies. Without one (the
    /// default), a query reads only the registered tables: no file or network access.
    pub fn with_external_data(mut self, resolver: Arc<dyn ExternalData>) -> Engine {
        self.external_data = Some(Resolver(resolver));
        self
    }

    /// Sets the options.
    pub fn with_options(mut self, options: Options) -> Engine {
        self.options = options;
        self
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The schema catalog used to type files of known tables and to check queries.
    pub fn catalog_mut(&mut self) -> &mut Catalog {
        &mut self.catalog
    }

    /// Registers a table from record batches. Column types come from each field's Kusto
    /// tag, or from its Arrow type.
    pub fn register_batches(&mut self, name: &str, batches: Vec<RecordBatch>) -> Result<(), Error> {
        let schema = match batches.first() {
            Some(batch) => batch.schema(),
            None => {
                return Err(semantic(format!("the table `{name}` was given no batches")).into());
            }
        };
        self.register_schema_batches(name, &schema, batches)
    }

    /// Registers a table from a schema and batches (which may be empty).
    pub fn register_schema_batches(
        &mut self,
        name: &str,
        schema: &SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), Error> {
        let mut columns = Vec::new();
        for field in schema.fields() {
            let ty = KustoType::of_field(field).ok_or_else(|| {
                crate::error::not_supported(format!(
                    "the Arrow type `{}` of column `{}`",
                    field.data_type(),
                    field.name()
                ))
            })?;
            columns.push(Column::new(field.name().clone(), ty));
        }
        let target = arrow_schema(&columns);
        let batches = batches
            .into_iter()
            .map(|batch| {
                let arrays = batch.columns().to_vec();
                crate::exec::make_batch(&columns, arrays, batch.num_rows())
            })
            .collect::<DiagResult<Vec<_>>>()?;
        debug_assert!(batches.iter().all(|b| b.schema() == target));
        let table = Table::Loaded {
            columns,
            batches,
            skipped: Vec::new(),
            notes: Vec::new(),
        };
        self.tables.insert(name.to_string(), table);
        Ok(())
    }

    /// Registers a file (`.csv`, `.json`, `.jsonl`, `.ndjson`, `.parquet`, `.evtx`) as table
    /// `name`. A table the catalog knows (such as `SecurityEvent`) is typed by its schema; an
    /// event log is read as the table `name` says (see `docs/evtx.md`).
    ///
    /// When the table's columns can be known without reading its rows (Parquet; CSV of a
    /// known table whose columns are all in the schema: see [`peek_columns`]), only they are
    /// read now, and each [`Engine::run`] reads the columns its query needs, so a bad value in
    /// a column no query uses is never seen, and the file is read again at each run.
    /// Otherwise the whole file is loaded now.
    pub fn register_file(&mut self, name: &str, path: &Path) -> Result<(), Error> {
        let schema = self.catalog.get(name);
        if let Some(columns) = peek_columns(path, schema)? {
            let table = LazyTable {
                columns: columns
                    .into_iter()
                    .map(|column| Column::new(column.name, column.ty))
                    .collect(),
                path: path.to_path_buf(),
                schema: schema.cloned(),
                skip_bad_rows: self.options.skip_bad_rows,
                check_every_row: self.options.check_every_row,
            };
            self.tables.insert(name.to_string(), Table::Lazy(table));
            return Ok(());
        }
        let options = LoadOptions {
            schema,
            skip_bad_rows: self.options.skip_bad_rows,
            ..LoadOptions::default()
        };
        let loaded = load_file(path, &options)?;
        self.register_schema_batches(name, &loaded.schema, loaded.batches)?;
        if let Some(Table::Loaded { skipped, notes, .. }) = self.tables.get_mut(name) {
            *skipped = loaded.skipped;
            *notes = loaded.notes;
        }
        Ok(())
    }

    /// The names of the registered tables.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// Parses and binds a query against the registered tables and the catalog's schemas,
    /// without running it. Returns the warnings.
    pub fn check(&self, query: &str) -> Result<Vec<Diagnostic>, Error> {
        let mut schemas = self.catalog_columns();
        schemas.extend(self.registered_columns());
        Ok(self.bind(query, &schemas, None)?.warnings)
    }

    /// The schemas of a query's result tables, one per tabular statement, found by binding it
    /// as [`Engine::check`] does, without running it.
    pub fn result_schemas(&self, query: &str) -> Result<Vec<SchemaRef>, Error> {
        let mut schemas = self.catalog_columns();
        schemas.extend(self.registered_columns());
        let bound = self.bind(query, &schemas, None)?;
        Ok(bound
            .results
            .iter()
            .map(|plan| arrow_schema(&plan.columns))
            .collect())
    }

    /// Runs a query over the registered tables. Files registered without being read are
    /// read now, only the columns the query needs.
    pub fn run(&self, query: &str) -> Result<QueryResult, Error> {
        let limits = RunLimits::start(&self.options.limits);
        let parsed = kql_parser::parse(query)?;
        let data = RunData {
            engine: self,
            loaded: RefCell::new(HashMap::new()),
            served: RefCell::new(HashMap::new()),
            load_error: RefCell::new(None),
            skipped: RefCell::new(BTreeMap::new()),
            notes: RefCell::new(std::collections::BTreeSet::new()),
        };
        let outcome = self.run_parsed(&parsed, &data, &limits);
        // A file that failed to load under `TableData` (which carries diagnostics) is
        // reported as the load error it is.
        match (outcome, data.load_error.take()) {
            (Err(_), Some(error)) => Err(error.into()),
            (outcome, _) => outcome,
        }
    }

    fn run_parsed(
        &self,
        parsed: &Query,
        data: &RunData,
        limits: &RunLimits,
    ) -> Result<QueryResult, Error> {
        // Binding runs the subqueries that become constants (`toscalar`, tabular `in`);
        // their plans are not kept, so a file they read is loaded whole, on demand.
        let bound = self.bind_parsed(parsed, &self.registered_columns(), Some(data), limits)?;
        // The plans then scan files for only the columns they need, and those are read. A
        // table no plan scans is not read at all. Should the rewrite fail, the plans run as
        // bound and files are read whole. Without files there is nothing to save: batches in
        // memory are given whole, and the plans run exactly as bound.
        let is_file = |name: &str| matches!(self.tables.get(name), Some(Table::Lazy(_)));
        let any_file = self.tables.keys().any(|name| is_file(name));
        let pruned = if any_file {
            prune(&bound, &is_file)
        } else {
            None
        };
        let (bound, served) = match pruned {
            Some(pruned) => {
                for (name, keep) in &pruned.tables {
                    data.serve(name, keep)?;
                }
                (pruned.query, pruned.tables)
            }
            None => (bound, BTreeMap::new()),
        };
        let results = match execute(&bound, data, limits) {
            Ok(results) => results,
            Err(error) => {
                if let Some(unreadable) = data.first_unreadable(&served) {
                    data.load_error.take();
                    return Err(unreadable);
                }
                return Err(error.into());
            }
        };
        let mut warnings = bound.warnings;
        warnings.extend(
            data.skipped
                .take()
                .into_values()
                .filter_map(skipped_rows_warning),
        );
        warnings.extend(
            data.notes
                .take()
                .into_iter()
                .map(|note| runtime(note).warning()),
        );
        let tables = results
            .into_iter()
            .zip(&bound.results)
            .map(|(mut batches, plan)| {
                let cut = bound.result_limits.cut(&mut batches);
                warnings.extend(cut.map(|cut| cut.warning(&bound.result_limits)));
                ResultTable {
                    schema: arrow_schema(&plan.columns),
                    batches,
                    truncated: cut.is_some(),
                }
            })
            .collect();
        Ok(QueryResult { tables, warnings })
    }

    fn bind(
        &self,
        query: &str,
        schemas: &BTreeMap<String, Columns>,
        data: Option<&dyn TableData>,
    ) -> Result<BoundQuery, Error> {
        let parsed = kql_parser::parse(query)?;
        let limits = RunLimits::start(&self.options.limits);
        self.bind_parsed(&parsed, schemas, data, &limits)
    }

    fn bind_parsed(
        &self,
        parsed: &Query,
        schemas: &BTreeMap<String, Columns>,
        data: Option<&dyn TableData>,
        limits: &RunLimits,
    ) -> Result<BoundQuery, Error> {
        let now = self.options.now.unwrap_or_else(current_time);
        let options = BindOptions {
            now,
            allow_missing_columns: self.options.allow_missing_columns,
            limits: *limits,
            result_limits: ResultLimits::of(&self.options.limits),
            external_data: self.external_data.clone(),
        };
        bind_with_data(parsed, schemas, &options, data)
    }

    fn registered_columns(&self) -> BTreeMap<String, Columns> {
        self.tables
            .iter()
            .map(|(name, table)| (name.clone(), table.columns().clone()))
            .collect()
    }

    fn catalog_columns(&self) -> BTreeMap<String, Columns> {
        self.catalog
            .table_names()
            .filter_map(|name| self.catalog.get(name))
            .map(|schema| {
                let columns = schema
                    .columns
                    .iter()
                    .map(|c| Column::new(c.name.clone(), c.ty))
                    .collect();
                (schema.name.clone(), columns)
            })
            .collect()
    }
}

/// The tables' rows; a file registered without being read is read whole at each call. Rows
/// left out with [`Options::skip_bad_rows`] are not reported this way: [`Engine::run`]
/// reports them.
impl TableData for Engine {
    fn batches(&self, table: &str) -> DiagResult<Vec<RecordBatch>> {
        match self.tables.get(table) {
            Some(Table::Loaded { batches, .. }) => Ok(batches.clone()),
            Some(Table::Lazy(lazy)) => lazy
                .load(None)
                .map(|(batches, _)| batches)
                .map_err(|error| diagnostic_of(&error)),
            None => Err(no_data(table)),
        }
    }
}

/// The data of one run: registered batches as they are, and each file read once.
struct RunData<'a> {
    engine: &'a Engine,
    /// Files read so far in this run, by table name: whole while binding, then with the
    /// columns the pruned plans scan.
    loaded: RefCell<HashMap<String, Vec<RecordBatch>>>,
    /// The columns the pruned plans read of each file not read yet: it is read when a plan
    /// scans it, streamed where the plan allows.
    served: RefCell<HashMap<String, Vec<usize>>>,
    /// The first file that failed to load from [`TableData::batches`], which can only
    /// return a diagnostic.
    load_error: RefCell<Option<LoadError>>,
    /// The rows left out of the files read in this run, by table, then by line: a file read
    /// twice (whole for a subquery, then some columns) reports each row once.
    skipped: RefCell<BTreeMap<String, SkippedRows>>,
    /// The loaders' notes about the tables read in this run, each once.
    notes: RefCell<std::collections::BTreeSet<String>>,
}

/// The rows left out of one file, by line and column, each with why. Formats without lines
/// (event logs) name the record in the message, which then tells the rows apart.
type SkippedRows = BTreeMap<(Option<usize>, String, String), LoadError>;

/// Where a left-out row is, as [`SkippedRows`] keys it.
fn skipped_key(error: &LoadError) -> (Option<usize>, String, String) {
    let column = error.column.clone().unwrap_or_default();
    let place = match error.line {
        Some(_) => String::new(),
        None => error.message.clone(),
    };
    (error.line, column, place)
}

impl RunData<'_> {
    /// From now on, gives the columns at the `keep` indexes of a file, as the pruned plans
    /// scan it: read with only those, or cut from the whole table a subquery had read.
    fn serve(&self, name: &str, keep: &[usize]) -> Result<(), Error> {
        let Some(Table::Lazy(lazy)) = self.engine.tables.get(name) else {
            return Ok(());
        };
        let whole = self.loaded.borrow_mut().remove(name);
        let Some(batches) = whole else {
            // Read when a plan scans it, streamed when the plan allows.
            self.served
                .borrow_mut()
                .insert(name.to_string(), keep.to_vec());
            return Ok(());
        };
        let columns = lazy.subset(Some(keep));
        let batches = batches
            .iter()
            .map(|batch| {
                let arrays = keep.iter().map(|&i| batch.column(i).clone()).collect();
                make_batch(&columns, arrays, batch.num_rows())
            })
            .collect::<DiagResult<Vec<_>>>()?;
        self.loaded.borrow_mut().insert(name.to_string(), batches);
        Ok(())
    }

    /// After a failed run: the error of the first served file, in table name order, that
    /// cannot be read, as reading every served file before running would have reported it.
    /// Files are read again for this, only on this failure path.
    fn first_unreadable(&self, served: &BTreeMap<String, Vec<usize>>) -> Option<Error> {
        served.iter().find_map(|(name, keep)| {
            let Some(Table::Lazy(lazy)) = self.engine.tables.get(name) else {
                return None;
            };
            if !self.served.borrow().contains_key(name) {
                return None; // projected from a whole read while binding, which succeeded
            }
            lazy.load(Some(keep)).err()
        })
    }

    /// Reads a file's served columns whole, once.
    fn load_served(&self, name: &str, lazy: &LazyTable, keep: &[usize]) -> DiagResult<Batches> {
        let (batches, skipped) = lazy.load(Some(keep)).map_err(|error| self.failed(error))?;
        self.note_skipped(name, skipped);
        self.loaded
            .borrow_mut()
            .insert(name.to_string(), batches.clone());
        Ok(batches)
    }

    /// The diagnostic of a file that failed to load; the load error is kept to be reported as
    /// such.
    fn failed(&self, error: Error) -> Diagnostic {
        let diagnostic = diagnostic_of(&error);
        if let Error::Load(error) = error {
            self.load_error.borrow_mut().get_or_insert(error);
        }
        diagnostic
    }

    /// The served columns of a file as parts to stream, when it can be streamed and was not
    /// read already.
    fn stream_served(&self, name: &str) -> DiagResult<Option<Box<dyn BatchSource>>> {
        let Some(Table::Lazy(lazy)) = self.engine.tables.get(name) else {
            return Ok(None);
        };
        if self.loaded.borrow().contains_key(name) {
            return Ok(None);
        }
        let Some(keep) = self.served.borrow().get(name).cloned() else {
            return Ok(None);
        };
        lazy.stream(&keep).map_err(|error| self.failed(error))
    }

    /// Keeps the rows a load of table `name` left out, for the run's warnings.
    fn note_skipped(&self, name: &str, skipped: impl IntoIterator<Item = LoadError>) {
        let mut all = self.skipped.borrow_mut();
        let rows = all.entry(name.to_string()).or_default();
        for error in skipped {
            rows.entry(skipped_key(&error)).or_insert(error);
        }
    }
}

impl TableData for RunData<'_> {
    fn batches(&self, name: &str) -> DiagResult<Vec<RecordBatch>> {
        let lazy = match self.engine.tables.get(name) {
            Some(Table::Loaded {
                batches,
                skipped,
                notes,
                ..
            }) => {
                self.note_skipped(name, skipped.iter().cloned());
                self.notes.borrow_mut().extend(notes.iter().cloned());
                return Ok(batches.clone());
            }
            Some(Table::Lazy(lazy)) => lazy,
            None => return Err(no_data(name)),
        };
        if let Some(batches) = self.loaded.borrow().get(name) {
            return Ok(batches.clone());
        }
        let served = self.served.borrow().get(name).cloned();
        if let Some(keep) = served {
            return self.load_served(name, lazy, &keep);
        }
        // A subquery read while binding: which columns its plan reads is not known, so all.
        let (batches, skipped) = lazy.load(None).map_err(|error| self.failed(error))?;
        self.note_skipped(name, skipped);
        self.loaded
            .borrow_mut()
            .insert(name.to_string(), batches.clone());
        Ok(batches)
    }

    fn source(&self, name: &str) -> DiagResult<Box<dyn BatchSource>> {
        match self.stream_served(name)? {
            Some(parts) => Ok(parts),
            None => Ok(Box::new(InMemory::new(self.batches(name)?))),
        }
    }

    fn load_failed(&self, _table: &str, error: LoadError) -> Diagnostic {
        self.failed(Error::Load(error))
    }
}

/// How many rows of a file were left out and where, as a warning; `None` when none were.
fn skipped_rows_warning(rows: SkippedRows) -> Option<Diagnostic> {
    /// The rows named one by one; the rest are counted.
    const SHOWN: usize = 5;
    let lines: std::collections::BTreeSet<(Option<usize>, &str)> =
        rows.keys().map(|k| (k.0, k.2.as_str())).collect();
    let first = rows.values().next()?;
    let (count, verb) = match lines.len() {
        1 => ("1 row".to_string(), "was"),
        n => (format!("{n} rows"), "were"),
    };
    let mut warning = runtime(format!(
        "{count} of `{}` could not be read and {verb} left out, as skipping bad rows asks",
        first.path.display()
    ))
    .warning();
    for error in rows.values().take(SHOWN) {
        warning = warning.with_hint(error.to_string());
    }
    if rows.len() > SHOWN {
        warning = warning.with_hint(format!("and {} more", rows.len() - SHOWN));
    }
    Some(warning)
}

fn no_data(table: &str) -> Diagnostic {
    Diagnostic::internal(format!("the table `{table}` has no data"))
}

/// An error as the diagnostic [`TableData`] can return.
fn diagnostic_of(error: &Error) -> Diagnostic {
    match error {
        Error::Query(diagnostics) => diagnostics
            .first()
            .cloned()
            .unwrap_or_else(|| runtime("the table could not be read")),
        Error::Load(error) => runtime(error.to_string()),
    }
}

/// Now, in nanoseconds since 1970, truncated to Kusto's 100 ns ticks.
fn current_time() -> i64 {
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
    nanos - nanos.rem_euclid(100)
}
