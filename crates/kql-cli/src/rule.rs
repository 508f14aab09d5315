//! Sentinel scheduled analytics-rule files: the YAML of the Azure-Sentinel repository.
//!
//! A rule file holds a KQL `query` and how Sentinel runs it: every `queryFrequency`, over the
//! data of the last `queryPeriod`, raising an alert when the number of result rows compared
//! with `triggerThreshold` by `triggerOperator` (`gt`, `lt`, `eq`, `ne`) holds. Its
//! `entityMappings` name result columns that become the alert's entities (hosts, accounts,
//! processes...).
//!
//! ```yaml
//! id: 0777f138-e5d8-4eab-bec1-e11ddfbc2be2
//! name: Failed logons
//! severity: Low
//! queryFrequency: 10m        # or PT10M
//! queryPeriod: 1d            # or P1D
//! triggerOperator: gt
//! triggerThreshold: 0
//! query: |
//!   SecurityEvent
//!   | where EventID == 4625
//! entityMappings:
//!   - entityType: Host
//!     fieldMappings:
//!       - identifier: FullName
//!         columnName: Computer
//! ```
//!
//! Fields kql does not use (`requiredDataConnectors`, `incidentConfiguration`, ...) are
//! ignored. Diagnostics about the query point into the rule file itself, at the right line and
//! column, when the query is a literal block (`query: |`), as it is in the Azure-Sentinel
//! repository.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arrow::datatypes::Schema;
use kql_parser::{Diagnostic, DiagnosticKind, Span};
use serde::Deserialize;

use crate::cli::QueryArgs;
use crate::commands::{QueryText, engine_failure, read_query};
use crate::failure::Failure;

/// A Sentinel analytics rule read from its YAML file.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The file it was read from.
    pub path: PathBuf,
    /// The whole file, for showing diagnostics in place.
    pub file_text: String,
    /// Where the query's text lies in the file, when it is a literal block.
    block: Option<QueryBlock>,
    /// `id`: a GUID.
    pub id: Option<String>,
    /// `name`: the alert's display name.
    pub name: Option<String>,
    /// `severity`: `Informational`, `Low`, `Medium` or `High`.
    pub severity: Option<String>,
    /// `kind`: `Scheduled` (the default) or `NRT`.
    pub kind: Option<String>,
    /// `query`: the KQL text.
    pub query: String,
    /// `queryFrequency`: how often the query runs.
    pub query_frequency: Option<RuleDuration>,
    /// `queryPeriod`: how far back the data it sees goes.
    pub query_period: Option<RuleDuration>,
    /// `triggerOperator` and `triggerThreshold`: when a run raises an alert.
    pub trigger: Trigger,
    /// `tactics`: MITRE ATT&CK tactics.
    pub tactics: Vec<String>,
    /// `relevantTechniques` (or `techniques`): MITRE ATT&CK technique ids.
    pub techniques: Vec<String>,
    /// `entityMappings`.
    pub entity_mappings: Vec<EntityMapping>,
    /// `customDetails`: alert field name to result column.
    pub custom_details: Vec<(String, String)>,
}

/// One `entityMappings` entry: an entity type and the result columns that fill it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityMapping {
    /// `Host`, `Account`, `Process`, `IP`, ...
    pub entity_type: String,
    /// The entity's identifiers and the columns they come from.
    #[serde(default)]
    pub field_mappings: Vec<FieldMapping>,
}

/// One identifier of an entity and its column: `FullName` from `Computer`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMapping {
    /// The entity's identifier: `FullName`, `Name`, `CommandLine`, ...
    pub identifier: String,
    /// The result column that gives it.
    pub column_name: String,
}

/// When a run of the rule raises an alert: the number of result rows compared with a
/// threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    /// How the row count is compared.
    pub operator: TriggerOperator,
    /// What it is compared with.
    pub threshold: u64,
}

