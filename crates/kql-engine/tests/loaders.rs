//! Loading real and crafted files: formats, typing, projection and error positions.
//!
//! Real files live in `tests/data/` (sources in `tests/data/README.md`); crafted ones are
//! written to a temporary directory by the test that needs them.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, DictionaryArray, DurationSecondArray,
    Float32Array, Int16Array, LargeStringArray, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray, UInt64Array,
};
use arrow::datatypes::{
    DataType, Field, Float64Type, Int32Type, Int64Type, TimestampNanosecondType,
};
use parquet::arrow::ArrowWriter;

use common::TempDir;
use kql_engine::catalog::{Catalog, ColumnSchema, TableSchema};
use kql_engine::source::{LoadError, LoadOptions, LoadedTable, load_file};
use kql_engine::types::KustoType;

// ---- helpers -------------------------------------------------------------------------------

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn load(path: &Path) -> LoadedTable {
    load_with(path, &LoadOptions::default())
}

fn load_with(path: &Path, options: &LoadOptions) -> LoadedTable {
    load_file(path, options).unwrap_or_else(|e| panic!("{e}"))
}

fn load_error(path: &Path, options: &LoadOptions) -> LoadError {
    match load_file(path, options) {
        Ok(table) => panic!("expected an error, loaded {} rows", table.num_rows()),
        Err(e) => e,
    }
}

fn schema_of(catalog: &Catalog, table: &str) -> TableSchema {
    catalog
        .get(table)
        .unwrap_or_else(|| panic!("no builtin {table}"))
        .clone()
}

/// The whole table as one batch.
fn single(table: &LoadedTable) -> RecordBatch {
    arrow::compute::concat_batches(&table.schema, &table.batches).unwrap()
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column `{name}`"))
}

fn kusto_type(table: &LoadedTable, name: &str) -> KustoType {
    let field = table
        .schema
        .field_with_name(name)
        .unwrap_or_else(|e| panic!("{e}"));
    KustoType::of_field(field).unwrap()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    column(batch, name)
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// Nanoseconds since the epoch of an ISO 8601 UTC instant.
fn instant(text: &str) -> i64 {
    let parsed = chrono::DateTime::parse_from_rfc3339(text).unwrap();
    parsed.timestamp_nanos_opt().unwrap()
}

fn datetimes(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let array = column(batch, name);
    assert_eq!(array.data_type(), &KustoType::DateTime.to_arrow());
    array
        .as_primitive::<TimestampNanosecondType>()
        .iter()
        .collect()
}

fn names(table: &LoadedTable) -> Vec<String> {
    table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

// ---- real CSV exports ----------------------------------------------------------------------

#[test]
fn portal_security_event_csv_with_its_schema() {
    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "SecurityEvent");
    let path =
        data("Azure-Sentinel__ASIM__Microsoft_Security_Events_Authentication_IngestedLogs.csv");
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(table.num_rows(), 21);

    // Schema columns first, in schema order, then the file's extra columns in file order.
    let names = names(&table);
    let schema_names: Vec<_> = schema.columns.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names[..schema_names.len()], schema_names[..]);
    let extra = &names[schema_names.len()..];
    let expected_extra = [
        "PartitionKey",
        "RowKey",
        "AzureTableName",
        "AccessList",
        "AccessReason",
        "ImpersonationLevel",
        "EventOriginId",
        "MG",
        "TimeCollected",
        "_ResourceId",
    ];
    assert_eq!(extra, expected_extra);

    let batch = single(&table);
    // `TimeGenerated [UTC]` is `TimeGenerated`; `10/18/2024, 9:29:21.125 AM` is month first.
    assert_eq!(
        datetimes(&batch, "TimeGenerated")[0],
        Some(instant("2024-10-18T09:29:21.125Z"))
    );
    // An extra column is typed by inference: the portal's dates are datetimes too.
    assert_eq!(kusto_type(&table, "TimeCollected"), KustoType::DateTime);
    assert_eq!(kusto_type(&table, "EventID"), KustoType::Int);
    let event_ids = column(&batch, "EventID").as_primitive::<Int32Type>();
    assert_eq!(event_ids.value(0), 4625);
    // Empty cells: null in int columns, "" in string columns, never null in strings.
    assert_eq!(column(&batch, "AuditsDiscarded").null_count(), 21);
    assert_eq!(column(&batch, "AccessMask").null_count(), 0);
    // Excel's damage is data, kept as it is.
    assert!(
        strings(&batch, "Account")
            .iter()
            .any(|a| a.as_deref() == Some("#NAME?"))
    );
    for field in table.schema.fields() {
        if KustoType::of_field(field) == Some(KustoType::String) {
            assert_eq!(
                column(&batch, field.name()).null_count(),
                0,
                "{}",
                field.name()
            );
        }
    }
}

