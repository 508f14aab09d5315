//! Rows of an event log table, built a batch at a time: each event sets the cells it has by
//! column name, and each cell is read as its column's Kusto type when the row is added.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, DurationNanosecondBuilder, Float64Builder, Int32Builder,
    Int64Builder, RecordBatch, StringBuilder, TimestampNanosecondBuilder,
};
use arrow::datatypes::{Schema, SchemaRef};

use super::record::parse_integer;
use crate::catalog::ColumnSchema;
use crate::source::datetime::{DateOrder, parse_datetime};
use crate::types::KustoType;

/// A value an event gives a column, before it is read as the column's type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Text, read as the column's type (`0x` hexadecimal for whole numbers too).
    Text(String),
    /// A whole number.
    Long(i64),
    /// An instant, in nanoseconds since 1970 (UTC).
    Time(i64),
    /// A JSON value, as compact JSON text: for `dynamic` columns.
    Json(String),
}

/// The cells of one row, by output column; columns not asked for are not kept.
pub(super) struct Row<'a> {
    positions: &'a HashMap<String, usize>,
    cells: Vec<Option<Cell>>,
}

impl Row<'_> {
    /// Sets a column's cell; a column the output does not have is ignored. Empty text stays
    /// no value, so that a later, better source can still fill the column.
    pub fn set(&mut self, column: &str, cell: Cell) {
        if matches!(&cell, Cell::Text(text) if text.is_empty()) {
            return;
        }
        if let Some(slot) = self
            .positions
            .get(column)
            .and_then(|&i| self.cells.get_mut(i))
        {
            *slot = Some(cell);
        }
    }

    /// Sets a column from optional whole number.
    pub fn set_long(&mut self, column: &str, value: Option<i64>) {
        if let Some(value) = value {
            self.set(column, Cell::Long(value));
        }
    }

    /// Whether the output has the column at all (it may not, under a projection).
    pub fn wants(&self, column: &str) -> bool {
        self.positions.contains_key(column)
    }
}

/// A cell that cannot be read as its column's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CellError {
    pub column: String,
    pub message: String,
}

/// The output columns and the rows of the batch being built.
pub(super) struct Columns {
    columns: Vec<ColumnSchema>,
    positions: HashMap<String, usize>,
    schema: SchemaRef,
    builders: Vec<Builder>,
    rows: usize,
}

impl Columns {
    /// Builds rows of these columns, in this order.
    pub fn new(columns: Vec<ColumnSchema>) -> Columns {
        let positions = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        let fields: Vec<_> = columns
            .iter()
            .map(|c| c.ty.field(c.name.as_str()))
            .collect();
        let builders = columns.iter().map(|c| Builder::new(c.ty)).collect();
        Columns {
            columns,
            positions,
            schema: Arc::new(Schema::new(fields)),
            builders,
            rows: 0,
        }
    }

