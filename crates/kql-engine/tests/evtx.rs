//! Windows event logs (`.evtx`): the real logs of `queries/bits/evtx/` read as `WindowsEvent`,
//! `SecurityEvent` and `DeviceProcessEvents`, batches, projection, and damaged copies.

mod common;

use std::path::{Path, PathBuf};

use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadError, LoadOptions, LoadedTable, load_file};
use kql_engine::{Engine, Options};

use common::{names, rows, workspace};

fn log(name: &str) -> PathBuf {
    workspace().join("queries/bits/evtx").join(name)
}

const OPENVPN: &str = "sbousseaden__bits_openvpn.evtx";
const WINDOWS7: &str =
    "sbousseaden__persist_bitsadmin_Microsoft-Windows-Bits-Client-Operational.evtx";
const DESKTOPIMG: &str = "sbousseaden__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx";
const SYSMON_NOTIFY: &str = "sbousseaden__sysmon_1_persist_bitsjob_SetNotifyCmdLine.evtx";
const SYSMON_ART: &str = "sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx";

fn engine_with(table: &str, path: &Path) -> Engine {
    let mut engine = Engine::new();
    engine
        .register_file(table, path)
        .unwrap_or_else(|e| panic!("{e}"));
    engine
}

fn query(engine: &Engine, text: &str) -> Vec<Vec<String>> {
    let result = engine.run(text).unwrap_or_else(|e| panic!("{e}"));
    rows(&result.tables[0])
}

fn load_as(table: &str, path: &Path, options: LoadOptions) -> Result<LoadedTable, LoadError> {
    let catalog = Catalog::builtin();
    let options = LoadOptions {
        schema: catalog.get(table),
        ..options
    };
    load_file(path, &options)
}

/// A scratch copy of a log, changed by `damage`.
fn damaged(name: &str, test: &str, damage: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evtx");
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = std::fs::read(log(name)).unwrap();
    damage(&mut bytes);
    let path = dir.join(format!("{test}.evtx"));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn every_record_is_a_windows_event_row() {
    let engine = engine_with("WindowsEvent", &log(OPENVPN));
    let counts = query(
        &engine,
        "WindowsEvent | summarize n = count() by EventID | order by n desc, EventID asc",
    );
    let expected = [
        (61, 492),
        (3, 254),
        (59, 162),
        (306, 150),
        (60, 129),
        (4, 125),
        (209, 101),
        (5, 84),
        (310, 40),
    ];
    let expected: Vec<Vec<String>> = expected
        .iter()
        .map(|(id, n)| vec![id.to_string(), n.to_string()])
        .collect();
    assert_eq!(counts, expected);
    let total = query(&engine, "WindowsEvent | count");
    assert_eq!(total, [["1537"]]);
}

#[test]
fn the_windows_event_columns_are_typed_and_filled() {
    let engine = engine_with("WindowsEvent", &log(DESKTOPIMG));
    let result = engine
        .run("WindowsEvent | where EventID == 3 | take 1")
        .unwrap();
    let table = &result.tables[0];
    let catalog = Catalog::builtin();
    let schema = catalog.get("WindowsEvent").unwrap();
    let expected: Vec<_> = schema.columns.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names(table), expected);

    let row = query(
        &engine,
        "WindowsEvent | where EventID == 3 \
         | project TimeGenerated, Provider, Channel, Computer, EventLevel, EventLevelName, \
           gettype(EventID), gettype(EventData), tostring(EventData.jobTitle), \
           tostring(EventData.processPath), isnotempty(EventRecordId), SystemProcessId > 0, \
           isnotempty(SystemUserId), Type",
    );
    assert_eq!(
        row,
        [[
            "2020-07-03T08:55:46.3523393Z",
            "Microsoft-Windows-Bits-Client",
            "Microsoft-Windows-Bits-Client/Operational",
            "MSEDGEWIN10",
            "4",
            "Information",
            "int",
            "dictionary",
            "Download LockScreen Image",
            r"C:\Windows\System32\desktopimgdownldr.exe",
            "true",
            "true",
            "true",
            "WindowsEvent",
        ]]
    );
}

