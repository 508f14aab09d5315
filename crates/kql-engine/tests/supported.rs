//! Generates SUPPORTED.md: which KQL operators and functions kql runs, found by asking the
//! engine itself, so the page cannot drift from the code.
//!
//! Each operator is probed with a small query; each function with a call that has no
//! arguments (a known function then fails with an argument-count error, an unknown one with
//! a "not supported" error). The function names are kql's own plus every function the
//! conformance cases in tests/conformance/ use.
//!
//! `KQL_BLESS=1 cargo test -p kql-engine --test supported` rewrites the page; without it the
//! test fails when the page is out of date.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kql_engine::Engine;
use kql_parser::DiagnosticKind;

/// Tabular operators with a query that uses each, over `T` (columns `x:long`, `s:string`,
/// `d:dynamic`).
const OPERATORS: &[(&str, &str)] = &[
    ("where", "T | where x > 1"),
    ("extend", "T | extend y = x * 2"),
    ("project", "T | project x"),
    ("project-away", "T | project-away s"),
    ("project-keep", "T | project-keep x"),
    ("project-rename", "T | project-rename y = x"),
    ("project-reorder", "T | project-reorder s"),
    ("summarize", "T | summarize count() by s"),
    ("count", "T | count"),
    ("take", "T | take 1"),
    ("limit", "T | limit 1"),
    ("top", "T | top 1 by x"),
    ("sort", "T | sort by x"),
    ("order", "T | order by x"),
    ("distinct", "T | distinct s"),
    ("union", "T | union T"),
    ("join", "T | join (T) on x"),
    ("lookup", "T | lookup (T) on x"),
    ("mv-expand", "T | mv-expand d"),
    ("parse", "T | parse s with 'a' y"),
    ("as", "T | as U"),
    ("render", "T | render table"),
    ("invoke", "let f = (t:(*)) { t }; T | invoke f()"),
    ("getschema", "T | getschema"),
    ("serialize", "T | serialize"),
    ("evaluate", "T | evaluate bag_unpack(d)"),
    ("datatable", "datatable(a:long)[1]"),
    ("print", "print 1"),
    ("range", "range i from 1 to 3 step 1"),
    ("let", "let U = T; U"),
    ("materialize", "let U = materialize(T); U"),
    ("toscalar", "print toscalar(T | count)"),
];

/// Aggregation functions, probed as `T | summarize f(x)`.
const AGGREGATES: &[&str] = &[
    "count",
    "countif",
    "dcount",
    "dcountif",
    "sum",
    "sumif",
    "avg",
    "avgif",
    "min",
    "max",
    "minif",
    "maxif",
    "make_set",
    "make_set_if",
    "make_list",
    "make_list_if",
    "arg_max",
    "arg_min",
    "take_any",
    "any",
    "make_bag",
    "make_bag_if",
    "percentile",
    "percentiles",
    "stdev",
    "stdevif",
    "variance",
    "variance_if",
    "hll",
    "tdigest",
    "count_distinct",
    "binary_all_and",
    "binary_all_or",
    "make_list_with_nulls",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An engine with the probe table `T`.
fn engine() -> Engine {
    let mut engine = Engine::new();
    let query = "datatable(x:long, s:string, d:dynamic)[1, 'a', dynamic([1]), 2, 'b', dynamic([])]";
    let table = engine
        .run(query)
        .expect("the probe table builds")
        .tables
        .remove(0);
    engine
        .register_schema_batches("T", &table.schema, table.batches)
        .expect("registers");
    engine
}

/// `true` when the engine runs the query or rejects it for another reason than "not
/// supported" (a wrong argument count still proves the name is known).
fn supported(engine: &Engine, query: &str) -> bool {
    match engine.run(query) {
        Ok(_) => true,
        Err(error) => {
            let diagnostics = error.diagnostics();
            !diagnostics.is_empty()
                && diagnostics.iter().all(|d| {
                    d.kind != DiagnosticKind::NotSupported && d.kind != DiagnosticKind::Syntax
                })
        }
    }
}

/// Names of scalar functions the conformance cases use (their `features` that look like
/// function names), minus operators and aggregates.
fn conformance_functions() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in ["duckdb-kql.json", "kql-to-sql.json", "kusto-loco.json"] {
        let path = workspace().join("tests/conformance").join(file);
        let text = std::fs::read_to_string(&path).expect("conformance cases are in the repo");
        let cases: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        for case in cases.as_array().into_iter().flatten() {
            for feature in case["features"].as_array().into_iter().flatten() {
                let Some(name) = feature.as_str() else {
                    continue;
                };
                let is_identifier = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && name.starts_with(|c: char| c.is_ascii_alphabetic());
                if is_identifier {
                    names.insert(name.to_string());
                }
            }
        }
    }
    let operators: BTreeSet<&str> = OPERATORS.iter().map(|(name, _)| *name).collect();
    let words = [
        "has",
        "contains",
        "startswith",
        "endswith",
        "in",
        "between",
        "hasprefix",
    ];
    names.retain(|name| {
        !operators.contains(name.as_str())
            && !AGGREGATES.contains(&name.as_str())
            && !words.iter().any(|w| name.starts_with(w))
    });
    names
}

