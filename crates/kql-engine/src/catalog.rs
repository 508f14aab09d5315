//! Table schemas: which columns a table has and their Kusto types.
//!
//! A [`Catalog`] maps table names (case-sensitive, as in Kusto) to [`TableSchema`]s. The known
//! Sentinel and Defender tables come built in ([`Catalog::builtin`]), embedded from the JSON files
//! in `src/schemas/`; more can be loaded from files in two formats:
//!
//! - kql's own: `{"name": "T", "columns": [{"name": "C", "type": "string"}, ...],
//!   "hidden_columns": [...]}`. A column may also say `"hidden": true`. Other keys (`sources`,
//!   `notes`, `origin`, ...) are documentation and ignored.
//! - the Azure-Sentinel repository's `.script/tests/KqlvalidationsTests/CustomTables/*.json`:
//!   `{"Name": "T", "Properties": [{"Name": "C", "Type": "String"}, ...]}`, where key and type
//!   names come in any case (`"name"`, `"DateTime"`, `"Int64"` ...).
//!
//! Hidden columns are the Log Analytics standard columns (`_BilledSize`, `_IsBillable`, ...)
//! that a table has but `*`, `getschema` and joins do not show; they are kept apart from
//! [`TableSchema::columns`] and can be asked for with [`Catalog::hidden_columns`].

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use arrow::datatypes::{Schema, SchemaRef};
use serde_json::{Map, Value};

use crate::types::KustoType;

/// `(table name, JSON text)` of the file `src/schemas/<name>.json`.
macro_rules! schema_file {
    ($name:literal) => {
        ($name, include_str!(concat!("schemas/", $name, ".json")))
    };
}

/// The built-in schemas, one entry per file in `src/schemas/`: adding a table is adding its
/// file there and one line here.
const BUILTIN_SCHEMAS: &[(&str, &str)] = &[
    schema_file!("AADManagedIdentitySignInLogs"),
    schema_file!("AADNonInteractiveUserSignInLogs"),
    schema_file!("AADServicePrincipalSignInLogs"),
    schema_file!("ASimAuthenticationEventLogs"),
    schema_file!("ASimDnsActivityLogs"),
    schema_file!("ASimNetworkSessionLogs"),
    schema_file!("ASimProcessEventLogs"),
    schema_file!("AWSCloudTrail"),
    schema_file!("AlertEvidence"),
    schema_file!("AlertInfo"),
    schema_file!("Anomalies"),
    schema_file!("AuditLogs"),
    schema_file!("AzureActivity"),
    schema_file!("AzureDiagnostics"),
    schema_file!("AzureMetrics"),
    schema_file!("BehaviorAnalytics"),
    schema_file!("CloudAppEvents"),
    schema_file!("CommonSecurityLog"),
    schema_file!("DeviceEvents"),
    schema_file!("DeviceFileEvents"),
    schema_file!("DeviceImageLoadEvents"),
    schema_file!("DeviceInfo"),
    schema_file!("DeviceLogonEvents"),
    schema_file!("DeviceNetworkEvents"),
    schema_file!("DeviceNetworkInfo"),
    schema_file!("DeviceProcessEvents"),
    schema_file!("DeviceRegistryEvents"),
    schema_file!("DeviceTvmSoftwareInventory"),
    schema_file!("DeviceTvmSoftwareVulnerabilities"),
    schema_file!("DnsEvents"),
    schema_file!("EmailAttachmentInfo"),
    schema_file!("EmailEvents"),
    schema_file!("EmailPostDeliveryEvents"),
    schema_file!("EmailUrlInfo"),
    schema_file!("Event"),
    schema_file!("ExposureGraphEdges"),
    schema_file!("ExposureGraphNodes"),
    schema_file!("GCPAuditLogs"),
    schema_file!("Heartbeat"),
    schema_file!("IdentityDirectoryEvents"),
    schema_file!("IdentityInfo"),
    schema_file!("IdentityLogonEvents"),
    schema_file!("IdentityQueryEvents"),
    schema_file!("IntuneAuditLogs"),
    schema_file!("IntuneDevices"),
    schema_file!("MicrosoftGraphActivityLogs"),
    schema_file!("OfficeActivity"),
    schema_file!("Operation"),
    schema_file!("SecurityAlert"),
    schema_file!("SecurityEvent"),
    schema_file!("SecurityIncident"),
    schema_file!("SecurityRecommendation"),
    schema_file!("SigninLogs"),
    schema_file!("StorageBlobLogs"),
    schema_file!("Syslog"),
    schema_file!("ThreatIntelligenceIndicator"),
    schema_file!("UrlClickEvents"),
    schema_file!("Usage"),
    schema_file!("W3CIISLog"),
    schema_file!("WindowsEvent"),
];