impl Default for Trigger {
    /// More than 0 rows: what NRT rules always use, and the usual setting.
    fn default() -> Self {
        Trigger {
            operator: TriggerOperator::GreaterThan,
            threshold: 0,
        }
    }
}

impl Trigger {
    /// Whether a run that returned `rows` rows raises an alert.
    pub fn fires(&self, rows: usize) -> bool {
        let rows = u64::try_from(rows).unwrap_or(u64::MAX);
        match self.operator {
            TriggerOperator::GreaterThan => rows > self.threshold,
            TriggerOperator::LessThan => rows < self.threshold,
            TriggerOperator::Equal => rows == self.threshold,
            TriggerOperator::NotEqual => rows != self.threshold,
        }
    }
}

impl fmt::Display for Trigger {
    /// `more than 0 rows`, `exactly 1 row`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match self.operator {
            TriggerOperator::GreaterThan => "more than",
            TriggerOperator::LessThan => "fewer than",
            TriggerOperator::Equal => "exactly",
            TriggerOperator::NotEqual => "other than",
        };
        let rows = if self.threshold == 1 { "row" } else { "rows" };
        write!(f, "{words} {} {rows}", self.threshold)
    }
}

/// `triggerOperator`: `gt`, `lt`, `eq` or `ne` in rule files (`GreaterThan`, `LessThan`,
/// `Equal`, `NotEqual` in Sentinel's API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerOperator {
    /// `gt`.
    GreaterThan,
    /// `lt`.
    LessThan,
    /// `eq`.
    Equal,
    /// `ne`.
    NotEqual,
}

impl TriggerOperator {
    /// Reads an operator in either spelling, in any case.
    pub fn parse(text: &str) -> Option<TriggerOperator> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "gt" | "greaterthan" => TriggerOperator::GreaterThan,
            "lt" | "lessthan" => TriggerOperator::LessThan,
            "eq" | "equal" => TriggerOperator::Equal,
            "ne" | "notequal" => TriggerOperator::NotEqual,
            _ => return None,
        })
    }
}

/// A rule's `queryFrequency` or `queryPeriod`, with the text it was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDuration {
    /// The length.
    pub duration: Duration,
    /// As written: `5h`, `PT5H`.
    pub text: String,
}

impl fmt::Display for RuleDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Reads a duration as Sentinel rule files write it: a whole number and a unit (`30s`, `5m`,
/// `5h`, `1d`), or ISO 8601 (`PT5M`, `PT1H`, `P1D`, `P1DT12H`, `P2W`, `PT1.5S`). Years and
/// months are refused: their length depends on the calendar.
///
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    let parsed = match upper.strip_prefix('P') {
        Some(iso) => parse_iso_duration(iso),
        None => parse_short_duration(&upper),
    };
    parsed.ok_or_else(|| {
        format!(
            "`{trimmed}` is not a duration: write a number and a unit (`30m`, `5h`, `1d`) or \
             ISO 8601 (`PT30M`, `PT5H`, `P1D`)"
        )
    })
}

/// `5h`: digits, then one of `s`, `m`, `h`, `d` (upper-cased by the caller).
fn parse_short_duration(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let seconds = number.checked_mul(unit_seconds(unit)?)?;
    Some(Duration::from_secs(seconds))
}

/// The seconds in one `S`, `M` (minute), `H`, `D` or `W`.
fn unit_seconds(unit: char) -> Option<u64> {
    Some(match unit {
        'S' => 1,
        'M' => 60,
        'H' => 3600,
        'D' => 86_400,
        'W' => 7 * 86_400,
        _ => return None,
    })
}

