//! A chain streamed over a Parquet file reads less of it, and answers as a whole read does:
//!
//! - its first `where` on a `datetime` column skips the row groups whose footer statistics put
//!   every row outside it (`exec/bounds.rs`, `source/parquet/prune.rs`);
//! - the columns it only carries are read for the rows it keeps (`exec/needs.rs`,
//!   `source/parquet/late.rs`).
//!
//! The answers must be those of the file loaded whole, at every boundary, for every timestamp
//! unit, whatever share of rows is kept. What is not read shows through a value kql cannot
//! read (a `UInt64` above `i64::MAX`) in row 0: a query that needs it fails, one that does not
//! succeeds.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use common::{TempDir, rows};
use kql_engine::source::{LoadOptions, load_file};
use kql_engine::types::KustoType;
use kql_engine::{Engine, Error, Limits, Options};

/// Rows per row group, and row groups per file.
const GROUP_ROWS: usize = 100;
const GROUPS: usize = 4;
/// 2026-01-01T00:00:00Z, in seconds.
const BASE: i64 = 1_767_225_600;

/// Row `i`'s time, in nanoseconds: one second apart, and, for nanosecond files, 50 ns past
/// the second on even rows, each group's first among them (kql reads whole ticks of 100 ns,
/// so those read as the second, below the smallest value the statistics give).
fn nanos(i: usize, unit: TimeUnit) -> i64 {
    let seconds = (BASE + i as i64) * 1_000_000_000;
    let off_tick = if unit == TimeUnit::Nanosecond && i.is_multiple_of(2) {
        50
    } else {
        0
    };
    seconds + off_tick
}