/// One column of a table: its name and Kusto type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnSchema {
    /// The column name, case-sensitive.
    pub name: String,
    /// The column's Kusto type.
    pub ty: KustoType,
}

impl ColumnSchema {
    /// A column named `name` of type `ty`.
    pub fn new(name: impl Into<String>, ty: KustoType) -> Self {
        ColumnSchema {
            name: name.into(),
            ty,
        }
    }
}

/// The visible columns of a table, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// The table name, case-sensitive.
    pub name: String,
    /// The visible columns in `getschema` order (hidden columns are not here).
    pub columns: Vec<ColumnSchema>,
}

impl TableSchema {
    /// A table named `name` with these columns.
    pub fn new(name: impl Into<String>, columns: Vec<ColumnSchema>) -> Self {
        TableSchema {
            name: name.into(),
            columns,
        }
    }

    /// The Arrow schema of the table: one field per column, typed and tagged by
    /// [`KustoType::field`].
    pub fn arrow_schema(&self) -> SchemaRef {
        let fields: Vec<_> = self
            .columns
            .iter()
            .map(|c| c.ty.field(c.name.as_str()))
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The column with exactly this name (names are case-sensitive).
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// An error in a schema file: where it came from, the column if one is at fault, and what is
/// wrong.
///
/// Displays as `schemas/T.json: column `C`: unknown type `strin``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemaError {
    /// The file (or other origin, e.g. `builtin schema SecurityEvent`) the schema came from.
    pub origin: String,
    /// The column at fault, when the error is about one column.
    pub column: Option<String>,
    /// What is wrong, in lowercase without a final period.
    pub message: String,
}

impl SchemaError {
    fn new(origin: &str, message: impl Into<String>) -> Self {
        SchemaError {
            origin: origin.to_string(),
            column: None,
            message: message.into(),
        }
    }

    fn in_column(mut self, column: &str) -> Self {
        self.column = Some(column.to_string());
        self
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.origin)?;
        if let Some(column) = &self.column {
            write!(f, "column `{column}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Table schemas by name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: BTreeMap<String, TableSchema>,
    hidden: BTreeMap<String, Vec<ColumnSchema>>,
}

impl Catalog {
    /// A catalog with no tables.
    pub fn empty() -> Self {
        Catalog::default()
    }

    /// A catalog with every built-in Sentinel and Defender table schema (see `src/schemas/`).
    ///
    /// ```
    /// use kql_engine::catalog::Catalog;
    /// use kql_engine::types::KustoType;
    /// let catalog = Catalog::builtin();
    /// let security_event = catalog.get("SecurityEvent").unwrap();
    /// assert_eq!(security_event.column("EventID").unwrap().ty, KustoType::Int);
    /// assert!(catalog.get("securityevent").is_none()); // names are case-sensitive
    /// ```
    pub fn builtin() -> Self {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(parse_builtin).clone()
    }

    /// The schema of the table with exactly this name.
    pub fn get(&self, name: &str) -> Option<&TableSchema> {
        self.tables.get(name)
    }

    /// Adds a table, replacing (and returning) any table of the same name. The replaced
    /// table's hidden columns are dropped.
    pub fn insert(&mut self, schema: TableSchema) -> Option<TableSchema> {
        self.hidden.remove(&schema.name);
        self.tables.insert(schema.name.clone(), schema)
    }

    /// The table names, sorted.
    pub fn table_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.tables.keys().map(String::as_str)
    }

    /// The hidden columns of a table (empty for an unknown table or one without any).
    pub fn hidden_columns(&self, table: &str) -> &[ColumnSchema] {
        self.hidden.get(table).map_or(&[], Vec::as_slice)
    }

    /// Adds the table described by a schema file in either supported format (see the module
    /// docs) and returns its name. A table of the same name is replaced.
    pub fn load_schema_file(&mut self, path: &Path) -> Result<String, SchemaError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| SchemaError::new(&origin, format!("cannot read the file: {e}")))?;
        self.load_schema_str(&text, &origin)
    }