#[test]
fn the_old_windows_7_field_names_are_kept_as_they_are() {
    let engine = engine_with("WindowsEvent", &log(WINDOWS7));
    let rows = query(
        &engine,
        "WindowsEvent | where EventID == 3 | order by TimeGenerated asc \
         | project Computer, tostring(EventData.string), tostring(EventData.string2)",
    );
    assert_eq!(
        rows,
        [
            ["IEWIN7", "backdoor", r"IEWIN7\IEUser"],
            ["IEWIN7", "hola", r"IEWIN7\IEUser"],
        ]
    );
}

#[test]
fn sysmon_process_creations_are_device_process_events() {
    let mut engine = Engine::new().with_options(Options::default());
    engine
        .register_file("DeviceProcessEvents", &log(SYSMON_NOTIFY))
        .unwrap();
    let result = engine
        .run(
            "DeviceProcessEvents | order by Timestamp asc \
             | project DeviceName, FileName, FolderPath, ProcessCommandLine, \
               InitiatingProcessFileName, InitiatingProcessCommandLine, AccountDomain, \
               AccountName, strlen(SHA1), ActionType",
        )
        .unwrap();
    let table = &result.tables[0];
    assert_eq!(table.num_rows(), 5, "the five Sysmon 1 events of six");
    let rows = rows(table);
    let regsvr = rows
        .iter()
        .find(|row| row[1] == "regsvr32.exe")
        .expect("the regsvr32 payload");
    assert_eq!(regsvr[0], "IEWIN7");
    assert!(regsvr[3].contains("scrobj.dll"), "{regsvr:?}");
    assert_eq!(regsvr[4], "svchost.exe");
    assert!(regsvr[5].contains("-k netsvcs"), "{regsvr:?}");
    assert_eq!(regsvr[9], "ProcessCreated");
    // The network event is not a row, and the run says so.
    let warning = result
        .warnings
        .iter()
        .map(|w| w.message.clone())
        .find(|m| m.contains("1 record is not a Sysmon 1 event"));
    assert!(warning.is_some(), "{:?}", result.warnings);
}

#[test]
fn the_bits_hunt_runs_over_a_raw_sysmon_log() {
    let mut engine = Engine::new().with_options(Options {
        allow_missing_columns: true,
        ..Options::default()
    });
    engine
        .register_file("DeviceProcessEvents", &log(SYSMON_ART))
        .unwrap();
    let catalog = Catalog::builtin();
    for empty in ["SecurityEvent", "DeviceEvents"] {
        let schema = catalog.get(empty).unwrap().arrow_schema();
        engine
            .register_schema_batches(empty, &schema, Vec::new())
            .unwrap();
    }
    let hunt = std::fs::read_to_string(workspace().join("queries/bits/bits_jobs.kql")).unwrap();
    // The hunt looks back 90 days: run it as of a day after the Atomic Red Team run.
    let hunt = format!("set query_now = datetime(2019-07-20);\n{hunt}");
    let result = engine.run(&hunt).unwrap_or_else(|e| panic!("{e}"));
    // The log holds Atomic Red Team's T1197 tests: 12 process creations of bitsadmin and
    // its cmd.exe wrappers. The hunt finds none of them: its patterns are case-sensitive
    // (`download `), the one download is spelled `/Download`, and the other tests use
    // /create, /addfile, /setnotifycmdline, /complete and /resume, which it does not look for.
    assert_eq!(result.tables[0].num_rows(), 0);
    let bits = query(
        &engine,
        "DeviceProcessEvents | where ProcessCommandLine contains 'bitsadmin' | count",
    );
    assert_eq!(bits, [["12"]]);
    let download = query(
        &engine,
        "DeviceProcessEvents | where FileName == 'bitsadmin.exe' \
         and ProcessCommandLine contains '/Download' \
         | project InitiatingProcessFileName, AccountName",
    );
    assert_eq!(download, [["cmd.exe", "IEUser"]]);
}

