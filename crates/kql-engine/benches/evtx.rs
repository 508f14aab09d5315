//! Loading Windows event logs: kql's `.evtx` loader against a whole-file parse with the same
//! crate (every record's JSON value collected, the floor any loader built on it starts
//! from), in events per second, and the peak memory of each.
//!
//! Run with `cargo bench -p kql-engine --bench evtx`; `BENCHMARKS.md` has the figures. Before
//! the timings the bench prints the peak resident memory of each way of reading a log 16
//! times the size of the largest real one, each measured in a process of its own (Linux only).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group};
use evtx::EvtxParser;
use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadOptions, load_file};

/// The real Bits-Client log (1,537 events in 16 chunks, 1.1 MB).
const BITS: &str = "sbousseaden__bits_openvpn.evtx";
/// The real Sysmon log (565 events, 511 of them process creations, 1.1 MB).
const SYSMON: &str = "sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx";
/// How many copies of the Bits-Client log's chunks the large log holds.
const COPIES: usize = 16;
/// Set in the child processes that measure memory: which way to read the large log.
const MEMORY_MODE: &str = "KQL_EVTX_BENCH_MEMORY";

/// A real log of `queries/bits/evtx/`.
fn log(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../queries/bits/evtx")
        .join(name)
}

/// Every record of the file as the crate's JSON value, all held at once, as a loader that
/// parses the whole file before building its table holds them.
fn parse_whole_file(path: &Path) -> usize {
    let mut parser = EvtxParser::from_path(path).expect("a log");
    let records: Vec<_> = parser
        .records_json_value()
        .map(|record| record.expect("a record"))
        .collect();
    black_box(&records);
    records.len()
}

/// The file loaded as the table `table` would be, all columns or only `columns`.
fn load(path: &Path, table: &str, columns: Option<&[String]>) -> usize {
    let catalog = Catalog::builtin();
    let options = LoadOptions {
        schema: catalog.get(table),
        columns,
        ..LoadOptions::default()
    };
    let loaded = load_file(path, &options).expect("a table");
    black_box(&loaded);
    loaded.num_rows()
}

/// The two columns of the narrow load: what `WindowsEvent | summarize count() by EventID`
/// would read if the engine read event logs lazily, as it reads Parquet.
fn few_columns() -> Vec<String> {
    vec!["TimeGenerated".to_string(), "EventID".to_string()]
}

/// The Bits-Client log with its chunks repeated `COPIES` times: a valid log of 16 MB. The
/// record ids repeat, which nothing here reads; the header's chunk count and checksum are
/// set to match.
fn large_log() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evtx-bench-large.evtx");
    if path.exists() {
        return path;
    }
    let bytes = std::fs::read(log(BITS)).expect("the Bits-Client log");
    let (header, chunks) = bytes.split_at(4096);
    let mut header = header.to_vec();
    let count = (chunks.len() / 65536 * COPIES) as u16;
    header[16..24].copy_from_slice(&u64::from(count - 1).to_le_bytes());
    header[42..44].copy_from_slice(&count.to_le_bytes());
    let checksum = evtx::checksum_ieee(&header[..120]);
    header[124..128].copy_from_slice(&checksum.to_le_bytes());
    let mut large = header;
    for _ in 0..COPIES {
        large.extend_from_slice(chunks);
    }
    std::fs::write(&path, large).expect("write the large log");
    path
}

/// Reads the large log one way and prints the process's peak resident memory.
fn measure_memory(mode: &str) {
    let path = large_log();
    let few = few_columns();
    let rows = match mode {
        "nothing" => 0,
        "crate_json_values" => parse_whole_file(&path),
        "load_windows_event" => load(&path, "WindowsEvent", None),
        "load_windows_event_2_columns" => load(&path, "WindowsEvent", Some(&few)),
        other => panic!("no memory mode {other}"),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map_or("unknown".to_string(), |kib| kib.trim().to_string());
    println!("{rows} {peak}");
}

/// Each way of reading the large log, in a child process, so that no peak hides another.
fn report_memory() {
    let Ok(me) = std::env::current_exe() else {
        return;
    };
    let size = std::fs::metadata(large_log()).map_or(0, |m| m.len());
    println!("peak resident memory reading a {size}-byte log ({COPIES} x {BITS}):");
    for mode in [
        "nothing",
        "crate_json_values",
        "load_windows_event",
        "load_windows_event_2_columns",
    ] {
        let output = Command::new(&me).env(MEMORY_MODE, mode).output();
        let text = output.map_or_else(
            |error| error.to_string(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        );
        println!("  {mode:<30} rows, peak: {text}");
    }
}

fn evtx_loading(c: &mut Criterion) {
    let few = few_columns();
    let large = large_log();
    let logs = [
        ("bits_client", log(BITS)),
        ("sysmon", log(SYSMON)),
        ("bits_client_x16", large),
    ];
    for (name, path) in &logs {
        let records = parse_whole_file(path) as u64;
        let mut group = c.benchmark_group(format!("evtx/{name}"));
        group.throughput(Throughput::Elements(records));
        if *name == "bits_client_x16" {
            group.sample_size(10);
        }
        group.bench_function("crate_json_values", |b| b.iter(|| parse_whole_file(path)));
        group.bench_function("load_windows_event", |b| {
            b.iter(|| load(path, "WindowsEvent", None))
        });
        group.bench_function("load_windows_event_2_columns", |b| {
            b.iter(|| load(path, "WindowsEvent", Some(&few)))
        });
        if *name == "sysmon" {
            group.bench_function("load_device_process_events", |b| {
                b.iter(|| load(path, "DeviceProcessEvents", None))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, evtx_loading);

/// Criterion's main, after the memory report; a child process measures one mode and ends.
fn main() {
    if let Ok(mode) = std::env::var(MEMORY_MODE) {
        measure_memory(&mode);
        return;
    }
    report_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