    /// Adds the table described by schema JSON text; `origin` names it in errors.
    pub fn load_schema_str(&mut self, text: &str, origin: &str) -> Result<String, SchemaError> {
        let (table, hidden) = parse_schema(text, origin)?;
        let name = table.name.clone();
        self.insert(table);
        if !hidden.is_empty() {
            self.hidden.insert(name.clone(), hidden);
        }
        Ok(name)
    }

    /// Adds every `*.json` file of a directory, in file-name order, and returns the table names.
    /// Other files (the CustomTables folder also holds `.yaml`) are skipped. Stops at the first
    /// file that fails.
    pub fn load_schema_dir(&mut self, dir: &Path) -> Result<Vec<String>, SchemaError> {
        let origin = dir.display().to_string();
        let read_error = |e: std::io::Error| SchemaError::new(&origin, format!("cannot read: {e}"));
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            let path = entry.map_err(read_error)?.path();
            let is_json = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if is_json && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        paths
            .iter()
            .map(|path| self.load_schema_file(path))
            .collect()
    }
}

fn parse_builtin() -> Catalog {
    let mut catalog = Catalog::empty();
    for (name, text) in BUILTIN_SCHEMAS {
        let origin = format!("builtin schema {name}");
        // The embedded files are part of the source; `every_builtin_schema_parses` checks them,
        // so a failure here is a bug in this crate, not bad input. Such a table is left out
        // rather than crashing the embedder, and that test's count of tables catches it.
        let _ = catalog.load_schema_str(text, &origin);
    }
    catalog
}

/// Parses a schema in either format into its table and hidden columns.
fn parse_schema(text: &str, origin: &str) -> Result<(TableSchema, Vec<ColumnSchema>), SchemaError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| SchemaError::new(origin, format!("invalid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(SchemaError::new(origin, "expected a JSON object"));
    };
    let name = match get_ignore_case(&object, "name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => {
            return Err(SchemaError::new(
                origin,
                "expected a non-empty string `name`",
            ));
        }
    };

    let mut columns = Vec::new();
    let mut hidden = Vec::new();
    let entries = match object.get("columns") {
        Some(entries) => entries,
        None => get_ignore_case(&object, "properties").ok_or_else(|| {
            SchemaError::new(
                origin,
                "expected `columns` (kql schema) or `Properties` (Azure-Sentinel CustomTables)",
            )
        })?,
    };
    for (index, entry) in as_array(entries, origin, "columns")?.iter().enumerate() {
        let (column, is_hidden) = parse_column(entry, index, origin)?;
        if is_hidden {
            hidden.push(column)
        } else {
            columns.push(column)
        }
    }
    if let Some(entries) = object.get("hidden_columns") {
        for (index, entry) in as_array(entries, origin, "hidden_columns")?
            .iter()
            .enumerate()
        {
            hidden.push(parse_column(entry, index, origin)?.0);
        }
    }

    let mut seen = HashSet::new();
    for column in columns.iter().chain(&hidden) {
        if !seen.insert(column.name.as_str()) {
            return Err(SchemaError::new(origin, "duplicate column").in_column(&column.name));
        }
    }
    Ok((TableSchema::new(name, columns), hidden))
}

fn as_array<'a>(value: &'a Value, origin: &str, key: &str) -> Result<&'a [Value], SchemaError> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(SchemaError::new(
            origin,
            format!("expected `{key}` to be an array"),
        )),
    }
}

/// Parses one `{"name", "type", "hidden"?}` entry; `index` is 0-based.
fn parse_column(
    entry: &Value,
    index: usize,
    origin: &str,
) -> Result<(ColumnSchema, bool), SchemaError> {
    let position = index + 1;
    let Value::Object(entry) = entry else {
        return Err(SchemaError::new(
            origin,
            format!("column #{position} is not an object"),
        ));
    };
    let Some(Value::String(name)) = get_ignore_case(entry, "name") else {
        return Err(SchemaError::new(
            origin,
            format!("column #{position} has no string `name`"),
        ));
    };
    if name.is_empty() {
        return Err(SchemaError::new(
            origin,
            format!("column #{position} has an empty name"),
        ));
    }
    let Some(Value::String(type_name)) = get_ignore_case(entry, "type") else {
        return Err(SchemaError::new(origin, "no string `type`").in_column(name));
    };
    let ty = parse_type_name(type_name).ok_or_else(|| {
        SchemaError::new(origin, format!("unknown type `{type_name}`")).in_column(name)
    })?;
    let hidden = matches!(entry.get("hidden"), Some(Value::Bool(true)));
    Ok((ColumnSchema::new(name.clone(), ty), hidden))
}

