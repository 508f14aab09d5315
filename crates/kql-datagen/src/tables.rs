//! The three tables' rows, built as Arrow record batches.
//!
//! Rows are spread evenly over [`Layout::span_days`] days before [`Layout::end`], in time order.
//! Every [`INCIDENT_EVERY`] rows one row belongs to an incident: a BITS transfer seen in some
//! or all of the three tables at the same instant (as one process creation is logged by
//! Windows, by Defender's process events and by Defender's device events), so the hunt's
//! joins on `TimeGenerated` pair them. Incidents are drawn from their own seeded stream and
//! so agree across tables of the same size.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Int32Builder, RecordBatch, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;

use crate::lines::{self, Process};
use crate::rng::Rng;

/// One row in this many is an incident row (in the tables the incident reaches).
pub const INCIDENT_EVERY: u64 = 1000;
/// Near misses per thousand other rows.
const NEAR_MISS_PER_MILLE: u64 = 5;
/// The stream number of incidents; tables use their own index.
const INCIDENT_STREAM: u64 = 99;

/// The tables the hunt reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Windows security events (4688 process creation, with command lines).
    SecurityEvent,
    /// Defender for Endpoint process creation events.
    DeviceProcessEvents,
    /// Defender for Endpoint miscellaneous device events.
    DeviceEvents,
}

impl Table {
    /// All three, in the order they are written.
    pub const ALL: [Table; 3] = [
        Table::SecurityEvent,
        Table::DeviceProcessEvents,
        Table::DeviceEvents,
    ];

    /// The table's name, which is also the file stem.
    pub fn name(self) -> &'static str {
        match self {
            Table::SecurityEvent => "SecurityEvent",
            Table::DeviceProcessEvents => "DeviceProcessEvents",
            Table::DeviceEvents => "DeviceEvents",
        }
    }

    fn bit(self) -> u64 {
        match self {
            Table::SecurityEvent => 1,
            Table::DeviceProcessEvents => 2,
            Table::DeviceEvents => 4,
        }
    }

    /// The columns an export of the table carries, in file order.
    pub fn schema(self) -> SchemaRef {
        let time = |name: &str| {
            let ty = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
            Field::new(name, ty, true)
        };
        let text = |name: &str| Field::new(name, DataType::Utf8, false);
        let fields = match self {
            Table::SecurityEvent => vec![
                time("TimeGenerated"),
                text("Computer"),
                Field::new("EventID", DataType::Int32, true),
                text("Activity"),
                text("Account"),
                text("AccountName"),
                text("SubjectUserName"),
                text("NewProcessName"),
                text("ParentProcessName"),
                text("CommandLine"),
            ],
            Table::DeviceProcessEvents | Table::DeviceEvents => {
                let mut fields = vec![
                    time("Timestamp"),
                    time("TimeGenerated"),
                    text("DeviceName"),
                    text("ActionType"),
                    text("FileName"),
                    text("FolderPath"),
                    text("ProcessCommandLine"),
                    text("AccountDomain"),
                    text("AccountName"),
                    text("InitiatingProcessFileName"),
                    text("InitiatingProcessCommandLine"),
                    text("InitiatingProcessAccountName"),
                    text("InitiatingProcessAccountUpn"),
                ];
                if self == Table::DeviceEvents {
                    fields.push(text("RemoteUrl"));
                }
                fields
            }
        };
        Arc::new(Schema::new(fields))
    }
}

/// Where rows fall in time, and the seed.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Rows per table.
    pub rows: u64,
    /// The seed every value derives from.
    pub seed: u64,
    /// The newest row's time, in microseconds since the Unix epoch.
    pub end: i64,
    /// How many days the rows cover, ending at `end`.
    pub span_days: i64,
}

impl Layout {
    fn start(&self) -> i64 {
        self.end - self.span_days * 86_400_000_000
    }

    /// Microseconds between consecutive rows, at least one millisecond.
    fn step(&self) -> i64 {
        let span = self.span_days * 86_400_000_000;
        (span / self.rows.max(1) as i64).max(1000)
    }