/// The part of an ISO 8601 duration after `P`: `[nW][nD][T[nH][nM][nS]]`; only the seconds
/// may have a fraction.
fn parse_iso_duration(text: &str) -> Option<Duration> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (text, None),
    };
    let mut total = Duration::ZERO;
    let mut parts = 0;
    for (part, units) in [(date, "WD"), (time.unwrap_or(""), "HMS")] {
        let mut rest = part;
        let mut allowed = units;
        while !rest.is_empty() {
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
            let unit = rest[end..].chars().next()?;
            let position = allowed.find(unit)?;
            allowed = &allowed[position + 1..];
            let number = &rest[..end];
            let seconds = if number.contains('.') {
                if unit != 'S' {
                    return None;
                }
                Duration::try_from_secs_f64(number.parse().ok()?).ok()?
            } else {
                let count: u64 = number.parse().ok()?;
                Duration::from_secs(count.checked_mul(unit_seconds(unit)?)?)
            };
            total = total.checked_add(seconds)?;
            parts += 1;
            rest = &rest[end + 1..];
        }
    }
    (parts > 0).then_some(total)
}

/// The fields of a rule file that kql reads; every other field is ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: Option<yaml_serde::Value>,
    name: Option<String>,
    severity: Option<String>,
    kind: Option<String>,
    query: Option<String>,
    query_frequency: Option<yaml_serde::Value>,
    query_period: Option<yaml_serde::Value>,
    trigger_operator: Option<String>,
    trigger_threshold: Option<u64>,
    #[serde(default)]
    tactics: Vec<String>,
    #[serde(default)]
    relevant_techniques: Vec<String>,
    #[serde(default)]
    techniques: Vec<String>,
    #[serde(default)]
    entity_mappings: Vec<EntityMapping>,
    #[serde(default)]
    custom_details: yaml_serde::Mapping,
}

impl Rule {
    /// Reads a rule file. The error names the file, and the line when YAML knows it.
    pub fn load(path: &Path) -> Result<Rule, String> {
        let file_text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        Rule::parse(path, file_text)
    }

    /// Reads a rule from the text of the file `path`.
    pub fn parse(path: &Path, file_text: String) -> Result<Rule, String> {
        let shown = path.display();
        let raw: RawRule = yaml_serde::from_str(&file_text)
            .map_err(|error| format!("{shown}: {}", yaml_error(&error)))?;
        let Some(query) = raw.query else {
            return Err(format!(
                "{shown}: no `query` field: is this a Sentinel analytics rule?"
            ));
        };
        let duration = |field: &str, value: Option<yaml_serde::Value>| {
            value
                .map(|value| {
                    let text = scalar_text(&value);
                    let duration = parse_duration(&text)
                        .map_err(|error| format!("{shown}: {field}: {error}"))?;
                    Ok::<_, String>(RuleDuration { duration, text })
                })
                .transpose()
        };
        let query_frequency = duration("queryFrequency", raw.query_frequency)?;
        let query_period = duration("queryPeriod", raw.query_period)?;
        let operator = match raw.trigger_operator.as_deref() {
            None => TriggerOperator::GreaterThan,
            Some(text) => TriggerOperator::parse(text).ok_or_else(|| {
                format!("{shown}: triggerOperator: `{text}` is not one of `gt`, `lt`, `eq`, `ne`")
            })?,
        };
        let mut custom_details = Vec::new();
        for (key, value) in raw.custom_details {
            custom_details.push((scalar_text(&key), scalar_text(&value)));
        }
        let block = QueryBlock::find(&file_text, &query);
        let mut techniques = raw.relevant_techniques;
        techniques.extend(raw.techniques);
        Ok(Rule {
            path: path.to_path_buf(),
            block,
            id: raw.id.as_ref().map(scalar_text),
            name: raw.name,
            severity: raw.severity,
            kind: raw.kind,
            query,
            query_frequency,
            query_period,
            trigger: Trigger {
                operator,
                threshold: raw.trigger_threshold.unwrap_or(0),
            },
            tactics: raw.tactics,
            techniques,
            entity_mappings: raw.entity_mappings,
            custom_details,
            file_text,
        })
    }

