//! `hunt-baseline`: the BITS hunt as a minimal Rust program, the issue's reference point.
//!
//! It reads only the columns the hunt uses (Parquet projection; CSV through arrow-csv with a
//! projection), runs the regexes exactly as written (`replace_all` with the deobfuscation
//! pattern, then `is_match` with the two BITS patterns), joins the three filtered sides with
//! hash maps on `TimeGenerated` as the two full outer joins do, and prints the result's row
//! count. Row groups (or CSV batches) are shared among `--threads` threads. What it does not
//! do is what kql adds: Kusto's types and errors, any pattern analysis, streaming limits.
//!
//! `hunt-baseline DIR parquet|csv [--threads N]`

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, TimestampMicrosecondType};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use regex::Regex;

const BITS_CMD: &str = r"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)";
const BITS_PWSH: &str =
    r"(.*)Start-BitsTransfer(.+)(((destination |source ).+){2}|Asynchronous |TransferType )(.*)";
const CLEAR_OBF: &str = r#"(\^|(")+|\$|%|\+|("\+"))"#;
/// `ago(90d)` at 2026-11-27T12:00:00Z, in microseconds.
const SINCE_MICROS: i64 = 1_795_780_800_000_000 - 90 * 86_400_000_000;

struct Patterns {
    clear: Regex,
    cmd: Regex,
    pwsh: Regex,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(folder), Some(format)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: hunt-baseline DIR parquet|csv [--threads N]");
        return ExitCode::FAILURE;
    };
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1usize);
    match hunt(Path::new(folder), format, threads) {
        Ok(rows) => {
            println!("{rows}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("hunt-baseline: {message}");
            ExitCode::FAILURE
        }
    }
}

fn hunt(folder: &Path, format: &str, threads: usize) -> Result<usize, String> {
    let patterns = Patterns {
        clear: Regex::new(CLEAR_OBF).map_err(|e| e.to_string())?,
        cmd: Regex::new(BITS_CMD).map_err(|e| e.to_string())?,
        pwsh: Regex::new(BITS_PWSH).map_err(|e| e.to_string())?,
    };
    let side = |table: &str, lines: &[&str]| {
        let path = folder.join(format!("{table}.{format}"));
        hits(&path, format, lines, &patterns, threads)
    };
    let security = side("SecurityEvent", &["CommandLine"])?;
    let lines = ["InitiatingProcessCommandLine", "ProcessCommandLine"];
    let process = side("DeviceProcessEvents", &lines)?;
    let device = side("DeviceEvents", &lines)?;
    Ok(count_joins(&security, &process, &device))
}

/// The rows of the two full outer joins: `security` with `process` on time, then the result
/// (keyed by the security side's time, absent for process-only rows) with `device`.
fn count_joins(security: &[i64], process: &[i64], device: &[i64]) -> usize {
    let counts = |times: &[i64]| {
        let mut map: HashMap<i64, usize> = HashMap::new();
        for &time in times {
            *map.entry(time).or_default() += 1;
        }
        map
    };
    let process_counts = counts(process);
    let device_counts = counts(device);
    let security_counts = counts(security);
    // First join: keys of the left rows, with multiplicity (None for right-only rows).
    let mut first: Vec<Option<i64>> = Vec::new();
    for &time in security {
        let matches = process_counts.get(&time).copied().unwrap_or(0);
        first.extend(std::iter::repeat_n(Some(time), matches.max(1)));
    }
    let unmatched_process = process
        .iter()
        .filter(|time| !security_counts.contains_key(time))
        .count();
    first.extend(std::iter::repeat_n(None, unmatched_process));
    // Second join.
    let mut rows = 0;
    let mut matched_device = std::collections::HashSet::new();
    for key in &first {
        let matches = key
            .and_then(|time| device_counts.get(&time).copied())
            .unwrap_or(0);
        if matches > 0 {
            matched_device.extend(*key);
        }
        rows += matches.max(1);
    }
    rows + device
        .iter()
        .filter(|time| !matched_device.contains(*time))
        .count()
}

/// The times of the rows of the last 90 days whose cleaned command lines match.
fn hits(
    path: &Path,
    format: &str,
    lines: &[&str],
    patterns: &Patterns,
    threads: usize,
) -> Result<Vec<i64>, String> {
    let mut columns = vec!["TimeGenerated"];
    columns.extend_from_slice(lines);
    let batches = Batches::open(path, format, &columns)?;
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                while let Some(batch) = batches.next() {
                    let times = match batch.and_then(|batch| matching(&batch, patterns)) {
                        Ok(times) => times,
                        Err(message) => {
                            eprintln!("hunt-baseline: {message}");
                            std::process::exit(1);
                        }
                    };
                    if let Ok(mut found) = found.lock() {
                        found.extend(times);
                    }
                }
            });
        }
    });
    found.into_inner().map_err(|e| e.to_string())
}

