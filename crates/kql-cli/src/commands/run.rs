//! `kql run`: load tables, run the query, print the result.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use kql_engine::source::SUPPORTED_EXTENSIONS;
use kql_engine::{Engine, Limits, Options};

use crate::cli::RunArgs;
use crate::failure::Failure;
use crate::render::{Format, TableOptions, render};
use crate::report::Reporter;
use crate::rule::load_query;

/// Runs `kql run`. QUERY may also be a Sentinel rule file (`.yaml`), whose query is run.
pub fn run(args: &RunArgs, reporter: &Reporter) -> Result<(), Failure> {
    let query = load_query(&args.query)?;
    let now = args.now.as_deref().map(parse_now).transpose()?;
    let options = Options {
        now,
        allow_missing_columns: args.allow_missing_columns,
        limits: limits(args)?,
        skip_bad_rows: args.skip_bad_rows,
        check_every_row: args.check_every_row,
    };
    let mut engine = Engine::new().with_options(options);

    for (name, path) in table_files(args)? {
        let _spinner = reporter.progress(format!("loading {} from {}", name, path.display()));
        engine
            .register_file(&name, &path)
            .map_err(|error| query.failure(error))?;
    }

    // Files registered lazily are read while the query runs.
    let spinner = reporter.progress("running the query");
    let result = engine.run(&query.text);
    drop(spinner);
    let result = result.map_err(|error| query.failure(error))?;
    reporter.warnings(&query.place(result.warnings), &query.shown);

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        Format::Table
    } else {
        Format::Csv
    });
    let table_options = TableOptions {
        color: to_terminal,
        ..terminal_table_options()
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(File::create(path).map_err(|error| {
            Failure::Input(format!("cannot create `{}`: {error}", path.display()))
        })?),
        None => Box::new(io::stdout().lock()),
    };
    for table in &result.tables {
        render(
            &table.schema,
            &table.batches,
            format,
            &table_options,
            &mut out,
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The limits of the run: Kusto's result limits unless `--no-truncation`, kql's join budget
/// unless `--max-join-rows`, a time budget with `--timeout`, and `--threads`.
fn limits(args: &RunArgs) -> Result<Limits, Failure> {
    let mut limits = Limits::default();
    if args.no_truncation {
        limits.result_max_records = None;
        limits.result_max_bytes = None;
    }
    if let Some(rows) = args.max_join_rows {
        limits.join_max_rows = (rows > 0).then_some(rows);
    }
    if let Some(seconds) = args.timeout {
        let budget = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|budget| !budget.is_zero())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "`--timeout` must be a positive number of seconds, not `{seconds}`"
                ))
            })?;
        limits.time_budget = Some(budget);
    }
    if let Some(threads) = args.threads {
        if threads == 0 {
            let message = "`--threads` must be at least 1".to_string();
            return Err(Failure::Usage(message));
        }
        limits.threads = Some(threads);
    }
    Ok(limits)
}

/// Table options sized to the terminal: its real width when standard output is one, else
/// `COLUMNS`, else the default.
fn terminal_table_options() -> TableOptions {
    let defaults = TableOptions::default();
    let from_terminal =
        terminal_size::terminal_size_of(io::stdout()).map(|(width, _)| usize::from(width.0));
    let from_env = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let width = from_terminal.or(from_env).unwrap_or(defaults.max_width);
    TableOptions {
        max_width: width,
        ..defaults
    }
}

/// Reads `--now` into nanoseconds since 1970.
fn parse_now(text: &str) -> Result<i64, Failure> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .and_then(|time| time.timestamp_nanos_opt())
        .ok_or_else(|| {
            Failure::Usage(format!(
                "--now expects an RFC 3339 time such as `2026-11-27T12:00:00Z`, found `{text}`"
            ))
        })
}

/// The tables to register: `--table NAME=PATH`, then every data file of each `--data DIR`.
fn table_files(args: &RunArgs) -> Result<Vec<(String, PathBuf)>, Failure> {
    let mut tables = Vec::new();
    for spec in &args.tables {
        let Some((name, path)) = spec.split_once('=') else {
            return Err(Failure::Usage(format!(
                "--table expects NAME=PATH, found `{spec}`"
            )));
        };
        if name.is_empty() || path.is_empty() {
            return Err(Failure::Usage(format!(
                "--table expects NAME=PATH, found `{spec}`"
            )));
        }
        tables.push((name.to_string(), PathBuf::from(path)));
    }
    for dir in &args.data {
        tables.extend(data_dir(dir)?);
    }
    Ok(tables)
}

/// Every supported data file in `dir`, named by its file stem, in name order.
pub fn data_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        Failure::Input(format!(
            "cannot read the folder `{}`: {error}",
            dir.display()
        ))
    })?;
    let mut tables = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| Failure::Input(error.to_string()))?
            .path();
        let supported = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SUPPORTED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if let (true, Some(stem)) = (
            supported && path.is_file(),
            path.file_stem().and_then(|s| s.to_str()),
        ) {
            tables.push((stem.to_string(), path.clone()));
        }
    }
    tables.sort();
    Ok(tables)
}
