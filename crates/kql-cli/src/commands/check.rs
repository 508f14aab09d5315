//! `kql check`: parse and bind a query against schemas, without data.

use std::io::Write;

use kql_engine::{Engine, Options};

use crate::cli::CheckArgs;
use crate::failure::Failure;
use crate::report::Reporter;
use crate::rule::load_query;

/// Runs `kql check`. For a Sentinel rule file (`.yaml`) it checks the rule's query, then that
/// every column its `entityMappings` and `customDetails` name is in the query's result, and
/// prints what the rule is.
pub fn check(args: &CheckArgs, reporter: &Reporter) -> Result<(), Failure> {
    let query = load_query(&args.query)?;
    let mut engine = Engine::new().with_options(Options {
        allow_missing_columns: args.allow_missing_columns,
        ..Options::default()
    });
    for dir in &args.schema {
        engine
            .catalog_mut()
            .load_schema_dir(dir)
            .map_err(|error| Failure::Input(error.to_string()))?;
    }
    let warnings = engine
        .check(&query.text)
        .map_err(|error| query.failure(error))?;
    reporter.warnings(&query.place(warnings), &query.shown);

    let Some(rule) = &query.rule else {
        return Ok(());
    };
    let schemas = engine
        .result_schemas(&query.text)
        .map_err(|error| query.failure(error))?;
    // Sentinel reads entities and details from the first result table.
    let Some(schema) = schemas.first() else {
        return Ok(());
    };
    let missing = rule.missing_columns(schema);
    if missing.is_empty() {
        let mut out = std::io::stdout().lock();
        for line in rule.summary() {
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    Err(Failure::Query {
        text: query.shown.text.clone(),
        origin: query.shown.origin.clone(),
        diagnostics: missing,
    })
}