/// `T(N: long, Ts: datetime in unit and zone, U: ulong, W: long written as text)` in groups
/// of [`GROUP_ROWS`]; row 0's `U` and row 250's `W` are unreadable when `poisoned`; row
/// 150's `Ts` is null.
fn write_file(path: &Path, unit: TimeUnit, zone: Option<&str>, poisoned: bool) {
    let n = GROUP_ROWS * GROUPS;
    let times = (0..n).map(|i| (i != 150).then(|| nanos(i, unit)));
    let ts: ArrayRef = match unit {
        TimeUnit::Second => Arc::new(TimestampSecondArray::from_iter(
            times.map(|t| t.map(|t| t / 1_000_000_000)),
        )),
        TimeUnit::Millisecond => Arc::new(TimestampMillisecondArray::from_iter(
            times.map(|t| t.map(|t| t / 1_000_000)),
        )),
        TimeUnit::Microsecond => Arc::new(TimestampMicrosecondArray::from_iter(
            times.map(|t| t.map(|t| t / 1_000)),
        )),
        TimeUnit::Nanosecond => Arc::new(TimestampNanosecondArray::from_iter(times)),
    };
    let ts = match zone {
        Some(zone) => {
            arrow::compute::cast(&ts, &DataType::Timestamp(unit, Some(zone.into()))).unwrap()
        }
        None => ts,
    };
    let unreadable = u64::MAX;
    let u = UInt64Array::from_iter_values((0..n).map(|i| {
        if poisoned && i == 0 {
            unreadable
        } else {
            i as u64
        }
    }));
    let w = StringArray::from_iter_values((0..n).map(|i| {
        if poisoned && i == 250 {
            "x".to_string()
        } else {
            i.to_string()
        }
    }));
    let schema = Arc::new(Schema::new(vec![
        Field::new("N", DataType::Int64, false),
        Field::new("Ts", ts.data_type().clone(), true),
        Field::new("U", DataType::UInt64, false),
        KustoType::Long.field("W").with_data_type(DataType::Utf8),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(0..n as i64)),
        ts,
        Arc::new(u),
        Arc::new(w),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(GROUP_ROWS))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Row `i`'s time as a KQL literal, to the second.
fn literal(i: usize) -> String {
    let time = chrono::DateTime::from_timestamp(BASE + i as i64, 0).unwrap();
    format!("datetime({})", time.format("%Y-%m-%dT%H:%M:%SZ"))
}

fn streamed(path: &Path, query: &str) -> Result<Vec<Vec<String>>, Error> {
    streamed_on(path, query, 2)
}

fn streamed_on(path: &Path, query: &str, threads: usize) -> Result<Vec<Vec<String>>, Error> {
    let limits = Limits {
        threads: Some(threads),
        ..Limits::default()
    };
    let mut engine = Engine::new().with_options(Options {
        limits,
        ..Options::default()
    });
    engine.register_file("T", path)?;
    Ok(rows(&engine.run(query)?.tables[0]))
}

fn loaded_whole(path: &Path, query: &str) -> Vec<Vec<String>> {
    let table = load_file(path, &LoadOptions::default()).unwrap();
    let mut engine = Engine::new();
    engine
        .register_schema_batches("T", &table.schema, table.batches)
        .unwrap();
    rows(&engine.run(query).unwrap().tables[0])
}

/// Ranges at and next to the groups' first and last rows, in every form a bound is drawn
/// from, and some it is not drawn from.
fn queries() -> Vec<String> {
    let mut queries = Vec::new();
    for i in [0, 99, 100, 101, 199, 200, 399] {
        let t = literal(i);
        for op in [">=", ">", "<", "<=", "==", "!="] {
            queries.push(format!("T | where Ts {op} {t} | project N, Ts"));
            queries.push(format!("T | where {t} {op} Ts | project N, Ts"));
        }
        let next = literal(i + 99);
        queries.push(format!("T | where Ts between ({t} .. {next}) | project N"));
        queries.push(format!(
            "T | where Ts >= {t} and Ts < {next} and N % 2 == 0 | project N"
        ));
        queries.push(format!("T | where Ts >= {t} or N < 5 | project N"));
        queries.push(format!("T | where Ts >= {t} | where Ts <= {next} | count"));
        queries.push(format!("T | extend Ts = now() | where Ts >= {t} | count"));
    }
    queries.push(format!("T | where Ts > {} | project N", literal(400)));
    queries.push(format!("T | where Ts < {} | project N", literal(0)));
    queries.push("T | where isnull(Ts) | project N".to_string());
    queries
}

#[test]
fn skipping_row_groups_changes_no_answer_in_any_unit() {
    let dir = TempDir::new("answers");
    let units = [
        (TimeUnit::Second, None),
        (TimeUnit::Millisecond, None),
        (TimeUnit::Microsecond, None),
        (TimeUnit::Microsecond, Some("+02:00")),
        (TimeUnit::Nanosecond, None),
    ];
    for (unit, zone) in units {
        let path = dir.0.join(format!("{unit:?}-{}.parquet", zone.is_some()));
        write_file(&path, unit, zone, false);
        for query in queries() {
            let expected = loaded_whole(&path, &query);
            let got = streamed(&path, &query).unwrap();
            assert_eq!(got, expected, "{unit:?} {zone:?}: {query}");
        }
    }
}

#[test]
fn a_row_group_outside_the_range_is_not_read() {
    let dir = TempDir::new("skipped");
    for unit in [
        TimeUnit::Millisecond,
        TimeUnit::Microsecond,
        TimeUnit::Nanosecond,
    ] {
        let path = dir.0.join(format!("{unit:?}.parquet"));
        write_file(&path, unit, None, true);
        // The first group (rows 0-99) holds the unreadable value; `U >= 0` reads it.
        let skipping = format!("T | where Ts >= {} and U >= 0 | project N", literal(100));
        // 300 rows from row 100 on, less row 150, whose time is null.
        assert_eq!(streamed(&path, &skipping).unwrap().len(), 299, "{unit:?}");
        let needing = format!("T | where Ts >= {} and U >= 0 | project N", literal(99));
        let error = streamed(&path, &needing).unwrap_err();
        assert!(matches!(error, Error::Load(_)), "{unit:?}: {error}");
        assert!(error.to_string().contains("`U`"), "{unit:?}: {error}");
    }
}

#[test]
fn a_range_drawn_after_an_extend_or_from_an_or_skips_nothing() {
    let dir = TempDir::new("kept");
    let path = dir.0.join("micros.parquet");
    write_file(&path, TimeUnit::Microsecond, None, true);
    let t = literal(100);
    for query in [
        format!("T | extend M = N | where Ts >= {t} and U >= 0 | project N"),
        format!("T | where (Ts >= {t} or N > 1000) and U >= 0 | project N"),
    ] {
        let error = streamed(&path, &query).unwrap_err();
        assert!(matches!(error, Error::Load(_)), "{query}: {error}");
    }
}

/// Chains that compute with some columns and carry others, keeping few rows of a group (read
/// in two passes), many (read in one), or none.
fn two_pass_queries() -> Vec<String> {
    let t = literal(120);
    vec![
        "T | where N == 7 | project N, Ts, U".to_string(),
        "T | where N % 97 == 3 | extend D = N * 2 | project U, D, Ts".to_string(),
        "T | where N % 97 == 3 | extend N = N + 1".to_string(),
        "T | extend V = N | where V in (5, 150, 399) | project-away N".to_string(),
        "T | where N % 2 == 0 | project N, U".to_string(),
        "T | where N < 0".to_string(),
        "T | where isnull(Ts) or N == 250".to_string(),
        format!("T | where Ts > {t} and N % 50 == 1 | project Ts, U"),
        "T | where N % 97 == 3 | where U > 100 | project N".to_string(),
    ]
}

#[test]
fn carried_columns_read_for_kept_rows_only_change_no_answer() {
    let dir = TempDir::new("two-pass");
    for unit in [TimeUnit::Microsecond, TimeUnit::Nanosecond] {
        let path = dir.0.join(format!("{unit:?}.parquet"));
        write_file(&path, unit, None, false);
        for query in two_pass_queries() {
            let expected = loaded_whole(&path, &query);
            for threads in [1, 3] {
                let got = streamed_on(&path, &query, threads).unwrap();
                assert_eq!(got, expected, "{unit:?} on {threads} threads: {query}");
            }
        }
    }
}

#[test]
fn a_carried_value_is_read_only_in_a_kept_row() {
    let dir = TempDir::new("carried");
    let path = dir.0.join("micros.parquet");
    write_file(&path, TimeUnit::Microsecond, None, true);
    // Row 0's `U` and row 250's `W` are carried, in dropped rows: not read.
    let rows = streamed(&path, "T | where N % 97 == 3 | project N, U, W").unwrap();
    assert_eq!(rows.len(), 5); // rows 3, 100, 197, 294 and 391
    // Kept, they are read, and the error names the row in the file.
    let error = streamed(&path, "T | where N % 97 == 0 | project N, U").unwrap_err();
    assert!(matches!(error, Error::Load(_)), "{error}");
    // Row 250 is the second of the rows kept in its group: 210, 250 and 294.
    let query = "T | where N % 97 == 3 or N == 210 or N == 250 | project N, W";
    let error = streamed(&path, query).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`W`") && message.contains("(row 251)"),
        "{message}"
    );
    // Computed with, it is read in every row, as in a whole read.
    let error = streamed(&path, "T | where U % 97 == 3 | project N").unwrap_err();
    assert!(matches!(error, Error::Load(_)), "{error}");
}

#[test]
fn checking_every_row_reads_what_the_chain_would_skip() {
    let dir = TempDir::new("every-row");
    let path = dir.0.join("micros.parquet");
    write_file(&path, TimeUnit::Microsecond, None, true);
    let checking = |query: &str| {
        let mut engine = Engine::new().with_options(Options {
            check_every_row: true,
            ..Options::default()
        });
        engine.register_file("T", &path)?;
        engine.run(query).map(|result| rows(&result.tables[0]))
    };
    // A row group ruled out by its statistics, and a carried value in a dropped row: read
    // by default...
    let skipped = format!("T | where Ts >= {} and U >= 0 | project N", literal(100));
    let carried = "T | where N % 97 == 3 | project N, U, W";
    assert_eq!(streamed(&path, &skipped).unwrap().len(), 299);
    assert_eq!(streamed(&path, carried).unwrap().len(), 5);
    // ...and errors when every row is checked, as in a whole read.
    for query in [skipped.as_str(), carried] {
        let error = checking(query).unwrap_err();
        assert!(matches!(error, Error::Load(_)), "{query}: {error}");
        assert_eq!(
            error.to_string(),
            load_file(&path, &LoadOptions::default())
                .unwrap_err()
                .to_string(),
            "{query}"
        );
    }
    // Answers are the same.
    let query = format!("T | where Ts > {} | project N, Ts", literal(150));
    let clean = dir.0.join("clean.parquet");
    write_file(&clean, TimeUnit::Microsecond, None, false);
    let mut engine = Engine::new().with_options(Options {
        check_every_row: true,
        ..Options::default()
    });
    engine.register_file("T", &clean).unwrap();
    let got = rows(&engine.run(&query).unwrap().tables[0]);
    assert_eq!(got, loaded_whole(&clean, &query));
}
