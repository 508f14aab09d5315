//! Benchmarks of the BITS hunt's hot kernels (`queries/bits/bits_jobs.kql`) on the rows of
//! `kql-datagen`: loading the used columns of CSV and Parquet, `replace_regex` with the hunt's
//! deobfuscation pattern, `matches regex` with its two BITS patterns, the full outer join, and
//! the whole hunt over files.
//!
//! Run with `cargo bench -p kql-engine --bench hunt`. The end-to-end comparison with other
//! engines is `bench/run.sh`; speed targets live there and here, never in tests.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use kql_datagen::tables::{self, Layout, Table};
use kql_datagen::write::Sink;
use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadOptions, load_file};
use kql_engine::{Engine, Options};

/// Rows per table.
const ROWS: u64 = 100_000;

const BITS_CMD: &str = r"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)";
const BITS_PWSH: &str =
    r"(.*)Start-BitsTransfer(.+)(((destination |source ).+){2}|Asynchronous |TransferType )(.*)";
const CLEAR_OBF: &str = r#"(\^|(")+|\$|%|\+|("\+"))"#;

/// The hunt's columns of `DeviceEvents`.
const COLUMNS: [&str; 7] = [
    "TimeGenerated",
    "DeviceName",
    "AccountName",
    "ProcessCommandLine",
    "InitiatingProcessCommandLine",
    "InitiatingProcessAccountName",
    "InitiatingProcessAccountUpn",
];

/// Writes the three tables as CSV and Parquet under a temporary folder, once per run.
fn data() -> PathBuf {
    let folder = std::env::temp_dir().join(format!("kql-bench-hunt-{ROWS}"));
    let layout = Layout {
        rows: ROWS,
        seed: 1,
        end: 1_795_737_600_000_000, // 2026-11-27T00:00:00Z
        span_days: 120,
    };
    for format in ["csv", "parquet"] {
        std::fs::create_dir_all(folder.join(format)).expect("the temporary folder is writable");
        for table in Table::ALL {
            let path = folder
                .join(format)
                .join(format!("{}.{format}", table.name()));
            if path.exists() {
                continue;
            }
            let schema = table.schema();
            let mut sink = match format {
                "csv" => Sink::csv(&path, &schema),
                _ => Sink::parquet(&path, &schema),
            }
            .expect("the file can be created");
            let batch = tables::batch(&layout, table, 0, ROWS).expect("the rows build");
            sink.write(&batch).expect("the rows are written");
            sink.finish().expect("the file is closed");
        }
    }
    folder
}

fn load(path: &Path) -> usize {
    let catalog = Catalog::builtin();
    let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let options = LoadOptions {
        schema: catalog.get("DeviceEvents"),
        columns: Some(&columns),
        ..LoadOptions::default()
    };
    load_file(path, &options)
        .expect("the file loads")
        .num_rows()
}

/// `DeviceEvents` in memory, with the hunt's columns.
fn in_memory(folder: &Path, threads: usize) -> Engine {
    let limits = kql_engine::Limits {
        threads: Some(threads),
        ..kql_engine::Limits::default()
    };
    let options = Options {
        limits,
        ..Options::default()
    };
    let mut engine = Engine::new().with_options(options);
    let catalog = Catalog::builtin();
    let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let load = LoadOptions {
        schema: catalog.get("DeviceEvents"),
        columns: Some(&columns),
        ..LoadOptions::default()
    };
    let path = folder.join("parquet/DeviceEvents.parquet");
    let table = load_file(&path, &load).expect("the file loads");
    engine
        .register_schema_batches("DeviceEvents", &table.schema, table.batches)
        .expect("the table registers");
    engine
}

fn rows(engine: &Engine, query: &str) -> usize {
    let result = engine.run(query).expect("the benchmark query runs");
    result.tables.iter().map(|table| table.num_rows()).sum()
}

fn kernels(c: &mut Criterion) {
    let folder = data();
    let mut group = c.benchmark_group("hunt kernels, 100k rows");
    group.sample_size(10);

    group.bench_function("load parquet", |b| {
        b.iter(|| black_box(load(&folder.join("parquet/DeviceEvents.parquet"))))
    });
    group.bench_function("load csv", |b| {
        b.iter(|| black_box(load(&folder.join("csv/DeviceEvents.csv"))))
    });

    for threads in [1, 2] {
        let engine = in_memory(&folder, threads);
        let queries = [
            (
                "replace_regex",
                format!(
                    "DeviceEvents | extend D = replace_regex(InitiatingProcessCommandLine, \
                     @'{CLEAR_OBF}', '') | where D has 'bitsadmin' | count"
                ),
            ),
            (
                "matches regex",
                format!(
                    "DeviceEvents | where InitiatingProcessCommandLine matches regex @'{BITS_CMD}' \
                     or InitiatingProcessCommandLine matches regex @'{BITS_PWSH}' | count"
                ),
            ),
            (
                "join fullouter",
                "let L = DeviceEvents | take 20000; L | join kind=fullouter (L | take 10000) \
                 on TimeGenerated | count"
                    .to_string(),
            ),
        ];
        for (name, query) in &queries {
            let id = format!("{name}, {threads} thread(s)");
            group.bench_function(id, |b| b.iter(|| black_box(rows(&engine, query))));
        }
    }

    let query = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/bits/bits_jobs.kql"),
    )
    .expect("the hunt is in the repository");
    for format in ["parquet", "csv"] {
        let mut engine = Engine::new().with_options(Options {
            now: Some(1_795_780_800_000_000_000), // 2026-11-27T12:00:00Z
            allow_missing_columns: true,
            ..Options::default()
        });
        for table in Table::ALL {
            let path = folder
                .join(format)
                .join(format!("{}.{format}", table.name()));
            engine
                .register_file(table.name(), &path)
                .expect("the file registers");
        }
        group.bench_function(format!("whole hunt, {format}"), |b| {
            b.iter(|| black_box(rows(&engine, &query)))
        });
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
