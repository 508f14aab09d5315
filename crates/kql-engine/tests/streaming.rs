//! `where`/`extend` chains over files stream through their parts on several threads
//! (`exec/stream.rs`): the answers, and the errors, must be the ones of the same files loaded
//! whole first, on any number of threads.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{TempDir, rows};
use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadOptions, load_file};
use kql_engine::{Engine, Error, Limits, Options};

/// More than one loader batch (8192 rows) and one Parquet row group (131,072 rows).
const ROWS: u64 = 140_000;

const HUNT_PART: &str = "SecurityEvent
| where TimeGenerated >= datetime(2026-09-01)
| extend Clean = replace_regex(CommandLine, @'(\\^|(\")+|\\$|%|\\+)', '')
| where Clean matches regex @'(.*)bitsadmin(.+)(download |upload )(.*)' or Clean has 'BITS'
| project TimeGenerated, Computer, Clean";

/// The generated `SecurityEvent` table as a file of `format`.
fn security_events(dir: &Path, format: &str) -> PathBuf {
    use kql_datagen::tables::{Layout, Table, batch};
    use kql_datagen::write::Sink;
    let layout = Layout {
        rows: ROWS,
        seed: 7,
        end: 1_795_737_600_000_000,
        span_days: 120,
    };
    let path = dir.join(format!("SecurityEvent.{format}"));
    let schema = Table::SecurityEvent.schema();
    let mut sink = match format {
        "csv" => Sink::csv(&path, &schema),
        _ => Sink::parquet(&path, &schema),
    }
    .unwrap();
    sink.write(&batch(&layout, Table::SecurityEvent, 0, ROWS).unwrap())
        .unwrap();
    sink.finish().unwrap();
    path
}

fn engine(threads: usize) -> Engine {
    let limits = Limits {
        threads: Some(threads),
        ..Limits::default()
    };
    Engine::new().with_options(Options {
        limits,
        ..Options::default()
    })
}

/// The query's rows over `path` streamed on `threads` threads.
fn streamed(path: &Path, query: &str, threads: usize) -> Result<Vec<Vec<String>>, Error> {
    let mut engine = engine(threads);
    engine.register_file("SecurityEvent", path)?;
    let result = engine.run(query)?;
    Ok(rows(&result.tables[0]))
}

/// The query's rows over the same file loaded whole, then given as batches.
fn loaded_whole(path: &Path, query: &str) -> Vec<Vec<String>> {
    let catalog = Catalog::builtin();
    let options = LoadOptions {
        schema: catalog.get("SecurityEvent"),
        ..LoadOptions::default()
    };
    let table = load_file(path, &options).unwrap();
    let mut engine = engine(1);
    engine
        .register_schema_batches("SecurityEvent", &table.schema, table.batches)
        .unwrap();
    rows(&engine.run(query).unwrap().tables[0])
}

#[test]
fn streamed_answers_are_the_whole_tables_answers_on_any_number_of_threads() {
    let dir = TempDir::new("answers");
    for format in ["csv", "parquet"] {
        let path = security_events(&dir.0, format);
        let expected = loaded_whole(&path, HUNT_PART);
        assert!(expected.len() > 50, "{format}: {} rows", expected.len());
        for threads in [1, 2, 5] {
            let got = streamed(&path, HUNT_PART, threads).unwrap();
            assert_eq!(got, expected, "{format} on {threads} threads");
        }
    }
}

/// A CSV file of `SecurityEvent` rows, one per `(time, command line)`.
fn csv_file(dir: &Path, name: &str, rows: &[(String, String)]) -> PathBuf {
    let mut text = String::from("TimeGenerated,Computer,CommandLine\n");
    for (time, line) in rows {
        writeln!(text, "{time},HOST,{line}").unwrap();
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ordinary_rows(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            let line = if i % 997 == 0 {
                format!("bitsadmin /transfer j{i} /download http://x/{i}")
            } else {
                format!("svchost.exe -k netsvcs -p -s Service{i}")
            };
            (format!("2026-10-{:02}T10:00:00Z", 1 + i % 28), line)
        })
        .collect()
}