#[test]
fn portal_csv_with_day_first_dates() {
    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "DeviceProcessEvents");
    let path = data(concat!(
        "Azure-Sentinel__ASIM__Microsoft_M365_Defender_for_Endpoint_",
        "ProcessEvent_IngestedLogs.excerpt.csv"
    ));
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    let batch = single(&table);
    assert_eq!(batch.num_rows(), 3);
    // `26/03/2026, 15:18:18.790`: 26 cannot be a month, so the column is day first.
    assert_eq!(
        datetimes(&batch, "Timestamp")[0],
        Some(instant("2026-03-26T15:18:18.790Z"))
    );
    assert_eq!(column(&batch, "ProcessCreationTime").null_count(), 3);
    let remote = column(&batch, "IsProcessRemoteSession");
    assert!(!remote.as_boolean().value(0)); // Excel's `FALSE`
    let bag = strings(&batch, "AdditionalFields");
    assert!(
        bag.contains(&Some("{\"uniqueEventsAggregated\":1}".to_string())),
        "{bag:?}"
    );
    assert_eq!(kusto_type(&table, "AdditionalFields"), KustoType::Dynamic);
    // `""SenseNdr.exe"" -` style doubled quotes come out as plain quotes.
    let command_lines = strings(&batch, "InitiatingProcessCommandLine");
    assert!(
        command_lines.iter().flatten().any(|c| c.starts_with('"')),
        "{command_lines:?}"
    );
}

#[test]
fn portal_csv_in_local_time_with_twelve_hour_clock() {
    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "DeviceProcessEvents");
    let path = data("Azure-Sentinel__ASIM__M365_ProcessEvents_InesgtedLogs.excerpt.csv");
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    let batch = single(&table);
    assert_eq!(batch.num_rows(), 1);
    // `"TimeGenerated [Local Time]"` is quoted in the header; read as UTC.
    assert_eq!(
        datetimes(&batch, "TimeGenerated"),
        [Some(instant("2023-10-25T09:43:21.994Z"))]
    );
    assert_eq!(
        strings(&batch, "ProcessTokenElevation"),
        [Some("None".to_string())]
    );
    // Schema columns the Linux export lacks exist, empty.
    let missing = column(&batch, "IsProcessRemoteSession");
    assert_eq!((missing.len(), missing.null_count()), (1, 1));
    assert_eq!(
        strings(&batch, "ProcessRemoteSessionDeviceName"),
        [Some(String::new())]
    );
}

#[test]
fn advanced_hunting_export_without_and_with_schema() {
    let path = data("dafneb__defender_hunting__advanced_hunting_test.csv");
    let table = load(&path);
    assert_eq!(table.num_rows(), 26);
    assert_eq!(table.schema.fields().len(), 72);
    assert_eq!(kusto_type(&table, "Timestamp"), KustoType::DateTime);
    assert_eq!(kusto_type(&table, "FileSize"), KustoType::Long);
    assert_eq!(kusto_type(&table, "AdditionalFields"), KustoType::String);
    let batch = single(&table);
    assert_eq!(
        datetimes(&batch, "Timestamp")[0],
        Some(instant("2023-10-18T14:37:28.2012261Z"))
    );

    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "DeviceProcessEvents");
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(kusto_type(&table, "AdditionalFields"), KustoType::Dynamic);
    assert_eq!(kusto_type(&table, "RemotePort"), KustoType::Long); // extra, inferred
    let batch = single(&table);
    let bags = strings(&batch, "AdditionalFields");
    assert!(bags.contains(&Some("{\"Command\":\"MMDActionEngine.ps1\"}".to_string())));
    assert!(bags.contains(&None)); // an empty dynamic cell is null
}

#[test]
fn pandas_csv_with_unnamed_index_column() {
    let table = load(&data("msticpy__host_logons.csv"));
    let names = names(&table);
    assert_eq!(names[..3], ["Column1", "TenantId", "Account"]);
    assert_eq!(kusto_type(&table, "Column1"), KustoType::Long);
    assert_eq!(kusto_type(&table, "EventID"), KustoType::Long);
    assert_eq!(kusto_type(&table, "TimeGenerated"), KustoType::DateTime);
    assert_eq!(kusto_type(&table, "Status"), KustoType::String); // every cell empty
    let batch = single(&table);
    assert_eq!(
        datetimes(&batch, "TimeGenerated")[0],
        Some(instant("2019-01-15T05:15:02.980Z"))
    );
    assert_eq!(
        strings(&batch, "LogonProcessName")[0].as_deref(),
        Some("Advapi  ")
    );
    assert_eq!(strings(&batch, "Status")[0].as_deref(), Some(""));
}