    /// A row's time: evenly spaced, jittered within its step, cut to milliseconds as
    /// Defender's exports are.
    fn time(&self, row: u64, rng: &mut Rng) -> i64 {
        let step = self.step();
        let jitter = rng.below(step as u64) as i64;
        let micros = self.start() + row as i64 * step + jitter;
        micros - micros.rem_euclid(1000)
    }
}

/// The incident that owns row `row` in the tables it reaches, if any.
struct Incident {
    tables: u64,
    time: i64,
    process: Process,
    device: String,
    user: &'static str,
}

fn incident_at(layout: &Layout, row: u64) -> Option<Incident> {
    let block = row / INCIDENT_EVERY;
    let mut rng = Rng::for_stream(layout.seed, INCIDENT_STREAM, block);
    if rng.below(INCIDENT_EVERY) != row % INCIDENT_EVERY {
        return None;
    }
    // Most incidents show in all three tables; some in one or two, for the outer joins.
    let tables = match rng.below(10) {
        0..=6 => 7,
        7 => 3,
        8 => 6,
        _ => 1 << rng.below(3),
    };
    let time = layout.time(row, &mut rng);
    let process = lines::hit(&mut rng);
    let device = device(&mut rng);
    let user = lines::user(&mut rng);
    Some(Incident {
        tables,
        time,
        process,
        device,
        user,
    })
}

fn device(rng: &mut Rng) -> String {
    let kinds = [
        "ws-fin", "ws-hr", "ws-dev", "ws-ops", "srv-app", "srv-sql", "srv-web",
    ];
    format!("{}-{:02}.contoso.local", rng.pick(&kinds), rng.below(60))
}

/// One row's values, shared by the three tables' layouts.
struct Row {
    time: i64,
    device: String,
    user: &'static str,
    process: Process,
    parent: Process,
}

fn row(layout: &Layout, table: Table, index: u64) -> Row {
    let mut rng = Rng::for_stream(layout.seed, table.bit(), index);
    if let Some(incident) = incident_at(layout, index).filter(|i| i.tables & table.bit() != 0) {
        let parent = lines::parent(&mut rng, incident.user);
        return Row {
            time: incident.time,
            device: incident.device,
            user: incident.user,
            process: incident.process,
            parent,
        };
    }
    let time = layout.time(index, &mut rng);
    let device = device(&mut rng);
    let user = lines::user(&mut rng);
    let process = if rng.chance(NEAR_MISS_PER_MILLE) {
        lines::near_miss(&mut rng)
    } else {
        lines::benign(&mut rng)
    };
    let parent = lines::parent(&mut rng, user);
    Row {
        time,
        device,
        user,
        process,
        parent,
    }
}

/// Builders for every column a table can have; each table fills the ones it has.
struct Columns {
    times: TimestampMicrosecondBuilder,
    ints: Int32Builder,
    texts: Vec<StringBuilder>,
}

impl Columns {
    fn new(texts: usize, rows: usize) -> Columns {
        Columns {
            times: TimestampMicrosecondBuilder::with_capacity(rows),
            ints: Int32Builder::with_capacity(rows),
            texts: (0..texts)
                .map(|_| StringBuilder::with_capacity(rows, rows * 32))
                .collect(),
        }
    }

    fn push_texts(&mut self, values: &[&str]) {
        for (builder, value) in self.texts.iter_mut().zip(values) {
            builder.append_value(value);
        }
    }
}