/// The value of `key`, matched exactly first and then ignoring ASCII case: the CustomTables
/// files spell it both `Name` and `name`.
fn get_ignore_case<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// Reads a type name as written in schema and data files, ignoring case: the Kusto names and
/// aliases (`string`, `DateTime`, `Boolean`, `Double` ...), the .NET names `Int32`/`Int64`, and
/// either with a `System.` prefix.
pub(crate) fn parse_type_name(name: &str) -> Option<KustoType> {
    let lower = name.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("system.").unwrap_or(&lower);
    match lower {
        "int32" => Some(KustoType::Int),
        "int64" => Some(KustoType::Long),
        other => other.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_schema_parses_under_its_own_name() {
        let mut names = HashSet::new();
        for (name, text) in BUILTIN_SCHEMAS {
            let (table, _) = match parse_schema(text, name) {
                Ok(parsed) => parsed,
                Err(e) => panic!("{e}"),
            };
            assert_eq!(&table.name, name);
            assert!(names.insert(*name), "{name} is listed twice");
        }
        assert_eq!(
            Catalog::builtin().table_names().count(),
            BUILTIN_SCHEMAS.len()
        );
    }

    #[test]
    fn every_schema_file_is_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schemas");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|entry| entry.unwrap().file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".json").map(str::to_string))
            .collect();
        files.sort();
        let listed: Vec<&str> = BUILTIN_SCHEMAS.iter().map(|(name, _)| *name).collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn hidden_columns_are_kept_apart() {
        let catalog = Catalog::builtin();
        let security_event = catalog.get("SecurityEvent").unwrap();
        assert_eq!(security_event.columns.len(), 224);
        assert!(security_event.column("_BilledSize").is_none());
        let hidden: Vec<_> = catalog.hidden_columns("SecurityEvent").iter().collect();
        assert!(hidden.contains(&&ColumnSchema::new("_BilledSize", KustoType::Real)));
        // `Event.json` marks hidden columns with `"hidden": true` instead.
        assert!(
            catalog
                .get("Event")
                .unwrap()
                .column("_ResourceId")
                .is_none()
        );
        assert!(
            catalog
                .hidden_columns("Event")
                .iter()
                .any(|c| c.name == "_ResourceId")
        );
    }

    #[test]
    fn arrow_schema_uses_the_kusto_fields() {
        let table = TableSchema::new(
            "T",
            vec![
                ColumnSchema::new("When", KustoType::DateTime),
                ColumnSchema::new("Bag", KustoType::Dynamic),
            ],
        );
        let schema = table.arrow_schema();
        assert_eq!(schema.field(0), &KustoType::DateTime.field("When"));
        assert_eq!(
            KustoType::of_field(schema.field(1)),
            Some(KustoType::Dynamic)
        );
    }

    #[test]
    fn type_names_ignore_case() {
        assert_eq!(parse_type_name("DateTime"), Some(KustoType::DateTime));
        assert_eq!(parse_type_name("Boolean"), Some(KustoType::Bool));
        assert_eq!(parse_type_name("Int64"), Some(KustoType::Long));
        assert_eq!(parse_type_name("System.String"), Some(KustoType::String));
        assert_eq!(parse_type_name("strin"), None);
    }

    #[test]
    fn errors_name_origin_and_column() {
        let text = r#"{"name": "T", "columns": [{"name": "A", "type": "strin"}]}"#;
        let error = Catalog::empty()
            .load_schema_str(text, "t.json")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "t.json: column `A`: unknown type `strin`"
        );

        let error = Catalog::empty().load_schema_str("{", "t.json").unwrap_err();
        assert!(
            error.to_string().starts_with("t.json: invalid JSON: "),
            "{error}"
        );

        let text = r#"{"name": "T", "columns": [{"name": "A", "type": "int"},
                      {"name": "A", "type": "int"}]}"#;
        let error = Catalog::empty()
            .load_schema_str(text, "t.json")
            .unwrap_err();
        assert_eq!(error.to_string(), "t.json: column `A`: duplicate column");

        let text = r#"{"name": "T", "rows": []}"#;
        assert!(Catalog::empty().load_schema_str(text, "t.json").is_err());
    }
}
