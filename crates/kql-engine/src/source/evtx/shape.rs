//! Which table an event log is read as, and how an event fills that table's columns.
//!
//! The table name a log is registered under chooses the shape: `SecurityEvent` keeps the
//! Security 4688 events (a new process), `DeviceProcessEvents` the Sysmon 1 events (process
//! creation), and any other name gets every event in the columns of Sentinel's
//! `WindowsEvent` table. `docs/evtx.md` has the mapping as a table.

use serde_json::Value;

use super::columns::{Cell, Row};
use super::record::{Event, text};

/// A table an event log can be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Every event, as Sentinel's `WindowsEvent` table holds it.
    WindowsEvent,
    /// Security 4688 events, as Sentinel's `SecurityEvent` table holds them.
    SecurityEvent,
    /// Sysmon 1 events, as Defender's `DeviceProcessEvents` table holds process creations.
    DeviceProcessEvents,
}

/// `Provider` of Sysmon's events.
const SYSMON: &str = "Microsoft-Windows-Sysmon";

impl Shape {
    /// The shape for a table registered under `name` (`None`: a table kql does not know).
    pub fn for_table(name: Option<&str>) -> Shape {
        match name {
            Some("SecurityEvent") => Shape::SecurityEvent,
            Some("DeviceProcessEvents") => Shape::DeviceProcessEvents,
            _ => Shape::WindowsEvent,
        }
    }

    /// The built-in table whose columns the shape has.
    pub fn table(self) -> &'static str {
        match self {
            Shape::WindowsEvent => "WindowsEvent",
            Shape::SecurityEvent => "SecurityEvent",
            Shape::DeviceProcessEvents => "DeviceProcessEvents",
        }
    }

    /// The events of the log that are rows of this table, in words (one, or several), for
    /// the warning about the others.
    pub fn kept(self, one: bool) -> &'static str {
        match (self, one) {
            (Shape::WindowsEvent, true) => "an event",
            (Shape::WindowsEvent, false) => "events",
            (Shape::SecurityEvent, true) => {
                "a Security 4688 event (a new process has been created)"
            }
            (Shape::SecurityEvent, false) => {
                "Security 4688 events (a new process has been created)"
            }
            (Shape::DeviceProcessEvents, true) => "a Sysmon 1 event (process creation)",
            (Shape::DeviceProcessEvents, false) => "Sysmon 1 events (process creation)",
        }
    }

    /// Whether the event is a row of this table.
    pub fn keeps(self, event: &Event) -> bool {
        match self {
            Shape::WindowsEvent => true,
            Shape::SecurityEvent => {
                event.event_id == Some(4688) && event.channel.eq_ignore_ascii_case("Security")
            }
            Shape::DeviceProcessEvents => event.event_id == Some(1) && event.provider == SYSMON,
        }
    }

    /// Sets the row's cells from a kept event.
    pub fn fill(self, event: &Event, row: &mut Row) {
        match self {
            Shape::WindowsEvent => windows_event(event, row),
            Shape::SecurityEvent => security_event(event, row),
            Shape::DeviceProcessEvents => device_process_event(event, row),
        }
    }
}

/// Sentinel's `WindowsEvent`: the `System` fields in their columns, the data as a bag.
fn windows_event(event: &Event, row: &mut Row) {
    system_columns(event, row);
    row.set("Provider", Cell::Text(event.provider.clone()));
    row.set_long("EventLevel", event.level);
    row.set("SystemUserId", Cell::Text(event.user_id.clone()));
    if row.wants("EventData") {
        row.set(
            "EventData",
            Cell::Json(Value::Object(event.data.clone()).to_string()),
        );
    }
    row.set("Type", Cell::Text("WindowsEvent".into()));
}

