//! One engine, many threads: `Engine` is `Send + Sync`, and queries running at the same time
//! on it share no mutable state, so each gets the answer it gets alone.

use std::path::PathBuf;
use std::thread;

use kql_engine::{Engine, Options};

mod common;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn the_engine_is_send_and_sync() {
    assert_send_sync::<Engine>();
    assert_send_sync::<kql_engine::QueryResult>();
    assert_send_sync::<kql_engine::Error>();
}

/// The BITS sample tables: CSV files read lazily, so each run reads and prunes them itself.
fn sample_engine() -> Engine {
    let sample = common::workspace().join("queries/bits/sample");
    let mut engine = Engine::new().with_options(Options {
        now: Some(1_796_990_400_000_000_000), // 2026-12-10T12:00:00Z
        allow_missing_columns: true,
        ..Options::default()
    });
    for table in ["SecurityEvent", "DeviceProcessEvents", "DeviceEvents"] {
        let path: PathBuf = sample.join(format!("{table}.csv"));
        engine.register_file(table, &path).unwrap();
    }
    engine
}

#[test]
fn concurrent_queries_on_one_engine_get_their_own_answers() {
    let engine = sample_engine();
    let hunt =
        std::fs::read_to_string(common::workspace().join("queries/bits/bits_jobs.kql")).unwrap();
    let queries: Vec<String> = vec![
        hunt,
        "SecurityEvent | summarize n = count() by Computer | sort by Computer asc".into(),
        "DeviceProcessEvents | where ProcessCommandLine has 'bitsadmin' | count".into(),
        "set truncationmaxrecords = 1;\nSecurityEvent | project Computer".into(),
        "SecurityEvent | where NoSuchColumn == 1 | count".into(),
        "range x from 1 to 20000 step 1 | summarize sum(x)".into(),
    ];
    let alone: Vec<String> = queries.iter().map(|q| outcome(&engine, q)).collect();
    assert!(
        alone[0].contains("bitsadmin"),
        "the hunt finds rows: {}",
        alone[0]
    );

    thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let (engine, queries, alone) = (&engine, &queries, &alone);
                scope.spawn(move || {
                    for round in 0..2 {
                        // Each worker goes through the queries in its own order.
                        for step in 0..queries.len() {
                            let index = (worker + round + step) % queries.len();
                            assert_eq!(outcome(engine, &queries[index]), alone[index]);
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
    });
}

/// A run's answer as text: its rows and warnings, or its error.
fn outcome(engine: &Engine, query: &str) -> String {
    match engine.run(query) {
        Ok(result) => {
            let tables: Vec<_> = result.tables.iter().map(common::rows).collect();
            let warnings: Vec<_> = result.warnings.iter().map(|w| w.to_string()).collect();
            format!("{tables:?} {warnings:?}")
        }
        Err(error) => format!("error: {error}"),
    }
}
