//! The embedding API: register tables, set options, run query text.

use std::collections::BTreeMap;
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use kql_parser::Diagnostic;

use crate::bind::{BindOptions, BoundQuery, bind_with_data};
use crate::catalog::Catalog;
use crate::error::{DiagResult, Error, semantic};
use crate::exec::{TableData, execute};
use crate::plan::{Column, Columns, arrow_schema};
use crate::source::{LoadOptions, load_file};
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
}

/// One table of a query result.
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// The columns, tagged with their Kusto types (see [`crate::types::KUSTO_TYPE_KEY`]).
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
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
    /// Warnings: missing columns in the permissive mode, ignored options.
    pub warnings: Vec<Diagnostic>,
}

/// A registered table.
#[derive(Debug, Clone)]
struct Table {
    columns: Columns,
    batches: Vec<RecordBatch>,
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
        }
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
        self.tables
            .insert(name.to_string(), Table { columns, batches });
        Ok(())
    }

    /// Loads a file (`.csv`, `.json`, `.jsonl`, `.ndjson`, `.parquet`) as table `name`.
    /// A table the catalog knows (such as `SecurityEvent`) is typed by its schema.
    pub fn register_file(&mut self, name: &str, path: &Path) -> Result<(), Error> {
        let options = LoadOptions {
            schema: self.catalog.get(name),
            ..LoadOptions::default()
        };
        let loaded = load_file(path, &options)?;
        self.register_schema_batches(name, &loaded.schema, loaded.batches)
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

    /// Runs a query over the registered tables.
    pub fn run(&self, query: &str) -> Result<QueryResult, Error> {
        let bound = self.bind(query, &self.registered_columns(), Some(self))?;
        let results = execute(&bound, self)?;
        let tables = results
            .into_iter()
            .zip(&bound.results)
            .map(|(batches, plan)| ResultTable {
                schema: arrow_schema(&plan.columns),
                batches,
            })
            .collect();
        Ok(QueryResult {
            tables,
            warnings: bound.warnings,
        })
    }

    fn bind(
        &self,
        query: &str,
        schemas: &BTreeMap<String, Columns>,
        data: Option<&dyn TableData>,
    ) -> Result<BoundQuery, Error> {
        let parsed = kql_parser::parse(query)?;
        let now = self.options.now.unwrap_or_else(current_time);
        let options = BindOptions {
            now,
            allow_missing_columns: self.options.allow_missing_columns,
        };
        bind_with_data(&parsed, schemas, &options, data)
    }

    fn registered_columns(&self) -> BTreeMap<String, Columns> {
        self.tables
            .iter()
            .map(|(name, table)| (name.clone(), table.columns.clone()))
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

impl TableData for Engine {
    fn batches(&self, table: &str) -> DiagResult<Vec<RecordBatch>> {
        self.tables
            .get(table)
            .map(|table| table.batches.clone())
            .ok_or_else(|| Diagnostic::internal(format!("the table `{table}` has no data")))
    }
}

/// Now, in nanoseconds since 1970, truncated to Kusto's 100 ns ticks.
fn current_time() -> i64 {
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
    nanos - nanos.rem_euclid(100)
}