// ---- real JSON exports ---------------------------------------------------------------------

#[test]
fn log_analytics_api_response() {
    let table = load(&data("msticpy__az_mon_raw_query.json"));
    assert_eq!(table.num_rows(), 3);
    assert_eq!(table.schema.fields().len(), 34);
    assert_eq!(
        names(&table)[..3],
        ["TenantId", "TimeGenerated", "DisplayName"]
    );
    assert_eq!(kusto_type(&table, "ConfidenceScore"), KustoType::Real);
    assert_eq!(kusto_type(&table, "IsIncident"), KustoType::Bool);
    let batch = single(&table);
    assert_eq!(column(&batch, "ConfidenceScore").null_count(), 3);
    assert!(!column(&batch, "IsIncident").as_boolean().value(0));
    let generated = datetimes(&batch, "TimeGenerated");
    assert!(generated.iter().all(Option::is_some));
    // Declared `string`, holding JSON text: kept as text.
    let extended = strings(&batch, "ExtendedProperties");
    assert!(extended[0].as_deref().is_some_and(|e| e.starts_with('{')));
}

#[test]
fn kusto_v2_response_primary_result() {
    let table = load(&data("msticpy__kusto_raw_resp.json"));
    assert_eq!(table.num_rows(), 10);
    assert_eq!(table.schema.fields().len(), 130);
    let mut counts = std::collections::BTreeMap::new();
    for field in table.schema.fields() {
        *counts
            .entry(KustoType::of_field(field).unwrap().to_string())
            .or_insert(0) += 1;
    }
    let expected = [
        ("bool", 9),
        ("datetime", 15),
        ("int", 9),
        ("long", 19),
        ("string", 78),
    ];
    let expected = expected.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(counts, expected);
    let batch = single(&table);
    let first = datetimes(&batch, names(&table)[7].as_str())[0];
    assert_eq!(first, Some(instant("2023-04-11T16:19:50.7862004Z")));
}

#[test]
fn hand_written_row_objects_with_its_schema() {
    let path = data("Azure-Sentinel__SecurityEvent__RiskIQ_scenrio.json");
    let table = load(&path);
    assert_eq!(table.num_rows(), 4);
    assert_eq!(kusto_type(&table, "EventID"), KustoType::Long);
    // `3/31/2022, 14:51:35.857 PM` is accepted as 14:51 (see `datetime::twelve_hour_to_24`).
    assert_eq!(kusto_type(&table, "TimeGenerated"), KustoType::DateTime);
    let batch = single(&table);
    let times = datetimes(&batch, "TimeGenerated");
    assert_eq!(times[0], Some(instant("2022-03-31T10:51:35.857Z")));
    assert_eq!(times[1], Some(instant("2022-03-31T14:51:35.857Z")));

    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "SecurityEvent");
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(kusto_type(&table, "EventID"), KustoType::Int);
    let batch = single(&table);
    // Keys missing from an object are "" in string columns and null elsewhere.
    let command_lines = strings(&batch, "CommandLine");
    assert!(command_lines.iter().all(Option::is_some));
    assert!(command_lines.contains(&Some(String::new())));
}

#[test]
fn json_lines_in_a_json_file() {
    let table = load(&data(
        "OTRF__cmd_bitsadmin_download_psh_script.excerpt.json",
    ));
    assert_eq!(table.num_rows(), 25);
    // Columns in first-seen key order, not sorted.
    assert_eq!(names(&table)[..3], ["Message", "EventID", "SourceName"]);
    assert_eq!(kusto_type(&table, "EventID"), KustoType::Long);
    assert_eq!(kusto_type(&table, "TimeCreated"), KustoType::DateTime);
    assert_eq!(kusto_type(&table, "Task"), KustoType::String); // `"Task":"104"` is a string
    let batch = single(&table);
    let command_lines = strings(&batch, "CommandLine");
    assert!(
        command_lines
            .iter()
            .flatten()
            .any(|c| c.contains("bitsadmin.exe  /transfer"))
    );
}

// ---- crafted files: formats and typing -----------------------------------------------------

