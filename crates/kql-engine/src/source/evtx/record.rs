//! One event of a Windows event log, read from the JSON the `evtx` crate renders a record as.
//!
//! The crate renders an element's attributes under `#attributes` and its text, when it also
//! has attributes, under `#text`: `"EventID": {"#attributes": {"Qualifiers": 0}, "#text": 4688}`.
//! An element it could not find is absent or `null`; both read as "no value" here.

use serde_json::{Map, Value};

/// The `System` part of an event and its data, as the log holds them.
#[derive(Debug, Clone, Default)]
pub(super) struct Event {
    /// `System/TimeCreated/@SystemTime`, in nanoseconds since 1970 (UTC).
    pub time: Option<i64>,
    /// `System/Provider/@Name`.
    pub provider: String,
    pub event_id: Option<i64>,
    pub version: Option<i64>,
    pub level: Option<i64>,
    pub task: Option<i64>,
    pub opcode: Option<i64>,
    /// `System/Keywords`, as written: `0x8000000000000000`.
    pub keywords: String,
    pub record_id: Option<i64>,
    /// `System/Correlation`'s attributes as compact JSON (`{"ActivityID":"{...}"}`), or `""`.
    pub correlation: String,
    /// `System/Execution/@ProcessID` and `@ThreadID`.
    pub process_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub channel: String,
    pub computer: String,
    /// `System/Security/@UserID`, a SID.
    pub user_id: String,
    /// The named fields of `EventData` (or, for events that have none, of `UserData`'s one
    /// element), in the log's order.
    pub data: Map<String, Value>,
}

impl Event {
    /// Reads an event from a record's JSON; `None` when it has no `Event/System` element.
    pub fn from_json(mut json: Value) -> Option<Event> {
        let event = json.get_mut("Event")?.as_object_mut()?;
        let data = take_data(event);
        let system = event.get("System")?.as_object()?;
        let attribute = |element: &str, name: &str| {
            system
                .get(element)
                .and_then(|e| e.get("#attributes"))
                .and_then(|a| a.get(name))
        };
        Some(Event {
            time: attribute("TimeCreated", "SystemTime")
                .and_then(Value::as_str)
                .and_then(parse_system_time),
            provider: attribute("Provider", "Name").map(text).unwrap_or_default(),
            event_id: system.get("EventID").and_then(integer),
            version: system.get("Version").and_then(integer),
            level: system.get("Level").and_then(integer),
            task: system.get("Task").and_then(integer),
            opcode: system.get("Opcode").and_then(integer),
            keywords: system.get("Keywords").map(text).unwrap_or_default(),
            record_id: system.get("EventRecordID").and_then(integer),
            correlation: system
                .get("Correlation")
                .and_then(|c| c.get("#attributes"))
                .filter(|a| a.as_object().is_some_and(|a| !a.is_empty()))
                .map(Value::to_string)
                .unwrap_or_default(),
            process_id: attribute("Execution", "ProcessID").and_then(integer),
            thread_id: attribute("Execution", "ThreadID").and_then(integer),
            channel: system.get("Channel").map(text).unwrap_or_default(),
            computer: system.get("Computer").map(text).unwrap_or_default(),
            user_id: attribute("Security", "UserID")
                .map(text)
                .unwrap_or_default(),
            data,
        })
    }

    /// The text of a named data field: `""` when absent or `null`.
    pub fn field(&self, name: &str) -> String {
        self.data.get(name).map(text).unwrap_or_default()
    }
}

/// The event's named data. `EventData` with named `Data` elements comes as an object of
/// them; an event logged with `UserData` has one element of the provider's own under it,
/// whose children are the fields.
fn take_data(event: &mut Map<String, Value>) -> Map<String, Value> {
    let data = match event.remove("EventData") {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    let data = data.or_else(|| match event.remove("UserData") {
        Some(Value::Object(map)) if map.len() == 1 => match map.into_iter().next() {
            Some((_, Value::Object(inner))) => Some(inner),
            Some((name, other)) => Some(Map::from_iter([(name, other)])),
            None => None,
        },
        Some(Value::Object(map)) => Some(map),
        _ => None,
    });
    let mut data = data.unwrap_or_default();
    // The attributes of the EventData element itself (rare: a `Name`) are not fields.
    data.remove("#attributes");
    data
}

/// A value's text: a string as it is, a number or bool as JSON writes it, an element with
/// attributes by its `#text`, `null` as `""`, anything else as compact JSON.
pub(super) fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Object(map) => match map.get("#text") {
            Some(inner) => text(inner),
            None => value.to_string(),
        },
        other => other.to_string(),
    }
}

/// A whole number, from a JSON number, decimal or `0x` hexadecimal text, or an element's
/// `#text`.
pub(super) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_u64().map(|n| n as i64)),
        Value::String(text) => parse_integer(text),
        Value::Object(map) => map.get("#text").and_then(integer),
        _ => None,
    }
}

/// Decimal or `0x` hexadecimal text as a whole number. Hexadecimal values above `i64::MAX`
/// (flags such as keywords) wrap to negative, as Kusto's `tolong` of such a value does not
/// exist: they are bit patterns, not quantities.
pub(super) fn parse_integer(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|n| n as i64),
        None => text.parse().ok(),
    }
}

/// `SystemTime` as the crate writes it (`2020-07-03T08:55:49.123472Z`), to nanoseconds.
fn parse_system_time(text: &str) -> Option<i64> {
    super::super::datetime::parse_datetime(text, super::super::datetime::DateOrder::MonthFirst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn system_fields_and_named_data() {
        let json = json!({"Event": {
            "#attributes": {"xmlns": "x"},
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Bits-Client"}},
                "EventID": {"#attributes": {"Qualifiers": 0}, "#text": 4688},
                "Level": 4, "Task": 0, "Opcode": 0, "Keywords": "0x4000000000000000",
                "TimeCreated": {"#attributes": {"SystemTime": "2020-07-03T08:55:49.123472Z"}},
                "EventRecordID": 17,
                "Correlation": null,
                "Execution": {"#attributes": {"ProcessID": 1040, "ThreadID": 77}},
                "Channel": "Microsoft-Windows-Bits-Client/Operational",
                "Computer": "MSEDGEWIN10",
                "Security": {"#attributes": {"UserID": "S-1-5-18"}}
            },
            "EventData": {"jobTitle": "Font Download", "processId": 1516}
        }});
        let event = Event::from_json(json).unwrap();
        assert_eq!(event.event_id, Some(4688));
        assert_eq!(event.record_id, Some(17));
        assert_eq!(event.process_id, Some(1040));
        assert_eq!(event.user_id, "S-1-5-18");
        assert_eq!(event.correlation, "");
        assert_eq!(event.field("jobTitle"), "Font Download");
        assert_eq!(event.field("processId"), "1516");
        assert_eq!(event.field("nothing"), "");
        assert!(event.time.is_some());
    }

    #[test]
    fn user_data_fields_stand_in_for_event_data() {
        let json = json!({"Event": {
            "System": {"EventID": 1102},
            "UserData": {"LogFileCleared": {"SubjectUserName": "ann"}}
        }});
        let event = Event::from_json(json).unwrap();
        assert_eq!(event.field("SubjectUserName"), "ann");
        assert!(Event::from_json(json!({"Other": 1})).is_none());
    }

    #[test]
    fn integers_in_every_spelling() {
        assert_eq!(parse_integer("0x242c"), Some(0x242c));
        assert_eq!(parse_integer(" 12 "), Some(12));
        assert_eq!(parse_integer("0xffffffffffffffff"), Some(-1));
        assert_eq!(parse_integer("x"), None);
    }
}
