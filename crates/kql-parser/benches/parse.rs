//! Parse throughput: the seed BITS hunt, and a generated query of about 1 MB with 2,000
//! piped operators.
//!
//! Run with `cargo bench -p kql-parser`, or `cargo bench -p kql-parser -- --quick` for a
//! short measurement.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The seed query, as the golden folder holds it.
const SEED: &str = include_str!("../tests/golden/bits_jobs.kql");

/// How many `let` statements the large query has.
const STATEMENTS: usize = 10;
/// How many operators each of them pipes.
const OPERATORS_PER_STATEMENT: usize = 200;

/// A detection-style query: `STATEMENTS` pipelines of `OPERATORS_PER_STATEMENT` operators,
/// each padded with a list of indicators to about 500 bytes. Pipelines are kept apart in
/// `let` statements because one pipeline may not nest deeper than `kql_parser::MAX_DEPTH`.
fn large_query() -> String {
    let mut text = String::new();
    for statement in 0..STATEMENTS {
        let _ = writeln!(text, "let Hunt{statement} = DeviceProcessEvents");
        for operator in 0..OPERATORS_PER_STATEMENT {
            let indicators: Vec<String> = (0..20)
                .map(|i| format!("\"tool{statement}_{operator}_{i}.exe\""))
                .collect();
            let indicators = indicators.join(", ");
            let line = match operator % 5 {
                0 => format!(
                    "| where Timestamp > ago(7d) and FileName in~ ({indicators}) \
                     and not(InitiatingProcessFileName =~ \"explorer.exe\")"
                ),
                1 => format!(
                    "| extend Cmd{operator} = replace_regex(ProcessCommandLine, @'[\\^\"]', ''), \
                     Hit{operator} = ProcessCommandLine has_any ({indicators})"
                ),
                2 => format!(
                    "| where ProcessCommandLine matches regex @'(?i)download\\s+{operator}' \
                     or FolderPath startswith_cs \"C:\\\\Users\\\\\" or SHA256 in ({indicators})"
                ),
                3 => format!(
                    "| summarize Count{operator} = count(), Hosts = make_set(DeviceName, 100) \
                     by AccountName, bin(Timestamp, 1h), \
                     Tool = tostring(dynamic([{indicators}])[0])"
                ),
                _ => format!(
                    "| project-away Cmd*, Hit* | where isnotempty(AccountName) and \
                     AccountName !in ({indicators})"
                ),
            };
            let _ = writeln!(text, "{line}");
        }
        text.push_str(";\n");
    }
    let hunts: Vec<String> = (0..STATEMENTS)
        .map(|statement| format!("Hunt{statement}"))
        .collect();
    let _ = writeln!(text, "union {}\n| take 100", hunts.join(", "));
    text
}

fn parse_benchmarks(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");

    group.throughput(Throughput::Bytes(SEED.len() as u64));
    group.bench_function("seed_bits_jobs", |b| {
        b.iter(|| kql_parser::parse(black_box(SEED)).map(|query| query.statements.len()))
    });

    let large = large_query();
    if let Err(error) = kql_parser::parse(&large) {
        panic!(
            "the generated query must parse:\n{}",
            error.render(&large, "large")
        );
    }
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.sample_size(10);
    group.bench_function("generated_1mb_2000_operators", |b| {
        b.iter(|| kql_parser::parse(black_box(&large)).map(|query| query.statements.len()))
    });
    group.finish();
}

criterion_group!(benches, parse_benchmarks);
criterion_main!(benches);