fn matching(batch: &RecordBatch, patterns: &Patterns) -> Result<Vec<i64>, String> {
    let times = batch.column(0);
    let lines: Vec<_> = (1..batch.num_columns())
        .map(|i| batch.column(i).as_string::<i32>())
        .collect();
    let mut found = Vec::new();
    for row in 0..batch.num_rows() {
        let Some(time) = time_at(times.as_ref(), row)? else {
            continue;
        };
        if time < SINCE_MICROS {
            continue;
        }
        let hit = lines.iter().any(|column| {
            let text = if column.is_null(row) {
                ""
            } else {
                column.value(row)
            };
            let cleaned = patterns.clear.replace_all(text, "");
            patterns.cmd.is_match(&cleaned) || patterns.pwsh.is_match(&cleaned)
        });
        if hit {
            found.push(time);
        }
    }
    Ok(found)
}

/// A row's time in microseconds: a Parquet timestamp, or CSV text.
fn time_at(column: &dyn Array, row: usize) -> Result<Option<i64>, String> {
    if column.is_null(row) {
        return Ok(None);
    }
    match column.data_type() {
        DataType::Utf8 => {
            let text = column.as_string::<i32>().value(row);
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|time| Some(time.timestamp_micros()))
                .map_err(|e| format!("`{text}`: {e}"))
        }
        _ => Ok(Some(
            column.as_primitive::<TimestampMicrosecondType>().value(row),
        )),
    }
}

/// A file's batches of the wanted columns, taken by threads in turn.
enum Batches {
    Parquet {
        path: std::path::PathBuf,
        metadata: ArrowReaderMetadata,
        mask: ProjectionMask,
        next: AtomicUsize,
    },
    Csv(Box<std::sync::Mutex<arrow::csv::Reader<File>>>),
}

impl Batches {
    fn open(path: &Path, format: &str, columns: &[&str]) -> Result<Batches, String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let file = File::open(path).map_err(|e| fail(&e))?;
        if format == "parquet" {
            let metadata =
                ArrowReaderMetadata::load(&file, Default::default()).map_err(|e| fail(&e))?;
            let schema = metadata.schema().clone();
            let roots = columns.iter().filter_map(|name| schema.index_of(name).ok());
            let mask = ProjectionMask::roots(metadata.parquet_schema(), roots);
            return Ok(Batches::Parquet {
                path: path.to_path_buf(),
                metadata,
                mask,
                next: AtomicUsize::new(0),
            });
        }
        let header = std::io::BufRead::lines(std::io::BufReader::new(&file))
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        let names: Vec<&str> = header.split(',').collect();
        let fields: Vec<Field> = names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, true))
            .collect();
        let projection: Vec<usize> = columns
            .iter()
            .filter_map(|name| names.iter().position(|n| n == name))
            .collect();
        let file = File::open(path).map_err(|e| fail(&e))?;
        let reader = arrow::csv::ReaderBuilder::new(Arc::new(Schema::new(fields)))
            .with_header(true)
            .with_projection(projection)
            .with_batch_size(8192)
            .build(file)
            .map_err(|e| fail(&e))?;
        Ok(Batches::Csv(Box::new(std::sync::Mutex::new(reader))))
    }

    fn next(&self) -> Option<Result<RecordBatch, String>> {
        match self {
            Batches::Csv(reader) => {
                let mut reader = reader.lock().ok()?;
                reader.next().map(|batch| batch.map_err(|e| e.to_string()))
            }
            Batches::Parquet {
                path,
                metadata,
                mask,
                next,
            } => {
                let group = next.fetch_add(1, Ordering::Relaxed);
                if group >= metadata.metadata().num_row_groups() {
                    return None;
                }
                let read = || -> Result<RecordBatch, String> {
                    let file = File::open(path).map_err(|e| e.to_string())?;
                    let reader =
                        ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
                            .with_projection(mask.clone())
                            .with_row_groups(vec![group])
                            .with_batch_size(1 << 20)
                            .build()
                            .map_err(|e| e.to_string())?;
                    let batches: Vec<RecordBatch> = reader
                        .collect::<Result<_, _>>()
                        .map_err(|e| e.to_string())?;
                    let schema = batches
                        .first()
                        .map(RecordBatch::schema)
                        .ok_or("an empty row group")?;
                    arrow::compute::concat_batches(&schema, &batches).map_err(|e| e.to_string())
                };
                Some(read())
            }
        }
    }
}