    /// A few lines saying what the rule is and how Sentinel runs it, for `kql check`.
    pub fn summary(&self) -> Vec<String> {
        let name = self.name.as_deref().unwrap_or("(no name)");
        let mut lines = vec![format!("rule `{name}` in {}", self.path.display())];
        let mut facts = Vec::new();
        if let Some(id) = &self.id {
            facts.push(format!("id {id}"));
        }
        if let Some(kind) = &self.kind {
            facts.push(format!("kind {kind}"));
        }
        if let Some(severity) = &self.severity {
            facts.push(format!("severity {severity}"));
        }
        if !self.tactics.is_empty() {
            facts.push(format!("tactics {}", self.tactics.join(", ")));
        }
        if !self.techniques.is_empty() {
            facts.push(format!("techniques {}", self.techniques.join(", ")));
        }
        if !facts.is_empty() {
            lines.push(format!("  {}", facts.join("; ")));
        }
        let schedule = match (&self.query_frequency, &self.query_period) {
            (Some(every), Some(over)) => format!("runs every {every} over the last {over}; "),
            (Some(every), None) => format!("runs every {every}; "),
            (None, Some(over)) => format!("runs over the last {over}; "),
            (None, None) => String::new(),
        };
        lines.push(format!("  {schedule}alerts on {}", self.trigger));
        if !self.entity_mappings.is_empty() {
            let entities: Vec<String> = self
                .entity_mappings
                .iter()
                .map(|mapping| {
                    let fields: Vec<String> = mapping
                        .field_mappings
                        .iter()
                        .map(|f| format!("{} = {}", f.identifier, f.column_name))
                        .collect();
                    format!("{} ({})", mapping.entity_type, fields.join(", "))
                })
                .collect();
            lines.push(format!("  entities: {}", entities.join("; ")));
        }
        lines
    }

    /// The text and origin diagnostics are shown against: the whole rule file when the query
    /// is a literal block in it, else the query alone.
    pub fn shown_text(&self) -> QueryText {
        match self.block {
            Some(_) => QueryText {
                text: self.file_text.clone(),
                origin: self.path.display().to_string(),
            },
            None => QueryText {
                text: self.query.clone(),
                origin: format!("{} (query)", self.path.display()),
            },
        }
    }

    /// Moves diagnostics about the query onto the rule file, to match [`Rule::shown_text`].
    pub fn place_diagnostics(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let Some(block) = &self.block else {
            return diagnostics;
        };
        let place = |span: Span| {
            Span::new(
                block.file_offset(&self.query, &self.file_text, span.start),
                block.file_offset(&self.query, &self.file_text, span.end),
            )
        };
        diagnostics
            .into_iter()
            .map(|mut diagnostic| {
                diagnostic.span = diagnostic.span.map(place);
                for label in &mut diagnostic.labels {
                    label.span = place(label.span);
                }
                diagnostic
            })
            .collect()
    }

    /// Every result column the rule names (in `entityMappings` and `customDetails`) that
    /// `schema` lacks, as errors pointing at the rule file.
    pub fn missing_columns(&self, schema: &Schema) -> Vec<Diagnostic> {
        let has = |name: &str| schema.fields().iter().any(|field| field.name() == name);
        let mut wanted = Vec::new();
        for mapping in &self.entity_mappings {
            for field in &mapping.field_mappings {
                let role = format!(
                    "the {} entity's `{}`",
                    mapping.entity_type, field.identifier
                );
                wanted.push((field.column_name.as_str(), "entityMappings", role));
            }
        }
        for (key, column) in &self.custom_details {
            wanted.push((
                column.as_str(),
                "customDetails",
                format!("the detail `{key}`"),
            ));
        }
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let mut missing = Vec::new();
        for (column, section, role) in wanted {
            if has(column) {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                DiagnosticKind::Semantic,
                format!("{section}: the query's result has no column `{column}`"),
            );
            diagnostic.span = self.column_span(section, column);
            diagnostic.span_label = Some(format!("{role} comes from this column"));
            diagnostic.hints.push(close_names(column, &names));
            missing.push(diagnostic);
        }
        missing
    }

