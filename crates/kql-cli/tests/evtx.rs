//! `kql run` over Windows event logs (`.evtx`): the BITS triage on the real Bits-Client logs,
//! the shaped tables' warnings, and damaged copies with and without `--skip-bad-rows`.

mod common;

use common::{csv_records, kql, scratch_dir};

const LOGS: &str = "queries/bits/evtx";
const TRIAGE: &str = "queries/bits/bits_client_triage.kql";

fn table(name: &str, file: &str) -> String {
    format!("{name}={LOGS}/{file}")
}

#[test]
fn the_triage_surfaces_the_notepad_jobs_of_the_openvpn_log() {
    let table = table("WindowsEvent", "sbousseaden__bits_openvpn.evtx");
    let outcome = kql(&["run", TRIAGE, "--table", &table, "--format", "csv"]);
    outcome.assert_code(0).assert_stderr("");
    let records = csv_records(&outcome.stdout);
    let header = records.first().expect("a header").clone();
    let column = |name: &str| header.iter().position(|c| c == name).expect(name);
    let (title, path, url, bytes, failures, codes) = (
        column("JobTitle"),
        column("ProcessPath"),
        column("Url"),
        column("BytesTransferred"),
        column("Failures"),
        column("FailureCodes"),
    );
    let notepad: Vec<&Vec<String>> = records
        .iter()
        .skip(1)
        .filter(|r| r[path] == r"C:\Windows\SysWOW64\notepad.exe")
        .collect();
    assert_eq!(notepad.len(), 9, "{notepad:#?}");
    assert_eq!(records.len() - 1, 256, "one row per job");
    let fetched: Vec<_> = notepad
        .iter()
        .filter(|r| r[url] == "https://i.imgur.com/IFpvPlt.png")
        .map(|r| {
            (
                r[title].as_str(),
                r[bytes].as_str(),
                r[failures].as_str(),
                r[codes].as_str(),
            )
        })
        .collect();
    assert_eq!(
        fetched,
        [
            ("539cd7d7.png", "0", "1", "[2147954407]"),
            ("47c090fb.png", "0", "1", "[2147954407]"),
            ("a056b1a9.png", "0", "1", "[2147954407]"),
            ("aec87e7b.png", "0", "1", "[2147954407]"),
            ("ab170ec9.png", "394556", "2", "[2147954407]"),
            ("745d396d.png", "0", "1", "[2147954407]"),
            ("efc1a28b.png", "394556", "0", "[]"),
        ]
    );
    // The notepad.exe jobs are the only ones with a signal: the background traffic of the
    // other 247 jobs (Windows services, OneDrive, Google and Chrome updates, speech models)
    // has none.
    let signals = column("Signals");
    let flagged: Vec<(&str, &str)> = records
        .iter()
        .skip(1)
        .filter(|r| r[signals] != "[]")
        .map(|r| (r[path].as_str(), r[signals].as_str()))
        .collect();
    let notepad = (
        r"C:\Windows\SysWOW64\notepad.exe",
        r#"["unusual client: notepad.exe"]"#,
    );
    assert_eq!(flagged, [notepad; 9]);
}

#[test]
fn the_triage_reads_the_windows_7_field_names() {
    let table = table(
        "WindowsEvent",
        "sbousseaden__persist_bitsadmin_Microsoft-Windows-Bits-Client-Operational.evtx",
    );
    let outcome = kql(&["run", TRIAGE, "--table", &table, "--format", "csv"]);
    outcome.assert_code(0);
    outcome.assert_stdout_contains(concat!(
        r"IEWIN7,{b35c4a1d-4425-45be-92d1-b67183ae222f},backdoor,IEWIN7\IEUser,,",
        r"C:\Windows\system32\cmd.exe,302592",
    ));
}

#[test]
fn a_shaped_table_warns_of_the_records_it_leaves_out() {
    let table = table(
        "DeviceProcessEvents",
        "sbousseaden__sysmon_11_1_lolbas_downldr_desktopimgdownldr.evtx",
    );
    let query = "DeviceProcessEvents | project FileName, InitiatingProcessFileName";
    kql(&[
        "run", "--query", query, "--table", &table, "--format", "csv",
    ])
    .assert_code(0)
    .assert_stdout_contains("desktopimgdownldr.exe")
    .assert_stderr_contains(
        "1 record is not a Sysmon 1 event (process creation) and is not a row of \
             `DeviceProcessEvents`",
    );
}

#[test]
fn a_damaged_log_fails_or_is_read_around_with_skip_bad_rows() {
    let dir = scratch_dir("evtx-damaged");
    let source = format!("{LOGS}/sbousseaden__bits_openvpn.evtx");
    let mut bytes = std::fs::read(common::workspace_root().join(&source)).expect("the log");
    bytes.truncate(4096 + 65536 * 5 + 300);
    let path = dir.join("cut.evtx");
    std::fs::write(&path, &bytes).expect("write the copy");
    let table = format!("WindowsEvent={}", path.display());
    let query = "WindowsEvent | count";

    kql(&["run", "--query", query, "--table", &table])
        .assert_code(2)
        .assert_stderr_contains("cut.evtx: chunk 5: the file is cut short");
    let outcome = kql(&[
        "run",
        "--query",
        query,
        "--table",
        &table,
        "--skip-bad-rows",
        "--format",
        "csv",
    ]);
    outcome
        .assert_code(0)
        .assert_stderr_contains("left out")
        .assert_stderr_contains("chunk 5");
    let count: usize = csv_records(&outcome.stdout)[1][0].parse().expect("a count");
    assert!(count > 0 && count < 1537, "{count}");
}

#[test]
fn data_dir_registers_event_logs_by_file_stem() {
    // `--data DIR` picks up `.evtx` files as it does the other formats, each named by its
    // file stem, which chooses the table's shape as `--table NAME=` would.
    let dir = scratch_dir("evtx-data-dir");
    let root = common::workspace_root();
    for (name, file) in [
        ("WindowsEvent", "sbousseaden__bits_openvpn.evtx"),
        (
            "DeviceProcessEvents",
            "sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx",
        ),
    ] {
        std::fs::copy(root.join(LOGS).join(file), dir.join(format!("{name}.evtx")))
            .expect("copy the log");
    }
    let data = dir.display().to_string();
    let query = "union (WindowsEvent | summarize n = count() | extend t = 'WindowsEvent'), \
                 (DeviceProcessEvents | summarize n = count() | extend t = 'DeviceProcessEvents') \
                 | order by t asc";
    kql(&["run", "--query", query, "--data", &data, "--format", "csv"])
        .assert_code(0)
        .assert_stdout("n,t\n511,DeviceProcessEvents\n1537,WindowsEvent\n")
        .assert_stderr_contains(
            "54 records are not Sysmon 1 events (process creation) and are not rows of \
         `DeviceProcessEvents`",
        );
}

#[test]
fn a_file_that_is_not_an_event_log_is_named_in_the_error() {
    let dir = scratch_dir("evtx-not-a-log");
    let path = dir.join("Bits.evtx");
    std::fs::write(&path, "TimeGenerated,EventID\n2024-01-01,3\n").expect("write");
    let table = format!("WindowsEvent={}", path.display());
    kql(&["run", "--query", "WindowsEvent | count", "--table", &table])
        .assert_code(2)
        .assert_stderr_contains(
            "Bits.evtx: not a Windows event log: the file does not start with `ElfFile`",
        );
    std::fs::write(&path, "").expect("write");
    kql(&["run", "--query", "WindowsEvent | count", "--table", &table])
        .assert_code(2)
        .assert_stderr_contains("Bits.evtx: not a Windows event log: the file is empty");
}