fn render() -> String {
    let engine = engine();
    let mut out = String::new();
    out.push_str("# What kql supports\n\n");
    out.push_str(
        "<!-- Generated by crates/kql-engine/tests/supported.rs; do not edit by hand. -->\n\n",
    );
    out.push_str(
        "Found by probing the engine: each operator runs a small query, each function is called\n\
         with no arguments (a known function then fails only on its argument count). Anything\n\
         marked *no* is refused with a \"not supported yet\" error naming it, never answered\n\
         wrongly. How well the supported features agree with Kusto's recorded answers is in\n\
         [CONFORMANCE.md](CONFORMANCE.md).\n\n\
         Regenerate with `KQL_BLESS=1 cargo test -p kql-engine --test supported`.\n\n",
    );

    out.push_str("## Tabular operators\n\n| operator | supported |\n|---|---|\n");
    for (name, query) in OPERATORS {
        let yes = supported(&engine, query);
        out.push_str(&format!(
            "| `{name}` | {} |\n",
            if yes { "yes" } else { "no" }
        ));
    }

    out.push_str("\n## Aggregation functions\n\n| function | supported |\n|---|---|\n");
    for name in AGGREGATES {
        let args = if *name == "count" { "" } else { "x" };
        let yes = supported(&engine, &format!("T | summarize {name}({args})"));
        out.push_str(&format!(
            "| `{name}` | {} |\n",
            if yes { "yes" } else { "no" }
        ));
    }

    let mut functions = conformance_functions();
    functions.extend(kql_engine::functions::names().map(String::from));
    for special in [
        "ago",
        "now",
        "replace_regex",
        "not",
        "column_ifexists",
        "column_names_of",
        "toscalar",
    ] {
        functions.insert(special.to_string());
    }
    let (yes, no): (Vec<String>, Vec<String>) = functions
        .into_iter()
        .partition(|name| supported(&engine, &format!("print {name}()")));
    out.push_str(&format!(
        "\n## Scalar functions\n\nSupported ({}):\n\n",
        yes.len()
    ));
    out.push_str(&wrap(&yes));
    out.push_str(&format!(
        "\nNot supported yet ({}; names from the conformance cases):\n\n",
        no.len()
    ));
    out.push_str(&wrap(&no));
    out
}

/// Names in backticks, comma-separated, wrapped at about 100 columns.
fn wrap(names: &[String]) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for (index, name) in names.iter().enumerate() {
        let item = format!("`{name}`{}", if index + 1 < names.len() { "," } else { "" });
        if !line.is_empty() && line.len() + item.len() + 1 > 100 {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
        }
        line.push_str(&item);
        line.push(' ');
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[test]
fn supported_md_is_up_to_date() {
    let path = workspace().join("SUPPORTED.md");
    let generated = render();
    if std::env::var_os("KQL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("SUPPORTED.md is writable");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "SUPPORTED.md is out of date: regenerate it with \
         `KQL_BLESS=1 cargo test -p kql-engine --test supported`"
    );
}