    /// Where `column` is named in `section` of the file, when shown against the whole file.
    fn column_span(&self, section: &str, column: &str) -> Option<Span> {
        self.block.as_ref()?;
        let text = &self.file_text;
        let start = text.find(&format!("\n{section}:"))?;
        let mut from = start;
        while let Some(found) = text[from..].find(column) {
            let at = from + found;
            let end = at + column.len();
            let before = text[..at].chars().next_back();
            let after = text[end..].chars().next();
            let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !word_char(before) && !word_char(after) {
                return Some(Span::new(at, end));
            }
            from = end;
        }
        None
    }
}

/// A hint naming the columns closest to `column`, or the first few when none is close.
fn close_names(column: &str, names: &[&str]) -> String {
    let lower = column.to_ascii_lowercase();
    let close: Vec<String> = names
        .iter()
        .filter(|name| {
            let other = name.to_ascii_lowercase();
            other.contains(&lower) || lower.contains(&other)
        })
        .take(5)
        .map(|name| format!("`{name}`"))
        .collect();
    if !close.is_empty() {
        return format!("close names in the result: {}", close.join(", "));
    }
    let first: Vec<String> = names
        .iter()
        .take(8)
        .map(|name| format!("`{name}`"))
        .collect();
    let more = names.len().saturating_sub(first.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("the result's columns are {}{tail}", first.join(", "))
}

/// A YAML scalar as text: a string as is, a number or bool as written.
fn scalar_text(value: &yaml_serde::Value) -> String {
    match value {
        yaml_serde::Value::String(text) => text.clone(),
        yaml_serde::Value::Number(number) => number.to_string(),
        yaml_serde::Value::Bool(flag) => flag.to_string(),
        yaml_serde::Value::Null => String::new(),
        other => yaml_serde::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// A YAML error as `line L column C: message`, without the location the message repeats.
pub fn yaml_error(error: &yaml_serde::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            let suffix = format!(" at line {} column {}", location.line(), location.column());
            let message = message.strip_suffix(&suffix).unwrap_or(&message);
            format!("line {}: {message}", location.line())
        }
        None => message,
    }
}

/// Where a literal block (`query: |`) puts the query's lines in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryBlock {
    /// The byte offset of the start of each of the query's lines in the file.
    line_starts: Vec<usize>,
    /// The spaces before each line's text.
    indent: usize,
}

impl QueryBlock {
    /// Finds the top-level `query: |` block whose lines, less their indentation, are exactly
    /// `query`; `None` for other styles (quoted or folded) or when they do not agree.
    fn find(file: &str, query: &str) -> Option<QueryBlock> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in file.split_inclusive('\n') {
            lines.push((offset, line.trim_end_matches(['\n', '\r'])));
            offset += line.len();
        }
        let header = lines.iter().position(|(_, line)| {
            line.strip_prefix("query:").is_some_and(|rest| {
                let rest = rest.split(" #").next().unwrap_or("").trim();
                rest.strip_prefix('|')
                    .is_some_and(|rest| rest.chars().all(|c| "+-0123456789".contains(c)))
            })
        })?;
        let body = lines.get(header + 1..)?;
        let indent = body
            .iter()
            .find(|(_, line)| !line.trim().is_empty())
            .map(|(_, line)| line.len() - line.trim_start_matches(' ').len())
            .filter(|indent| *indent > 0)?;
        let query_lines: Vec<&str> = query.split('\n').collect();
        let mut line_starts = Vec::new();
        for (index, query_line) in query_lines.iter().enumerate() {
            let last = index + 1 == query_lines.len();
            match body.get(index) {
                Some((start, line)) => {
                    let same = if query_line.is_empty() {
                        line.trim().is_empty() || last
                    } else {
                        line.get(..indent)
                            .is_some_and(|spaces| spaces.trim().is_empty())
                            && line.get(indent..) == Some(*query_line)
                    };
                    if !same {
                        return None;
                    }
                    line_starts.push(*start);
                }
                // The query's final newline leaves an empty last line past the file's end.
                None if last && query_line.is_empty() => line_starts.push(file.len()),
                None => return None,
            }
        }
        Some(QueryBlock {
            line_starts,
            indent,
        })
    }

    /// The offset in the file of byte `offset` of the query.
    fn file_offset(&self, query: &str, file: &str, offset: usize) -> usize {
        let mut offset = offset.min(query.len());
        while !query.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = query[..offset].matches('\n').count();
        let line_start = query[..offset].rfind('\n').map_or(0, |at| at + 1);
        let column = offset - line_start;
        let Some(&start) = self.line_starts.get(line) else {
            return file.len();
        };
        let line_is_empty = query[line_start..]
            .split('\n')
            .next()
            .unwrap_or("")
            .is_empty();
        let indent = if line_is_empty { 0 } else { self.indent };
        (start + indent + column).min(file.len())
    }
}