/// Rows `first..first + count` of `table`.
pub fn batch(
    layout: &Layout,
    table: Table,
    first: u64,
    count: u64,
) -> Result<RecordBatch, ArrowError> {
    let schema = table.schema();
    let text_columns = schema
        .fields()
        .iter()
        .filter(|f| f.data_type() == &DataType::Utf8)
        .count();
    let mut columns = Columns::new(text_columns, count as usize);
    let mut event_rng = Rng::for_stream(layout.seed, 50 + table.bit(), first);
    for index in first..first + count {
        let row = row(layout, table, index);
        columns.times.append_value(row.time);
        let upn = format!("{}@contoso.com", row.user);
        match table {
            Table::SecurityEvent => {
                columns.ints.append_value(4688);
                let computer = row.device.to_ascii_uppercase();
                let account = format!("CONTOSO\\{}", row.user);
                columns.push_texts(&[
                    &computer,
                    "4688 - A new process has been created.",
                    &account,
                    row.user,
                    row.user,
                    &row.process.image,
                    &row.parent.image,
                    &row.process.command_line,
                ]);
            }
            Table::DeviceProcessEvents => columns.push_texts(&[
                &row.device,
                "ProcessCreated",
                row.process.file_name(),
                &row.process.image,
                &row.process.command_line,
                "contoso",
                row.user,
                row.parent.file_name(),
                &row.parent.command_line,
                row.user,
                &upn,
            ]),
            Table::DeviceEvents => {
                // Device events name the acting process as the initiating one; the event's
                // own process command line is mostly empty.
                let actions = [
                    "PowerShellCommand",
                    "ProcessPrimaryTokenModified",
                    "DnsQueryResponse",
                ];
                let action = event_rng.pick(&actions);
                let url = if action == "DnsQueryResponse" {
                    "https://login.microsoftonline.com/"
                } else {
                    ""
                };
                columns.push_texts(&[
                    &row.device,
                    action,
                    row.process.file_name(),
                    &row.process.image,
                    "",
                    "contoso",
                    row.user,
                    row.process.file_name(),
                    &row.process.command_line,
                    row.user,
                    &upn,
                    url,
                ]);
            }
        }
    }
    finish(&schema, table, columns)
}

fn finish(
    schema: &SchemaRef,
    table: Table,
    mut columns: Columns,
) -> Result<RecordBatch, ArrowError> {
    let times: ArrayRef = Arc::new(columns.times.finish().with_timezone("UTC"));
    let mut texts = columns
        .texts
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef);
    let mut arrays: Vec<ArrayRef> = Vec::new();
    match table {
        Table::SecurityEvent => {
            arrays.push(times);
            arrays.extend(texts.next());
            arrays.push(Arc::new(columns.ints.finish()));
            arrays.extend(texts);
        }
        Table::DeviceProcessEvents | Table::DeviceEvents => {
            arrays.push(Arc::clone(&times)); // Timestamp
            arrays.push(times); // TimeGenerated: the same instant
            arrays.extend(texts);
        }
    }
    RecordBatch::try_new(Arc::clone(schema), arrays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::TimestampMicrosecondType;

    fn layout(rows: u64) -> Layout {
        Layout {
            rows,
            seed: 1,
            end: 1_795_000_000_000_000,
            span_days: 120,
        }
    }

    fn times(table: Table, rows: u64) -> Vec<i64> {
        let batch = batch(&layout(rows), table, 0, rows).unwrap();
        let column = batch.column_by_name("TimeGenerated").unwrap();
        column
            .as_primitive::<TimestampMicrosecondType>()
            .values()
            .to_vec()
    }

    #[test]
    fn batches_match_the_schema_and_are_reproducible() {
        for table in Table::ALL {
            let first = batch(&layout(5000), table, 100, 300).unwrap();
            let again = batch(&layout(5000), table, 100, 300).unwrap();
            assert_eq!(first, again);
            assert_eq!(first.num_rows(), 300);
            assert_eq!(first.schema(), table.schema());
            assert_eq!(first.column(0).null_count(), 0);
        }
    }

    #[test]
    fn incidents_share_their_time_across_tables() {
        let rows = 20_000;
        let tables: Vec<Vec<i64>> = Table::ALL.iter().map(|&t| times(t, rows)).collect();
        let shared = (0..rows as usize)
            .filter(|&i| tables[0][i] == tables[1][i] && tables[1][i] == tables[2][i])
            .count();
        // About 70 % of the 20 incidents reach all three tables; other rows almost never agree.
        assert!((8..=20).contains(&shared), "{shared}");
    }
}