/// The columns `WindowsEvent` and `SecurityEvent` share, with the same names.
fn system_columns(event: &Event, row: &mut Row) {
    if let Some(time) = event.time {
        row.set("TimeGenerated", Cell::Time(time));
    }
    row.set("Channel", Cell::Text(event.channel.clone()));
    row.set("Computer", Cell::Text(event.computer.clone()));
    row.set_long("EventID", event.event_id);
    row.set_long("Task", event.task);
    row.set_long("Version", event.version);
    row.set("EventLevelName", Cell::Text(level_name(event.level).into()));
    if let Some(opcode) = event.opcode {
        row.set("Opcode", Cell::Text(opcode.to_string()));
    }
    row.set("Keywords", Cell::Text(event.keywords.clone()));
    row.set("Correlation", Cell::Text(event.correlation.clone()));
    row.set_long("SystemProcessId", event.process_id);
    row.set_long("SystemThreadId", event.thread_id);
    if let Some(id) = event.record_id {
        row.set("EventRecordId", Cell::Text(id.to_string()));
    }
}

/// The name Windows gives an event level. Level 0 ("log always") shows as Information, as
/// Event Viewer shows it.
fn level_name(level: Option<i64>) -> &'static str {
    match level {
        Some(1) => "Critical",
        Some(2) => "Error",
        Some(3) => "Warning",
        Some(0 | 4) => "Information",
        Some(5) => "Verbose",
        _ => "",
    }
}

/// Sentinel's `SecurityEvent` row of a 4688 event: the data fields are columns of the same
/// names there (`CommandLine`, `NewProcessName`, `SubjectUserName`, ...), plus the columns
/// Sentinel derives from them.
fn security_event(event: &Event, row: &mut Row) {
    system_columns(event, row);
    row.set("SystemUserId", Cell::Text(event.user_id.clone()));
    row.set("EventSourceName", Cell::Text(event.provider.clone()));
    if let Some(level) = event.level {
        row.set("Level", Cell::Text(level.to_string()));
    }
    for (name, value) in &event.data {
        row.set(name, data_cell(value));
    }
    let user = event.field("SubjectUserName");
    let domain = event.field("SubjectDomainName");
    if !user.is_empty() {
        row.set("Account", Cell::Text(account(&domain, &user)));
        row.set("AccountType", Cell::Text(account_type(&user).into()));
    }
    row.set(
        "Activity",
        Cell::Text("4688 - A new process has been created.".into()),
    );
    row.set(
        "Process",
        Cell::Text(file_name(&event.field("NewProcessName")).into()),
    );
    row.set("Type", Cell::Text("SecurityEvent".into()));
}

/// A data field as a cell: numbers stay numbers, text stays text.
fn data_cell(value: &Value) -> Cell {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(n) => Cell::Long(n),
            None => Cell::Text(n.to_string()),
        },
        Value::Array(_) => Cell::Json(value.to_string()),
        other => Cell::Text(text(other)),
    }
}

/// `DOMAIN\user`, or `user` without a domain, as Sentinel writes `Account`.
fn account(domain: &str, user: &str) -> String {
    if domain.is_empty() || domain == "-" {
        user.to_string()
    } else {
        format!("{domain}\\{user}")
    }
}

/// Sentinel's `AccountType`: `Machine` for computer accounts (ending in `$`), else `User`.
fn account_type(user: &str) -> &'static str {
    if user.ends_with('$') {
        "Machine"
    } else {
        "User"
    }
}

/// The last component of a Windows path: `cmd.exe` of `C:\Windows\System32\cmd.exe`.
fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// The Sysmon 1 fields that have a `DeviceProcessEvents` column of their own; the others go
/// to `AdditionalFields`, and so does `Hashes`, whose `IMPHASH` has no column.
const SYSMON_MAPPED: &[&str] = &[
    "Image",
    "CommandLine",
    "ProcessId",
    "ParentImage",
    "ParentCommandLine",
    "ParentProcessId",
    "User",
    "ParentUser",
    "Company",
    "Product",
    "FileVersion",
    "Description",
    "OriginalFileName",
    "IntegrityLevel",
    "LogonId",
    "UtcTime",
];