/// A query to run, with what its diagnostics are shown against.
pub struct LoadedQuery {
    /// The KQL text to run.
    pub text: String,
    /// The text and origin for diagnostics: the query itself, or the whole rule file.
    pub shown: QueryText,
    /// The rule, when the query came from a rule file.
    pub rule: Option<Rule>,
}

impl LoadedQuery {
    /// Diagnostics about [`LoadedQuery::text`], placed to match [`LoadedQuery::shown`].
    pub fn place(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        match &self.rule {
            Some(rule) => rule.place_diagnostics(diagnostics),
            None => diagnostics,
        }
    }

    /// Turns an engine error into a failure, with diagnostics placed in the shown text.
    pub fn failure(&self, error: kql_engine::Error) -> Failure {
        match error {
            kql_engine::Error::Query(diagnostics) => Failure::Query {
                text: self.shown.text.clone(),
                origin: self.shown.origin.clone(),
                diagnostics: self.place(diagnostics),
            },
            other => engine_failure(other, &self.shown),
        }
    }
}

/// True when `path` names a YAML file, which `kql run` and `kql check` read as a rule.
pub fn is_rule_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Reads the query of `kql run` or `kql check`: a rule file's query when QUERY is a `.yaml`
/// or `.yml` file, else the `.kql` file, standard input or `--query` text.
pub fn load_query(args: &QueryArgs) -> Result<LoadedQuery, Failure> {
    if let Some(path) = args.file.as_deref().filter(|path| is_rule_path(path)) {
        let rule = Rule::load(path).map_err(Failure::Input)?;
        return Ok(LoadedQuery {
            text: rule.query.clone(),
            shown: rule.shown_text(),
            rule: Some(rule),
        });
    }
    let query = read_query(args)?;
    Ok(LoadedQuery {
        text: query.text.clone(),
        shown: query,
        rule: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        parse_duration(text).expect("a duration").as_secs()
    }

    #[test]
    fn durations_in_both_forms() {
        assert_eq!(secs("5m"), 300);
        assert_eq!(secs("5h"), 5 * 3600);
        assert_eq!(secs("1d"), 86_400);
        assert_eq!(secs("14d"), 14 * 86_400);
        assert_eq!(secs("30s"), 30);
        assert_eq!(secs("PT1H"), 3600);
        assert_eq!(secs("PT5M"), 300);
        assert_eq!(secs("P1D"), 86_400);
        assert_eq!(secs("P1DT12H"), 36 * 3600);
        assert_eq!(secs("P2W"), 14 * 86_400);
        assert_eq!(secs("pt10m"), 600);
        assert_eq!(
            parse_duration("PT1.5S").expect("a fraction of seconds"),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn durations_that_are_not() {
        for text in [
            "", "5", "h", "5x", "P", "PT", "P1M", "P1Y", "PT1D", "P1H", "P1.5D", "-5m",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} was accepted");
        }
        assert!(
            parse_duration("5 hours")
                .unwrap_err()
                .contains("`5 hours` is not a duration")
        );
    }

    #[test]
    fn triggers_compare_the_row_count() {
        let trigger = |operator, threshold| Trigger {
            operator,
            threshold,
        };
        assert!(trigger(TriggerOperator::GreaterThan, 0).fires(1));
        assert!(!trigger(TriggerOperator::GreaterThan, 0).fires(0));
        assert!(trigger(TriggerOperator::LessThan, 3).fires(2));
        assert!(!trigger(TriggerOperator::LessThan, 3).fires(3));
        assert!(trigger(TriggerOperator::Equal, 2).fires(2));
        assert!(trigger(TriggerOperator::NotEqual, 2).fires(0));
        assert_eq!(
            TriggerOperator::parse("GreaterThan"),
            Some(TriggerOperator::GreaterThan)
        );
        assert_eq!(
            TriggerOperator::parse("NE"),
            Some(TriggerOperator::NotEqual)
        );
        assert_eq!(TriggerOperator::parse("ge"), None);
    }

    const RULE: &str = "\
id: 5bd6a8a5-63c5-4c25-9f3a-000000000001
name: Test rule
queryFrequency: 1h
queryPeriod: P1D
triggerOperator: gt
triggerThreshold: 2
query: |
  Events
  | where Name == 'x'

  | project Name
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: FullName
        columnName: Computer
customDetails:
  Detail: Name
";

    #[test]
    fn a_rule_file() {
        let rule = Rule::parse(Path::new("r.yaml"), RULE.to_string()).expect("a rule");
        assert_eq!(
            rule.query,
            "Events\n| where Name == 'x'\n\n| project Name\n"
        );
        assert_eq!(
            rule.query_period.as_ref().map(|d| d.duration.as_secs()),
            Some(86_400)
        );
        assert_eq!(
            rule.query_frequency.as_ref().map(|d| d.text.as_str()),
            Some("1h")
        );
        assert_eq!(rule.trigger.threshold, 2);
        assert_eq!(
            rule.entity_mappings[0].field_mappings[0].column_name,
            "Computer"
        );
        assert_eq!(rule.custom_details, vec![("Detail".into(), "Name".into())]);
        assert!(rule.block.is_some());
    }

    #[test]
    fn query_offsets_map_into_the_file() {
        let rule = Rule::parse(Path::new("r.yaml"), RULE.to_string()).expect("a rule");
        let at = rule.query.find("Name ==").expect("in the query");
        let diagnostic = Diagnostic {
            span: Some(Span::new(at, at + 4)),
            ..Diagnostic::new(DiagnosticKind::Semantic, "x")
        };
        let placed = rule.place_diagnostics(vec![diagnostic]);
        let span = placed[0].span.expect("a span");
        assert_eq!(&RULE[span.start..span.end], "Name");
        assert_eq!(
            RULE[..span.start].matches('\n').count(),
            8,
            "on the file's 9th line"
        );
    }

    #[test]
    fn entity_columns_missing_from_the_result() {
        let rule = Rule::parse(Path::new("r.yaml"), RULE.to_string()).expect("a rule");
        let schema = Schema::new(vec![kql_engine::types::KustoType::String.field("Name")]);
        let missing = rule.missing_columns(&schema);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.contains("no column `Computer`"));
        let span = missing[0].span.expect("points at the mapping");
        assert_eq!(&RULE[span.start..span.end], "Computer");
    }

    #[test]
    fn bad_rule_files_say_where() {
        let error = Rule::parse(Path::new("r.yaml"), "name: x\n".into()).unwrap_err();
        assert!(error.contains("no `query` field"), "{error}");
        let error = Rule::parse(
            Path::new("r.yaml"),
            "query: x\nqueryPeriod: 5 days\n".into(),
        )
        .unwrap_err();
        assert!(
            error.starts_with("r.yaml: queryPeriod: `5 days`"),
            "{error}"
        );
        let error = Rule::parse(Path::new("r.yaml"), "query: [\n".into()).unwrap_err();
        assert!(error.starts_with("r.yaml: line "), "{error}");
    }
}