    /// The Kusto-typed schema of every batch.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// A row with no cells set, to fill and [`Columns::push`].
    pub fn row(&self) -> Row<'_> {
        Row {
            positions: &self.positions,
            cells: vec![None; self.columns.len()],
        }
    }

    /// The rows in the batch being built.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Adds a row. Every cell is read first, so a row with a bad cell is not added at all.
    pub fn push(&mut self, cells: Vec<Option<Cell>>) -> Result<(), CellError> {
        let mut values = Vec::with_capacity(cells.len());
        for (cell, column) in cells.into_iter().zip(&self.columns) {
            let value = match cell {
                None => Value::Null,
                Some(cell) => read(cell, column.ty).ok_or_else(|| CellError {
                    column: column.name.clone(),
                    message: format!("the value is not a {}", column.ty),
                })?,
            };
            values.push(value);
        }
        for (builder, value) in self.builders.iter_mut().zip(values) {
            builder.append(value);
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows built so far as a batch; the builders start again empty.
    pub fn finish(&mut self) -> Result<RecordBatch, arrow::error::ArrowError> {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

impl Row<'_> {
    /// The cells set, by output column.
    pub fn into_cells(self) -> Vec<Option<Cell>> {
        self.cells
    }
}

/// A cell read as its column's type.
enum Value {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
    Bool(bool),
}

/// Reads a cell as a Kusto type; `None` when it is not one.
fn read(cell: Cell, ty: KustoType) -> Option<Value> {
    Some(match (ty, cell) {
        (KustoType::String | KustoType::Guid, Cell::Text(text) | Cell::Json(text)) => {
            Value::Text(text)
        }
        (KustoType::String | KustoType::Guid, Cell::Long(n)) => Value::Text(n.to_string()),
        (KustoType::String | KustoType::Guid, Cell::Time(t)) => {
            Value::Text(crate::format::datetime(t))
        }
        (KustoType::Dynamic, Cell::Json(text)) => Value::Text(text),
        (KustoType::Dynamic, Cell::Text(text)) => {
            Value::Text(serde_json::Value::String(text).to_string())
        }
        (KustoType::Dynamic, Cell::Long(n)) => Value::Text(n.to_string()),
        (KustoType::Int, Cell::Long(n)) => Value::Int(i64::from(i32::try_from(n).ok()?)),
        (KustoType::Int, Cell::Text(text)) => {
            Value::Int(i64::from(i32::try_from(parse_integer(&text)?).ok()?))
        }
        (KustoType::Long, Cell::Long(n)) => Value::Int(n),
        (KustoType::Long, Cell::Text(text)) => Value::Int(parse_integer(&text)?),
        (KustoType::Real | KustoType::Decimal, Cell::Long(n)) => Value::Real(n as f64),
        (KustoType::Real | KustoType::Decimal, Cell::Text(text)) => {
            Value::Real(text.trim().parse().ok()?)
        }
        (KustoType::Bool, Cell::Text(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return None,
        },
        (KustoType::DateTime, Cell::Time(t)) => Value::Int(t),
        (KustoType::DateTime, Cell::Text(text)) => {
            Value::Int(parse_datetime(&text, DateOrder::MonthFirst)?)
        }
        _ => return None,
    })
}

/// An Arrow builder for one Kusto type.
enum Builder {
    Text(StringBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Real(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampNanosecondBuilder),
    Span(DurationNanosecondBuilder),
}

impl Builder {
    fn new(ty: KustoType) -> Builder {
        match ty {
            KustoType::String | KustoType::Guid | KustoType::Dynamic => {
                Builder::Text(StringBuilder::new())
            }
            KustoType::Int => Builder::Int(Int32Builder::new()),
            KustoType::Long => Builder::Long(Int64Builder::new()),
            KustoType::Real | KustoType::Decimal => Builder::Real(Float64Builder::new()),
            KustoType::Bool => Builder::Bool(BooleanBuilder::new()),
            KustoType::DateTime => {
                Builder::Time(TimestampNanosecondBuilder::new().with_timezone("UTC"))
            }
            KustoType::TimeSpan => Builder::Span(DurationNanosecondBuilder::new()),
        }
    }

    /// Appends a value [`read`] gave for this builder's type; a string column's "no value"
    /// is `""`, never null, as Kusto's strings are.
    fn append(&mut self, value: Value) {
        match (self, value) {
            (Builder::Text(b), Value::Text(text)) => b.append_value(text),
            (Builder::Text(b), _) => b.append_value(""),
            (Builder::Int(b), Value::Int(n)) => b.append_option(i32::try_from(n).ok()),
            (Builder::Long(b), Value::Int(n)) => b.append_value(n),
            (Builder::Real(b), Value::Real(x)) => b.append_value(x),
            (Builder::Bool(b), Value::Bool(x)) => b.append_value(x),
            (Builder::Time(b), Value::Int(t)) => b.append_value(t),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Long(b), _) => b.append_null(),
            (Builder::Real(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
            (Builder::Time(b), _) => b.append_null(),
            (Builder::Span(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Long(b) => Arc::new(b.finish()),
            Builder::Real(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Span(b) => Arc::new(b.finish()),
        }
    }
}