#[test]
fn csv_inference_and_empty_cells() {
    let dir = TempDir::new("csv_inference");
    let path = dir.write(
        "t.csv",
        "n,r,b,d,s,e\n\
         1,1.5,TRUE,2020-01-01,x,\n\
         ,2,false,,\"a,b\",\n\
         -3,,False,2020-01-02T03:04:05Z,,\n",
    );
    let table = load(&path);
    let types: Vec<_> = table
        .schema
        .fields()
        .iter()
        .map(|f| KustoType::of_field(f).unwrap())
        .collect();
    use KustoType::*;
    assert_eq!(types, [Long, Real, Bool, DateTime, String, String]);
    let batch = single(&table);
    assert_eq!(
        column(&batch, "n")
            .as_primitive::<Int64Type>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(1), None, Some(-3)]
    );
    assert_eq!(
        column(&batch, "r").as_primitive::<Float64Type>().value(1),
        2.0
    );
    assert_eq!(
        strings(&batch, "s"),
        [Some("x".into()), Some("a,b".into()), Some("".into())]
    );
}

#[test]
fn json_nested_values_are_dynamic_text() {
    let dir = TempDir::new("json_nested");
    let path = dir.write(
        "t.json",
        r#"[{"id": 1, "bag": {"z": 1, "a": [true, null]}, "s": "x"},
            {"id": 2, "bag": null, "s": {"k": "v"}}]"#,
    );
    let schema = TableSchema::new("T", vec![ColumnSchema::new("s", KustoType::String)]);
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(names(&table), ["s", "id", "bag"]);
    assert_eq!(kusto_type(&table, "bag"), KustoType::Dynamic);
    let batch = single(&table);
    assert_eq!(
        strings(&batch, "bag"),
        [Some(r#"{"z":1,"a":[true,null]}"#.to_string()), None]
    );
    // A string-typed column holds the JSON text of a nested value.
    assert_eq!(
        strings(&batch, "s"),
        [Some("x".to_string()), Some(r#"{"k":"v"}"#.to_string())]
    );
}

#[test]
fn json_lines_file() {
    let dir = TempDir::new("json_lines");
    let path = dir.write(
        "t.ndjson",
        "{\"a\": 1}\n\n{\"b\": \"2020-01-01\", \"a\": 2}\r\n",
    );
    let table = load(&path);
    assert_eq!(names(&table), ["a", "b"]);
    let batch = single(&table);
    assert_eq!(
        column(&batch, "a").as_primitive::<Int64Type>().values(),
        &[1, 2]
    );
    assert_eq!(
        datetimes(&batch, "b"),
        [None, Some(instant("2020-01-01T00:00:00Z"))]
    );
}

#[test]
fn schema_columns_missing_from_the_file_are_empty() {
    let dir = TempDir::new("missing_columns");
    let path = dir.write("t.csv", "B,Extra\n1,x\n2,y\n");
    let schema = TableSchema::new(
        "T",
        vec![
            ColumnSchema::new("A", KustoType::String),
            ColumnSchema::new("B", KustoType::Int),
            ColumnSchema::new("C", KustoType::DateTime),
            ColumnSchema::new("D", KustoType::Dynamic),
        ],
    );
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(names(&table), ["A", "B", "C", "D", "Extra"]);
    assert_eq!(table.schema.field(2), &KustoType::DateTime.field("C"));
    let batch = single(&table);
    assert_eq!(
        strings(&batch, "A"),
        [Some(String::new()), Some(String::new())]
    );
    assert_eq!(column(&batch, "C").null_count(), 2);
    assert_eq!(column(&batch, "D").null_count(), 2);
    assert_eq!(
        column(&batch, "B").as_primitive::<Int32Type>().values(),
        &[1, 2]
    );
}

#[test]
fn projection_reads_only_requested_columns() {
    let catalog = Catalog::builtin();
    let schema = schema_of(&catalog, "SecurityEvent");
    let path =
        data("Azure-Sentinel__ASIM__Microsoft_Security_Events_Authentication_IngestedLogs.csv");
    let columns: Vec<String> = [
        "MG",
        "EventID",
        "NoSuchColumn",
        "TimeGenerated",
        "ProcessName",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let options = LoadOptions {
        schema: Some(&schema),
        columns: Some(&columns),
        batch_size: 5,
        skip_bad_rows: false,
    };
    let table = load_with(&path, &options);
    // Table order (schema, then file), not request order; unknown names are omitted.
    assert_eq!(
        names(&table),
        ["EventID", "ProcessName", "TimeGenerated", "MG"]
    );
    assert_eq!(table.batches.len(), 5); // 21 rows in batches of 5
    assert!(table.batches.iter().all(|b| b.num_rows() <= 5));
    assert_eq!(table.num_rows(), 21);

    let none: Vec<String> = Vec::new();
    let table = load_with(
        &path,
        &LoadOptions {
            columns: Some(&none),
            ..Default::default()
        },
    );
    assert_eq!(table.schema.fields().len(), 0);
    assert_eq!(table.num_rows(), 21); // rows are still counted
}

#[test]
fn projection_skips_bad_values_in_columns_not_read() {
    let dir = TempDir::new("projection_skips");
    let path = dir.write("t.csv", "A,B\n1,2020-01-01\n2,yesterday\n");
    let schema = TableSchema::new("T", vec![ColumnSchema::new("B", KustoType::DateTime)]);
    let columns = vec!["A".to_string()];
    let options = LoadOptions {
        schema: Some(&schema),
        columns: Some(&columns),
        batch_size: 0,
        skip_bad_rows: false,
    };
    assert_eq!(load_with(&path, &options).num_rows(), 2);
}

/// A header-only CSV file and an empty JSON array are tables without rows; a file with
/// nothing in it (or only blanks) is an error naming it, as the robustness issue asks: it is
/// most likely a failed export, which must not pass for an empty table.
#[test]
fn empty_and_header_only_files() {
    let dir = TempDir::new("empty_files");
    let schema = TableSchema::new("T", vec![ColumnSchema::new("A", KustoType::Long)]);
    let options = LoadOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    for (name, contents) in [("h.csv", "A,B\n"), ("e.json", "[]"), ("e.json", " [ ] \n")] {
        let table = load_with(&dir.write(name, contents), &options);
        assert_eq!(table.num_rows(), 0, "{name}");
        assert_eq!(table.schema.field(0), &KustoType::Long.field("A"), "{name}");
    }
    for (name, contents) in [
        ("e.csv", ""),
        ("e.json", ""),
        ("b.json", " \n\t"),
        ("e.jsonl", ""),
        ("b.jsonl", "\n\n"),
    ] {
        let path = dir.write(name, contents);
        for options in [LoadOptions::default(), options] {
            let error = load_error(&path, &options);
            assert_eq!(error.path, path, "{name}");
            assert!(
                error.message.starts_with("the file is empty"),
                "{name}: {error}"
            );
        }
    }
}

// ---- errors and their positions ------------------------------------------------------------

#[test]
fn ragged_row_names_its_line() {
    let dir = TempDir::new("ragged");
    let path = dir.write("t.csv", "a,b\n1,\"two\nlines\"\n3,4,5\n");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.line, Some(4));
    assert_eq!(error.message, "expected 2 fields as in the header, found 3");
}

#[test]
fn bad_datetime_names_file_line_and_column() {
    let dir = TempDir::new("bad_datetime");
    let path = dir.write(
        "sample.csv",
        "Id,TimeGenerated\n1,\"2020-01-01\"\n2,\"x\ny\"\n3,yesterday\n",
    );
    let schema = TableSchema::new(
        "T",
        vec![ColumnSchema::new("TimeGenerated", KustoType::DateTime)],
    );
    let error = load_error(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(error.line, Some(3));
    assert_eq!(error.column.as_deref(), Some("TimeGenerated"));
    let display = error.to_string();
    assert!(
        display.ends_with("sample.csv:3: column `TimeGenerated`: cannot read `x\\ny` as datetime")
    );

    let path = dir.write(
        "sample2.csv",
        "Id,TimeGenerated\n1,\"2020-01-01\"\n2,\"x\ny\"\n3,yesterday\n",
    );
    let options = LoadOptions {
        schema: Some(&schema),
        batch_size: 1,
        ..Default::default()
    };
    let schema_b = TableSchema::new("T", vec![ColumnSchema::new("Id", KustoType::DateTime)]);
    let error = load_error(
        &path,
        &LoadOptions {
            schema: Some(&schema_b),
            ..options
        },
    );
    assert_eq!((error.line, error.column.as_deref()), (Some(2), Some("Id")));
}

#[test]
fn error_lines_survive_batches_and_embedded_newlines() {
    let dir = TempDir::new("error_lines");
    let mut text = String::from("Note,N\n");
    for i in 0..10 {
        text.push_str(&format!("\"line\n{i}\",{i}\n")); // each record spans two lines
    }
    text.push_str("last,notanumber\n");
    let path = dir.write("t.csv", text);
    let schema = TableSchema::new("T", vec![ColumnSchema::new("N", KustoType::Long)]);
    let options = LoadOptions {
        schema: Some(&schema),
        batch_size: 3,
        ..Default::default()
    };
    let error = load_error(&path, &options);
    assert_eq!(error.line, Some(22));
    assert_eq!(error.message, "cannot read `notanumber` as long");
}

#[test]
fn invalid_utf8_names_its_line_and_column() {
    let dir = TempDir::new("bad_utf8");
    let path = dir.write("t.csv", b"a,b\n1,ok\n2,\xFF\xFE\n".as_slice());
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!((error.line, error.column.as_deref()), (Some(3), Some("b")));
    assert_eq!(error.message, "invalid UTF-8");
}

#[test]
fn unterminated_quote_is_an_error() {
    let dir = TempDir::new("unterminated");
    let path = dir.write("t.csv", "a,b\n1,2\n3,\"never closed\n4,5\n");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!((error.line, error.column.as_deref()), (Some(3), Some("b")));
    assert!(
        error.message.starts_with("unterminated quoted field"),
        "{}",
        error.message
    );
}

#[test]
fn bad_json_names_its_line() {
    let dir = TempDir::new("bad_json");
    let path = dir.write("t.json", "[\n{\"a\": 1},\n{\"a\": tru}\n]");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.line, Some(3));
    assert!(
        error.message.starts_with("invalid JSON: "),
        "{}",
        error.message
    );

    let path = dir.write("t.jsonl", "{\"a\": 1}\n\n{\"a\": 2\n");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.line, Some(3));

    let path = dir.write("u.jsonl", "{\"a\": 1}\n[1]\n");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.line, Some(2));
    assert_eq!(
        error.message,
        "expected one JSON object per line, found an array"
    );

    let path = dir.write("v.json", "[{\"a\": 1},\n 2]");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.line, Some(2));
    assert_eq!(error.message, "expected a row object, found a number");

    let path = dir.write("w.json", "[{\"a\": 1, \"a\": 2}]");
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!((error.line, error.column.as_deref()), (Some(1), Some("a")));
}

