//! `kql check`: parse and bind a query against schemas, without data.

use kql_engine::Engine;

use super::{engine_failure, read_query};
use crate::cli::CheckArgs;
use crate::failure::Failure;
use crate::report::Reporter;

/// Runs `kql check`.
pub fn check(args: &CheckArgs, reporter: &Reporter) -> Result<(), Failure> {
    let query = read_query(&args.query)?;
    let mut engine = Engine::new();
    for dir in &args.schema {
        engine
            .catalog_mut()
            .load_schema_dir(dir)
            .map_err(|error| Failure::Input(error.to_string()))?;
    }
    let warnings = engine
        .check(&query.text)
        .map_err(|error| engine_failure(error, &query))?;
    reporter.warnings(&warnings, &query);
    Ok(())
}