#[test]
fn batches_follow_the_batch_size_and_projection_narrows_the_columns() {
    let columns = ["EventID".to_string(), "EventData".to_string()];
    let options = LoadOptions {
        batch_size: 100,
        columns: Some(&columns),
        ..LoadOptions::default()
    };
    let table = load_as("WindowsEvent", &log(OPENVPN), options).unwrap();
    assert_eq!(table.num_rows(), 1537);
    assert!(table.batches.iter().all(|b| b.num_rows() <= 100));
    assert_eq!(table.batches.len(), 16);
    let fields: Vec<_> = table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(fields, columns);
}

#[test]
fn a_truncated_log_names_the_file_and_the_chunk() {
    let path = damaged(OPENVPN, "truncated", |bytes| {
        bytes.truncate(4096 + 65536 * 3 + 1000)
    });
    let error = load_as("WindowsEvent", &path, LoadOptions::default()).unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert!(text.contains("chunk 3"), "{text}");

    let options = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    let table = load_as("WindowsEvent", &path, options).unwrap();
    assert_eq!(table.skipped.len(), 1, "{:?}", table.skipped);
    assert!(table.skipped[0].message.contains("chunk 3"));
    assert!(table.num_rows() > 0 && table.num_rows() < 1537);
}

#[test]
fn garbage_in_a_chunk_is_an_error_or_skipped_records() {
    // Bytes in the middle of the second chunk's records.
    let path = damaged(OPENVPN, "garbage", |bytes| {
        let start = 4096 + 65536 + 20_000;
        for byte in bytes.iter_mut().skip(start).take(300) {
            *byte = 0xA5;
        }
    });
    let error = load_as("WindowsEvent", &path, LoadOptions::default()).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("chunk 1"), "{text}");

    let mut engine = Engine::new().with_options(Options {
        skip_bad_rows: true,
        ..Options::default()
    });
    engine.register_file("WindowsEvent", &path).unwrap();
    let result = engine.run("WindowsEvent | count").unwrap();
    let count: usize = rows(&result.tables[0])[0][0].parse().unwrap();
    assert!(count < 1537, "{count}");
    let warning = result
        .warnings
        .iter()
        .find(|w| w.message.contains("left out"))
        .expect("a warning about the skipped records");
    let hint = warning
        .hints
        .iter()
        .find(|h| h.contains("chunk 1 (its 98 records, 99 to 196): "));
    assert!(hint.is_some(), "{warning:?}");
}

#[test]
fn a_file_that_is_not_a_log_is_a_clear_error() {
    let path = damaged(DESKTOPIMG, "not-a-log", |bytes| bytes.truncate(100));
    let error = load_as("WindowsEvent", &path, LoadOptions::default()).unwrap_err();
    let expected = "the file is cut short: its header has 100 of its 4096 bytes";
    assert!(error.to_string().contains(expected), "{error}");
}

#[test]
fn a_log_without_4688_events_is_an_empty_security_event_table_that_says_why() {
    // None of the real logs is a Security log: read as SecurityEvent, a Sysmon log has no
    // rows, and the run says that its 565 records were left out, not that it is empty.
    let engine = engine_with("SecurityEvent", &log(SYSMON_ART));
    let result = engine.run("SecurityEvent | count").unwrap();
    assert_eq!(rows(&result.tables[0]), [["0"]]);
    let messages: Vec<_> = result.warnings.iter().map(|w| w.message.as_str()).collect();
    let expected = "565 records are not Security 4688 events (a new process has been \
                    created) and are not rows of `SecurityEvent`";
    assert!(
        messages.iter().any(|m| m.ends_with(expected)),
        "{messages:?}"
    );
}

#[test]
fn every_record_of_a_sysmon_log_is_a_row_under_another_name() {
    // The same log, read under a name that is not a shaped table: all 565 records, no warning.
    let engine = engine_with("Sysmon", &log(SYSMON_ART));
    let result = engine
        .run("Sysmon | summarize n = count() by EventID | summarize sum(n), count()")
        .unwrap();
    assert_eq!(rows(&result.tables[0]), [["565", "11"]]);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
}