#[test]
fn the_error_reported_is_the_one_a_whole_read_meets_first() {
    let dir = TempDir::new("errors");
    let mut rows = ordinary_rows(30_000);
    // A value that does not convert early, a record that cannot be split later: a whole
    // read splits every record before converting any value, so it reports the record.
    rows[3_000].0 = "yesterday".to_string();
    rows[25_000].1 = "a,b".to_string();
    let path = csv_file(&dir.0, "SecurityEvent.csv", &rows);
    let catalog = Catalog::builtin();
    let options = LoadOptions {
        schema: catalog.get("SecurityEvent"),
        ..LoadOptions::default()
    };
    let whole = load_file(&path, &options).unwrap_err();
    assert_eq!(whole.line, Some(25_002));
    for threads in [1, 3] {
        match streamed(&path, HUNT_PART, threads) {
            Err(Error::Load(error)) => assert_eq!(error, whole, "{threads} threads"),
            other => panic!("{threads} threads: {other:?}"),
        }
    }

    // Only the value: its own line.
    rows[25_000].1 = "fine".to_string();
    let path = csv_file(&dir.0, "SecurityEvent.csv", &rows);
    let whole = load_file(&path, &options).unwrap_err();
    assert_eq!(whole.line, Some(3_002));
    match streamed(&path, HUNT_PART, 2) {
        Err(Error::Load(error)) => assert_eq!(error, whole),
        other => panic!("{other:?}"),
    }
}

#[test]
fn day_first_dates_decided_late_in_the_file_are_read_as_a_whole_read_reads_them() {
    let dir = TempDir::new("dates");
    let mut rows = ordinary_rows(20_000);
    // Ambiguous early, decided day-first by a value near the end of the file.
    rows[10].0 = "03/10/2026 10:00".to_string();
    rows[19_000].0 = "25/10/2026 10:00".to_string();
    let path = csv_file(&dir.0, "SecurityEvent.csv", &rows);
    let query = "SecurityEvent | where TimeGenerated >= datetime(2026-10-02) | count";
    let expected = loaded_whole(&path, query);
    for threads in [1, 2] {
        assert_eq!(streamed(&path, query, threads).unwrap(), expected);
    }
    let early = "SecurityEvent | where TimeGenerated == datetime(2026-10-03T10:00:00Z) | count";
    assert_eq!(
        streamed(&path, early, 2).unwrap(),
        loaded_whole(&path, early)
    );
}

/// Chains keeping a few rows of each part (read in two passes: the carried columns of the
/// kept rows only), many (read in one), or none.
const SELECTIVE: [&str; 5] = [
    "SecurityEvent | where CommandLine has 'bitsadmin' | project Computer, Account, TimeGenerated",
    "SecurityEvent | where strlen(CommandLine) % 50 == 3 | extend N = strlen(NewProcessName)",
    "SecurityEvent | where strlen(CommandLine) % 3 == 0 | project-away CommandLine",
    "SecurityEvent | where CommandLine == 'no such line'",
    "SecurityEvent | extend C = tolower(CommandLine) | where C has 'powershell' | project C",
];

#[test]
fn chains_keeping_few_or_many_rows_give_the_whole_tables_answers() {
    let dir = TempDir::new("selective");
    for format in ["csv", "parquet"] {
        let path = security_events(&dir.0, format);
        for query in SELECTIVE {
            let expected = loaded_whole(&path, query);
            for threads in [1, 3] {
                let got = streamed(&path, query, threads).unwrap();
                assert_eq!(got, expected, "{format} on {threads} threads: {query}");
            }
        }
    }
}

#[test]
fn a_bad_value_in_a_carried_column_is_an_error_only_in_a_kept_row() {
    let dir = TempDir::new("carried");
    let write = |bad_row: usize| {
        let mut text = String::from("TimeGenerated,Computer,EventID,CommandLine\n");
        for (i, (time, line)) in ordinary_rows(20_000).iter().enumerate() {
            let event = if i == bad_row {
                "x".to_string()
            } else {
                "4688".to_string()
            };
            writeln!(text, "{time},HOST,{event},{line}").unwrap();
        }
        let path = dir.0.join("SecurityEvent.csv");
        std::fs::write(&path, text).unwrap();
        path
    };
    let query =
        "SecurityEvent | where CommandLine has 'bitsadmin' | project TimeGenerated, EventID";
    // Row 5 is dropped: its `EventID` is never converted.
    let path = write(5);
    assert_eq!(streamed(&path, query, 2).unwrap().len(), 21);
    // Row 997 is kept (its command line runs bitsadmin): line 999 of the file.
    let path = write(997);
    match streamed(&path, query, 2) {
        Err(Error::Load(error)) => {
            assert_eq!(error.line, Some(999), "{error}");
            assert_eq!(error.column.as_deref(), Some("EventID"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    // Computed with, it is converted in every row, as in a whole read.
    let path = write(5);
    let computing = "SecurityEvent | where EventID == 4688 and CommandLine has 'bitsadmin'";
    assert!(matches!(streamed(&path, computing, 2), Err(Error::Load(_))));
}