#[test]
fn bad_json_values_name_their_line() {
    let dir = TempDir::new("bad_json_values");
    let path = dir.write(
        "t.json",
        "[\n  {\"T\": \"2020-01-01\"},\n\n  {\"T\": \"soon\"}\n]",
    );
    let schema = TableSchema::new("X", vec![ColumnSchema::new("T", KustoType::DateTime)]);
    let error = load_error(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!((error.line, error.column.as_deref()), (Some(4), Some("T")));

    let api = r#"{"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "N", "type": "long"}],
        "rows": [
          [1],
          ["x"]
        ]}]}"#;
    let error = load_error(&dir.write("api.json", api), &LoadOptions::default());
    assert_eq!((error.line, error.column.as_deref()), (Some(5), Some("N")));
    assert_eq!(error.message, "cannot read `x` as long");

    let ragged = api.replace("[1]", "[1, 2]");
    let error = load_error(&dir.write("ragged.json", ragged), &LoadOptions::default());
    assert_eq!(error.line, Some(4));
    assert_eq!(error.message, "expected 1 values as in `columns`, found 2");

    let unknown = api.replace("\"long\"", "\"longer\"");
    let error = load_error(&dir.write("unknown.json", unknown), &LoadOptions::default());
    assert_eq!(error.message, "unknown type `longer`");
}