/// Defender's `DeviceProcessEvents` row of a Sysmon 1 event.
fn device_process_event(event: &Event, row: &mut Row) {
    if let Some(time) = event.time {
        row.set("Timestamp", Cell::Time(time));
        row.set("TimeGenerated", Cell::Time(time));
    }
    row.set("DeviceName", Cell::Text(event.computer.clone()));
    row.set("ActionType", Cell::Text("ProcessCreated".into()));
    row.set_long("ReportId", event.record_id);
    let field = |name: &str| event.field(name);

    let image = field("Image");
    row.set("FileName", Cell::Text(file_name(&image).into()));
    row.set("FolderPath", Cell::Text(image.clone()));
    row.set("ProcessCommandLine", Cell::Text(field("CommandLine")));
    row.set("ProcessId", Cell::Text(field("ProcessId")));
    row.set("ProcessIntegrityLevel", Cell::Text(field("IntegrityLevel")));
    row.set("ProcessCreationTime", Cell::Text(field("UtcTime")));
    row.set("LogonId", Cell::Text(field("LogonId")));
    row.set(
        "ProcessVersionInfoCompanyName",
        Cell::Text(field("Company")),
    );
    row.set(
        "ProcessVersionInfoProductName",
        Cell::Text(field("Product")),
    );
    row.set(
        "ProcessVersionInfoProductVersion",
        Cell::Text(field("FileVersion")),
    );
    row.set(
        "ProcessVersionInfoFileDescription",
        Cell::Text(field("Description")),
    );
    let original = field("OriginalFileName");
    row.set("ProcessVersionInfoOriginalFileName", Cell::Text(original));
    let user = field("User");
    let (domain, name) = split_user(&user);
    row.set("AccountDomain", Cell::Text(domain.into()));
    row.set("AccountName", Cell::Text(name.into()));
    for (algorithm, hash) in hashes(&field("Hashes")) {
        if matches!(algorithm, "SHA1" | "MD5" | "SHA256") {
            row.set(algorithm, Cell::Text(hash.to_ascii_lowercase()));
        }
    }

    let parent = field("ParentImage");
    row.set(
        "InitiatingProcessFileName",
        Cell::Text(file_name(&parent).into()),
    );
    row.set("InitiatingProcessFolderPath", Cell::Text(parent.clone()));
    row.set(
        "InitiatingProcessCommandLine",
        Cell::Text(field("ParentCommandLine")),
    );
    row.set("InitiatingProcessId", Cell::Text(field("ParentProcessId")));
    let parent_user = field("ParentUser");
    let (domain, name) = split_user(&parent_user);
    row.set("InitiatingProcessAccountDomain", Cell::Text(domain.into()));
    row.set("InitiatingProcessAccountName", Cell::Text(name.into()));

    if row.wants("AdditionalFields") {
        let rest: serde_json::Map<String, Value> = event
            .data
            .iter()
            .filter(|(name, _)| !SYSMON_MAPPED.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        row.set(
            "AdditionalFields",
            Cell::Json(Value::Object(rest).to_string()),
        );
    }
    row.set("Type", Cell::Text("DeviceProcessEvents".into()));
}

/// `DOMAIN\user` as `(DOMAIN, user)`; a name without a domain has an empty one.
fn split_user(user: &str) -> (&str, &str) {
    user.split_once('\\').unwrap_or(("", user))
}

/// Sysmon's `Hashes` (`SHA1=AB...,MD5=CD...`) as `(algorithm, hash)` pairs.
fn hashes(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(algorithm, hash)| (algorithm.trim(), hash.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_by_table_name() {
        assert_eq!(
            Shape::for_table(Some("SecurityEvent")),
            Shape::SecurityEvent
        );
        assert_eq!(
            Shape::for_table(Some("DeviceProcessEvents")),
            Shape::DeviceProcessEvents
        );
        assert_eq!(Shape::for_table(Some("Event")), Shape::WindowsEvent);
        assert_eq!(Shape::for_table(None), Shape::WindowsEvent);
    }

    /// The named columns of the row `shape` makes of `json`, as text.
    fn shaped(shape: Shape, json: serde_json::Value, names: &[&str]) -> Vec<String> {
        use arrow::array::{Array, Int32Array, Int64Array, StringArray, TimestampNanosecondArray};
        let catalog = crate::catalog::Catalog::builtin();
        let schema = catalog.get(shape.table()).unwrap();
        let mut columns = super::super::columns::Columns::new(schema.columns.clone());
        let event = Event::from_json(json).unwrap();
        assert!(shape.keeps(&event));
        let mut row = columns.row();
        shape.fill(&event, &mut row);
        let cells = row.into_cells();
        columns.push(cells).unwrap();
        let batch = columns.finish().unwrap();
        names
            .iter()
            .map(|name| {
                let column = batch.column_by_name(name).unwrap();
                let any = column.as_any();
                if column.is_null(0) {
                    "null".to_string()
                } else if let Some(text) = any.downcast_ref::<StringArray>() {
                    text.value(0).to_string()
                } else if let Some(n) = any.downcast_ref::<Int32Array>() {
                    n.value(0).to_string()
                } else if let Some(n) = any.downcast_ref::<Int64Array>() {
                    n.value(0).to_string()
                } else if let Some(t) = any.downcast_ref::<TimestampNanosecondArray>() {
                    crate::format::datetime(t.value(0))
                } else {
                    format!("{:?}", column.data_type())
                }
            })
            .collect()
    }

    #[test]
    fn a_4688_event_is_a_security_event_row() {
        let json = serde_json::json!({"Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
                "EventID": 4688, "Level": 0, "Task": 13312, "Channel": "Security",
                "Computer": "WORKSTATION5.theshire.local", "EventRecordID": 42,
                "TimeCreated": {"#attributes": {"SystemTime": "2020-10-23T02:36:43.542Z"}}
            },
            "EventData": {
                "SubjectUserSid": "S-1-5-21-1", "SubjectUserName": "pgustavo",
                "SubjectDomainName": "THESHIRE", "SubjectLogonId": "0xc61d9",
                "NewProcessId": "0x242c",
                "NewProcessName": "C:\\Windows\\System32\\bitsadmin.exe",
                "TokenElevationType": "%%1936", "ProcessId": "0x1c1c",
                "CommandLine": "bitsadmin.exe  /transfer /Download /priority Foreground x y",
                "ParentProcessName": "C:\\Windows\\System32\\cmd.exe",
                "MandatoryLabel": "S-1-16-12288"
            }
        }});
        let names = [
            "TimeGenerated",
            "Computer",
            "EventID",
            "Activity",
            "Account",
            "AccountType",
            "CommandLine",
            "NewProcessName",
            "ParentProcessName",
            "NewProcessId",
            "Process",
            "EventSourceName",
            "Level",
            "EventRecordId",
            "Type",
            "SubjectLogonId",
        ];
        let row = shaped(Shape::SecurityEvent, json, &names);
        assert_eq!(
            row,
            [
                "2020-10-23T02:36:43.542Z",
                "WORKSTATION5.theshire.local",
                "4688",
                "4688 - A new process has been created.",
                "THESHIRE\\pgustavo",
                "User",
                "bitsadmin.exe  /transfer /Download /priority Foreground x y",
                "C:\\Windows\\System32\\bitsadmin.exe",
                "C:\\Windows\\System32\\cmd.exe",
                "0x242c",
                "bitsadmin.exe",
                "Microsoft-Windows-Security-Auditing",
                "0",
                "42",
                "SecurityEvent",
                "0xc61d9",
            ]
        );
    }

    #[test]
    fn other_security_events_are_not_rows() {
        let json = serde_json::json!({"Event": {
            "System": {"EventID": 4624, "Channel": "Security"}
        }});
        let event = Event::from_json(json).unwrap();
        assert!(!Shape::SecurityEvent.keeps(&event));
        assert!(!Shape::DeviceProcessEvents.keeps(&event));
        assert!(Shape::WindowsEvent.keeps(&event));
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(file_name(r"C:\Windows\System32\cmd.exe"), "cmd.exe");
        assert_eq!(file_name("cmd.exe"), "cmd.exe");
        assert_eq!(split_user(r"IEWIN7\IEUser"), ("IEWIN7", "IEUser"));
        assert_eq!(account("-", "SYSTEM"), "SYSTEM");
        assert_eq!(account_type("WIN10$"), "Machine");
        let pairs: Vec<_> = hashes("SHA1=AB,MD5=CD,IMPHASH=EF").collect();
        assert_eq!(pairs, [("SHA1", "AB"), ("MD5", "CD"), ("IMPHASH", "EF")]);
    }
}
