//! The 2,040 queries of the workspace's Kusto conformance corpus (`tests/conformance/*.json`,
//! real Kusto syntax from three public projects) as parser input: every query that parses
//! must survive the display round trip, and the number that parse may only go up. The
//! queries that fail use syntax kql does not parse yet (`make-series`, `scan`, `mv-apply`,
//! `search`, `view`...), or were rejected by Kusto too.

mod common;

use std::fs;
use std::path::Path;

use common::assert_round_trip;

/// How many corpus queries parse today. Raise it when the grammar learns more; lower it only
/// for queries Kusto rejects too (such as `print -9223372036854775808` or `extend first = 1`).
const PARSED_AT_LEAST: usize = 1_854;

/// The `query` fields of the corpus files, with the file they come from.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let mut queries = Vec::new();
    for file in ["duckdb-kql.json", "kql-to-sql.json", "kusto-loco.json"] {
        let Ok(text) = fs::read_to_string(dir.join(file)) else {
            continue;
        };
        let cases: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|error| panic!("{file}: {error}"));
        for case in cases.as_array().into_iter().flatten() {
            if let Some(query) = case.get("query").and_then(|query| query.as_str()) {
                let id = case.get("id").and_then(|id| id.as_str()).unwrap_or("?");
                queries.push((format!("{file}:{id}"), query.to_string()));
            }
        }
    }
    queries
}

#[test]
fn corpus_queries_parse_and_round_trip() {
    let corpus = corpus();
    if corpus.is_empty() {
        return; // The corpus is not in this checkout.
    }
    let mut parsed = 0;
    let mut failures = Vec::new();
    for (id, query) in &corpus {
        let Ok(ast) = kql_parser::parse(query) else {
            continue;
        };
        parsed += 1;
        if std::panic::catch_unwind(|| assert_round_trip(&ast)).is_err() {
            failures.push(format!("{id}: the round trip fails:\n{query}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        parsed >= PARSED_AT_LEAST,
        "only {parsed} of {} corpus queries parse, fewer than {PARSED_AT_LEAST}",
        corpus.len()
    );
}