#[test]
fn unknown_extension_lists_the_supported_ones() {
    let error = load_error(Path::new("events.txt"), &LoadOptions::default());
    assert_eq!(
        error.to_string(),
        "events.txt: unsupported file extension `.txt`; \
         supported: .csv, .json, .jsonl, .ndjson, .parquet, .evtx"
    );
}

// ---- Parquet -------------------------------------------------------------------------------

fn parquet_batch() -> RecordBatch {
    let when = TimestampMillisecondArray::from(vec![Some(1_600_000_000_123), None])
        .with_timezone("+02:00");
    let named = TimestampMicrosecondArray::from(vec![Some(1_600_000_000_123_456), None])
        .with_timezone("Europe/Paris");
    let naive = TimestampSecondArray::from(vec![Some(1_600_000_000), None]);
    let small = Int16Array::from(vec![Some(-7), Some(300)]);
    let big = UInt64Array::from(vec![Some(5), Some(u64::from(u32::MAX) + 1)]);
    let text = LargeStringArray::from(vec![Some("a"), None]);
    let dict: DictionaryArray<Int32Type> = vec![Some("x"), None].into_iter().collect();
    let day = Date32Array::from(vec![Some(1), None]);
    let float = Float32Array::from(vec![Some(0.5), None]);
    let flag = BooleanArray::from(vec![Some(true), None]);
    let span = DurationSecondArray::from(vec![Some(90), None]);
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)]), None]);
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("When", Arc::new(when)),
        ("Named", Arc::new(named)),
        ("Naive", Arc::new(naive)),
        ("Small", Arc::new(small)),
        ("Big", Arc::new(big)),
        ("Text", Arc::new(text)),
        ("Dict", Arc::new(dict)),
        ("Day", Arc::new(day)),
        ("Float", Arc::new(float)),
        ("Flag", Arc::new(flag)),
        ("Span", Arc::new(span)),
        ("List", Arc::new(list)),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

