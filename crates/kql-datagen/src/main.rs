//! `kql-datagen`: writes SecurityEvent, DeviceProcessEvents and DeviceEvents exports of any
//! size, deterministically from a seed, for the BITS hunt's benchmarks (`bench/run.sh`).
//!
//! Each table gets `<DIR>/<format>/<Table>.<ext>` with only the columns a realistic export of
//! it carries (see [`tables::Table::schema`]): the hunt's and a few more, not the hundreds of
//! columns of the full schemas.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use kql_datagen::tables::{self, Layout, Table};
use kql_datagen::write::Sink;

/// Generate the BITS hunt's three tables as CSV and Parquet files.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Rows per table.
    #[arg(long, default_value_t = 100_000)]
    rows: u64,
    /// The seed every value derives from: the same seed and size give the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder; `csv/` and `parquet/` are made inside it.
    #[arg(long, default_value = "bench/data")]
    out: PathBuf,
    /// The newest row's time, RFC 3339. Rows cover the 120 days before it.
    #[arg(long, default_value = "2026-11-27T00:00:00Z")]
    end: String,
    /// Write only this format (`csv` or `parquet`); both by default.
    #[arg(long)]
    format: Option<String>,
}

const BATCH_ROWS: u64 = 64 * 1024;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kql-datagen: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let end = chrono::DateTime::parse_from_rfc3339(&args.end)
        .map_err(|e| format!("--end `{}`: {e}", args.end))?;
    let layout = Layout {
        rows: args.rows,
        seed: args.seed,
        end: end.timestamp_micros(),
        span_days: 120,
    };
    let formats: Vec<&str> = match args.format.as_deref() {
        None => vec!["csv", "parquet"],
        Some(format @ ("csv" | "parquet")) => vec![format],
        Some(other) => return Err(format!("unknown format `{other}`: csv or parquet")),
    };
    for format in &formats {
        let folder = args.out.join(format);
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    // One thread per table: the tables are independent and the rows cost the same.
    let formats = &formats;
    std::thread::scope(|scope| {
        let handles: Vec<_> = Table::ALL
            .iter()
            .map(|&table| scope.spawn(move || write_table(&layout, table, &args.out, formats)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("a writer failed".into()))
            })
            .collect::<Result<Vec<()>, String>>()
    })?;
    Ok(())
}

fn write_table(
    layout: &Layout,
    table: Table,
    out: &std::path::Path,
    formats: &[&str],
) -> Result<(), String> {
    let schema = table.schema();
    let mut sinks = Vec::new();
    for &format in formats {
        let path = out.join(format).join(format!("{}.{format}", table.name()));
        let sink = match format {
            "csv" => Sink::csv(&path, &schema),
            _ => Sink::parquet(&path, &schema),
        };
        sinks.push(sink.map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let mut first = 0;
    while first < layout.rows {
        let count = BATCH_ROWS.min(layout.rows - first);
        let batch = tables::batch(layout, table, first, count).map_err(|e| e.to_string())?;
        for sink in &mut sinks {
            sink.write(&batch)
                .map_err(|e| format!("{}: {e}", table.name()))?;
        }
        first += count;
    }
    for sink in sinks {
        sink.finish()
            .map_err(|e| format!("{}: {e}", table.name()))?;
    }
    Ok(())
}
