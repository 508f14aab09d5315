//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  query error (syntax or semantic), or the query is not supported
  2  bad input data or files
  3  usage error";

/// Run KQL (Kusto Query Language) queries on local CSV, JSON and Parquet files.
#[derive(Debug, Parser)]
#[command(
    name = "kql",
    version,
    about = "Run KQL (Kusto Query Language) queries on local CSV, JSON and Parquet files.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a query over tables loaded from files.
    #[command(after_help = concat!(
        "Examples:\n",
        "  kql run queries/bits/bits_jobs.kql --data queries/bits/sample --allow-missing-columns\n",
        "  kql run --query 'Events | where EventID == 4688 | take 5' --table Events=events.csv\n",
        "  cat hunt.kql | kql run - --data exports --format json\n\n",
        "Exit codes:\n  0  success\n  1  query error (syntax or semantic), or not supported\n",
        "  2  bad input data or files\n  3  usage error",
    ))]
    Run(RunArgs),
    /// Check a query against table schemas without data.
    #[command(after_help = concat!(
        "Examples:\n",
        "  kql check queries/bits/bits_jobs.kql\n",
        "  kql check hunt.kql --schema my-schemas/ --diagnostics json\n",
        "  kql check rule.yaml --allow-missing-columns\n",
        "      a Sentinel rule: its query, and the columns of its entityMappings\n\n",
        "Exit codes:\n  0  the query would run\n  1  query error (syntax or semantic), or not supported\n",
        "  2  bad schema files\n  3  usage error",
    ))]
    Check(CheckArgs),
    /// Run detection tests: queries and Sentinel rules over recorded rows, with expected
    /// outcomes.
    #[command(after_help = concat!(
        "Test files are YAML files named *.test.yaml (or *.test.yml); a folder is searched\n",
        "for them recursively, skipping hidden folders and `target`. Their format is in\n",
        "docs/test-cases.md.\n\n",
        "Examples:\n",
        "  kql test                                   every test file under this folder\n",
        "  kql test queries/ --junit kql-tests.xml    also write JUnit XML for CI\n",
        "  kql test queries/bits --filter Atomic      only cases whose name has `Atomic`\n\n",
        "Exit codes:\n  0  every case passed\n  1  a case failed\n",
        "  2  a test file, or a file it names, cannot be read or is invalid\n",
        "  3  usage error, or no test file or case found",
    ))]
    Test(TestArgs),
}

/// Where the query text comes from.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A `.kql` file, a Sentinel analytics-rule `.yaml` file, or `-` for standard input.
    #[arg(
        value_name = "QUERY",
        required_unless_present = "query",
        conflicts_with = "query"
    )]
    pub file: Option<PathBuf>,
    /// The query text itself, instead of a file.
    #[arg(long = "query", value_name = "TEXT")]
    pub query: Option<String>,
}

/// `kql run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// Register one table: `NAME=PATH` (.csv, .json, .jsonl, .ndjson, .parquet, .evtx).
    #[arg(long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Register every data file in DIR under its file stem.
    #[arg(long, value_name = "DIR")]
    pub data: Vec<PathBuf>,
    /// The time `now()` and `ago()` use, as RFC 3339 (`2026-11-27T12:00:00Z`).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Output format; `table` on a terminal, else `csv`.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Treat unknown columns as empty (with a warning) instead of failing like Kusto.
    #[arg(long)]
    pub allow_missing_columns: bool,
    /// Leave out the rows of the data files that cannot be read (a value of the wrong type, a
    /// CSV row with the wrong number of fields...) instead of failing; a warning says how many
    /// and where.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Convert and check every row of the columns the query uses, so that any bad value in
    /// them is an error, as when a file is read whole. By default a `where` early in a `let`
    /// lets kql skip Parquet row groups by their statistics and leave the columns it only
    /// carries unconverted in the rows it drops.
    #[arg(long)]
    pub check_every_row: bool,
    /// Print every row: do not cut results at Kusto's limits of 500,000 rows or 64 MB (the
    /// query's `set notruncation;` does the same).
    #[arg(long)]
    pub no_truncation: bool,
    /// Fail a join that would output more than N rows [default: 10000000; 0: no budget].
    #[arg(long, value_name = "N")]
    pub max_join_rows: Option<usize>,
    /// Cancel the query when it runs longer than SECONDS.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Read files and evaluate `where`/`extend` on N threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub diagnostics: DiagnosticFormat,
    /// Print no warnings or progress.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `kql check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// Also read table schemas from the JSON files in DIR (kql's format or the
    /// Azure-Sentinel repository's CustomTables format).
    #[arg(long, value_name = "DIR")]
    pub schema: Vec<PathBuf>,
    /// Treat unknown columns as empty (with a warning) instead of failing like Kusto.
    #[arg(long)]
    pub allow_missing_columns: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub diagnostics: DiagnosticFormat,
}

/// `kql test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files, or folders to search for `*.test.yaml` files [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run only the cases whose name contains TEXT (given several times: any of them).
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// Also write the results to FILE as JUnit XML, for CI systems.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// Source lines with carets, coloured on a terminal.
    Text,
    /// One JSON object per diagnostic, one per line, for editors and CI.
    Json,
}