#[test]
fn parquet_columns_are_cast_to_kusto_types() {
    let dir = TempDir::new("parquet_types");
    let path = dir.0.join("t.parquet");
    write_parquet(&path, &parquet_batch());
    let columns: Vec<String> = [
        "When", "Named", "Naive", "Small", "Big", "Text", "Dict", "Day", "Float", "Flag", "Span",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let table = load_with(
        &path,
        &LoadOptions {
            columns: Some(&columns),
            ..Default::default()
        },
    );
    let expected: Vec<Field> = [
        ("When", KustoType::DateTime),
        ("Named", KustoType::DateTime),
        ("Naive", KustoType::DateTime),
        ("Small", KustoType::Int),
        ("Big", KustoType::Long),
        ("Text", KustoType::String),
        ("Dict", KustoType::String),
        ("Day", KustoType::DateTime),
        ("Float", KustoType::Real),
        ("Flag", KustoType::Bool),
        ("Span", KustoType::TimeSpan),
    ]
    .iter()
    .map(|(name, ty)| ty.field(*name))
    .collect();
    assert_eq!(
        table
            .schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect::<Vec<_>>(),
        expected
    );

    let batch = single(&table);
    assert_eq!(
        datetimes(&batch, "When"),
        [Some(1_600_000_000_123_000_000), None]
    );
    assert_eq!(
        datetimes(&batch, "Named"),
        [Some(1_600_000_000_123_456_000), None]
    );
    assert_eq!(
        datetimes(&batch, "Naive"),
        [Some(1_600_000_000_000_000_000), None]
    );
    assert_eq!(datetimes(&batch, "Day"), [Some(86_400_000_000_000), None]);
    assert_eq!(
        column(&batch, "Small").as_primitive::<Int32Type>().value(1),
        300
    );
    assert_eq!(
        column(&batch, "Big").as_primitive::<Int64Type>().value(1),
        4_294_967_296
    );
    // Strings are never null.
    assert_eq!(
        strings(&batch, "Text"),
        [Some("a".to_string()), Some(String::new())]
    );
    assert_eq!(
        strings(&batch, "Dict"),
        [Some("x".to_string()), Some(String::new())]
    );
    assert_eq!(
        column(&batch, "Span").data_type(),
        &DataType::Duration(arrow::datatypes::TimeUnit::Nanosecond)
    );
}

/// Files written without dictionary pages, with version 1 and version 2 data pages, read as
/// the dictionary-encoded file does.
#[test]
fn parquet_without_dictionaries_reads_the_same() {
    use parquet::file::properties::{WriterProperties, WriterVersion};
    let dir = TempDir::new("parquet_plain");
    let batch = parquet_batch();
    let batch = batch
        .project(&(0..batch.num_columns() - 1).collect::<Vec<_>>())
        .unwrap();
    let with_dictionary = dir.0.join("dictionary.parquet");
    write_parquet(&with_dictionary, &batch);
    let expected = load_with(&with_dictionary, &LoadOptions::default());
    for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
        let path = dir.0.join(format!("plain-{version:?}.parquet"));
        let properties = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_writer_version(version)
            .build();
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let table = load_with(&path, &LoadOptions::default());
        assert_eq!(table.schema, expected.schema, "{version:?}");
        assert_eq!(table.batches, expected.batches, "{version:?}");
    }
}

#[test]
fn parquet_unsupported_and_overflowing_columns() {
    let dir = TempDir::new("parquet_errors");
    let path = dir.0.join("t.parquet");
    write_parquet(&path, &parquet_batch());

    // Not requested: the list column is never decoded.
    let columns = vec!["Small".to_string()];
    let table = load_with(
        &path,
        &LoadOptions {
            columns: Some(&columns),
            ..Default::default()
        },
    );
    assert_eq!(names(&table), ["Small"]);

    let error = load_error(&path, &LoadOptions::default());
    assert!(
        error
            .message
            .starts_with("not supported yet: parquet column `List` of type List("),
        "{}",
        error.message
    );

    let overflow = RecordBatch::try_from_iter([(
        "Big",
        Arc::new(UInt64Array::from(vec![u64::MAX])) as ArrayRef,
    )])
    .unwrap();
    let path = dir.0.join("overflow.parquet");
    write_parquet(&path, &overflow);
    let error = load_error(&path, &LoadOptions::default());
    assert_eq!(error.column.as_deref(), Some("Big"));
    assert!(
        error.message.starts_with("cannot read as long"),
        "{}",
        error.message
    );
}

#[test]
fn parquet_with_a_schema_reads_text_and_fills_missing_columns() {
    let dir = TempDir::new("parquet_schema");
    let path = dir.0.join("t.parquet");
    let batch = RecordBatch::try_from_iter([
        (
            "TimeGenerated",
            Arc::new(StringArray::from(vec!["10/18/2024, 9:29:21.125 AM"])) as ArrayRef,
        ),
        (
            "EventID",
            Arc::new(arrow::array::Int64Array::from(vec![4688])) as ArrayRef,
        ),
        (
            "Exact",
            Arc::new(TimestampNanosecondArray::from(vec![1_234_567_891])) as ArrayRef,
        ),
    ])
    .unwrap();
    write_parquet(&path, &batch);
    let schema = TableSchema::new(
        "T",
        vec![
            ColumnSchema::new("TimeGenerated", KustoType::DateTime),
            ColumnSchema::new("EventID", KustoType::Int),
            ColumnSchema::new("Computer", KustoType::String),
        ],
    );
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(
        names(&table),
        ["TimeGenerated", "EventID", "Computer", "Exact"]
    );
    let batch = single(&table);
    assert_eq!(
        datetimes(&batch, "TimeGenerated"),
        [Some(instant("2024-10-18T09:29:21.125Z"))]
    );
    assert_eq!(
        column(&batch, "EventID")
            .as_primitive::<Int32Type>()
            .value(0),
        4688
    );
    assert_eq!(strings(&batch, "Computer"), [Some(String::new())]);
    // Nanoseconds are cut to Kusto's 100 ns ticks.
    assert_eq!(datetimes(&batch, "Exact"), [Some(1_234_567_800)]);

    let bad = RecordBatch::try_from_iter([(
        "TimeGenerated",
        Arc::new(StringArray::from(vec!["2020-01-01", "later"])) as ArrayRef,
    )])
    .unwrap();
    let path = dir.0.join("bad.parquet");
    write_parquet(&path, &bad);
    let error = load_error(
        &path,
        &LoadOptions {
            schema: Some(&schema),
            ..Default::default()
        },
    );
    assert_eq!(error.column.as_deref(), Some("TimeGenerated"));
    assert_eq!(error.message, "cannot read `later` as datetime (row 2)");
}

// ---- schemas -------------------------------------------------------------------------------

#[test]
fn sentinel_custom_tables_schemas() {
    let mut catalog = Catalog::empty();
    let loaded = catalog
        .load_schema_dir(&data("sentinel-custom-tables"))
        .unwrap();
    assert_eq!(loaded, ["ABNORMAL_CASES_CL", "AWSCloudTrail"]);
    let cases = catalog.get("ABNORMAL_CASES_CL").unwrap();
    assert_eq!(cases.column("caseId").map(|c| c.ty), Some(KustoType::Real));
    assert_eq!(
        cases.column("firstObserved").map(|c| c.ty),
        Some(KustoType::DateTime)
    );
    // Lowercase `name`/`type` keys and a capitalised `String` type.
    let trail = catalog.get("AWSCloudTrail").unwrap();
    assert_eq!(
        trail.columns[0],
        ColumnSchema::new("UserIdentityStoreArn", KustoType::String)
    );

    let dir = TempDir::new("sentinel_schema");
    let path = dir.write(
        "cases.csv",
        "caseId,TimeGenerated\n12,2024-01-02T03:04:05Z\n",
    );
    let table = load_with(
        &path,
        &LoadOptions {
            schema: Some(cases),
            ..Default::default()
        },
    );
    assert_eq!(kusto_type(&table, "caseId"), KustoType::Real);
    assert_eq!(table.schema.fields().len(), cases.columns.len());

    let bad = dir.write(
        "Bad.json",
        r#"{"Name": "Bad", "Properties": [{"Name": "X", "Type": "Text"}]}"#,
    );
    let error = catalog.load_schema_file(&bad).unwrap_err();
    assert_eq!(error.column.as_deref(), Some("X"));
    assert!(
        error
            .to_string()
            .ends_with("Bad.json: column `X`: unknown type `Text`"),
        "{error}"
    );
}
