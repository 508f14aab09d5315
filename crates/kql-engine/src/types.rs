//! Kusto scalar types and their one mapping onto Arrow types.
//!
//! | Kusto      | Arrow                          |
//! |------------|--------------------------------|
//! | `bool`     | `Boolean`                      |
//! | `int`      | `Int32`                        |
//! | `long`     | `Int64`                        |
//! | `real`     | `Float64`                      |
//! | `decimal`  | `Float64` (tagged `decimal`)   |
//! | `string`   | `Utf8`                         |
//! | `datetime` | `Timestamp(Nanosecond, "UTC")` |
//! | `timespan` | `Duration(Nanosecond)`         |
//! | `guid`     | `Utf8` (tagged `guid`)         |
//! | `dynamic`  | `Utf8` holding JSON (tagged)   |
//!
//! Types that share an Arrow type are told apart by the field metadata key
//! [`KUSTO_TYPE_KEY`], so a `RecordBatch` alone says what Kusto type each column has.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use arrow::datatypes::{DataType, Field, TimeUnit};

/// The Arrow field metadata key that records a column's Kusto type.
pub const KUSTO_TYPE_KEY: &str = "kql.type";

/// A Kusto scalar type.
///
/// ```
/// use kql_engine::types::KustoType;
/// assert_eq!("datetime".parse::<KustoType>().unwrap(), KustoType::DateTime);
/// assert_eq!(KustoType::TimeSpan.to_string(), "timespan");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KustoType {
    /// `bool`: true, false or null.
    Bool,
    /// `int`: 32-bit signed integer.
    Int,
    /// `long`: 64-bit signed integer; the type of integer literals.
    Long,
    /// `real` (alias `double`): 64-bit float.
    Real,
    /// `decimal`: 128-bit decimal in Kusto; held as a float here.
    Decimal,
    /// `string`: UTF-8 text, never null (the empty string stands for "no value").
    String,
    /// `datetime` (alias `date`): an instant in UTC.
    DateTime,
    /// `timespan` (alias `time`): a signed duration.
    TimeSpan,
    /// `guid` (alias `uuid`, `uniqueid`).
    Guid,
    /// `dynamic`: a JSON-like value (array, property bag or scalar).
    Dynamic,
}

impl KustoType {
    /// The Arrow data type that holds values of this Kusto type.
    pub fn to_arrow(self) -> DataType {
        match self {
            KustoType::Bool => DataType::Boolean,
            KustoType::Int => DataType::Int32,
            KustoType::Long => DataType::Int64,
            KustoType::Real | KustoType::Decimal => DataType::Float64,
            KustoType::String | KustoType::Guid | KustoType::Dynamic => DataType::Utf8,
            KustoType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            KustoType::TimeSpan => DataType::Duration(TimeUnit::Nanosecond),
        }
    }

    /// An Arrow field of this type, tagged with [`KUSTO_TYPE_KEY`] metadata.
    ///
    /// Every field is nullable: only strings are never null in Kusto, and those are
    /// kept non-null by the engine, not by the schema.
    pub fn field(self, name: impl Into<String>) -> Field {
        let metadata = HashMap::from([(KUSTO_TYPE_KEY.to_string(), self.to_string())]);
        Field::new(name, self.to_arrow(), true).with_metadata(metadata)
    }

    /// The Kusto type of an Arrow field: its metadata tag when present, else the type
    /// that Arrow's data type naturally maps to. `None` for Arrow types Kusto has no
    /// counterpart for.
    pub fn of_field(field: &Field) -> Option<KustoType> {
        if let Some(Ok(ty)) = field.metadata().get(KUSTO_TYPE_KEY).map(|tag| tag.parse()) {
            return Some(ty);
        }
        KustoType::of_arrow(field.data_type())
    }

    /// The Kusto type an Arrow data type maps to, without metadata.
    pub fn of_arrow(data_type: &DataType) -> Option<KustoType> {
        Some(match data_type {
            DataType::Boolean => KustoType::Bool,
            DataType::Int8 | DataType::Int16 | DataType::Int32 => KustoType::Int,
            DataType::UInt8 | DataType::UInt16 => KustoType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => KustoType::Long,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => KustoType::Real,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KustoType::String,
            DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => KustoType::DateTime,
            DataType::Duration(_) => KustoType::TimeSpan,
            _ => return None,
        })
    }

    /// True for `int`, `long`, `real` and `decimal`.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            KustoType::Int | KustoType::Long | KustoType::Real | KustoType::Decimal
        )
    }
}

impl fmt::Display for KustoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KustoType::Bool => "bool",
            KustoType::Int => "int",
            KustoType::Long => "long",
            KustoType::Real => "real",
            KustoType::Decimal => "decimal",
            KustoType::String => "string",
            KustoType::DateTime => "datetime",
            KustoType::TimeSpan => "timespan",
            KustoType::Guid => "guid",
            KustoType::Dynamic => "dynamic",
        })
    }
}

/// The error of parsing an unknown type name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown type `{0}`")]
pub struct UnknownType(pub String);

impl FromStr for KustoType {
    type Err = UnknownType;

    /// Parses a Kusto type name, including the documented aliases
    /// (`boolean`, `double`, `date`, `time`, `uuid`, `uniqueid`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(match name {
            "bool" | "boolean" => KustoType::Bool,
            "int" => KustoType::Int,
            "long" => KustoType::Long,
            "real" | "double" => KustoType::Real,
            "decimal" => KustoType::Decimal,
            "string" => KustoType::String,
            "datetime" | "date" => KustoType::DateTime,
            "timespan" | "time" => KustoType::TimeSpan,
            "guid" | "uuid" | "uniqueid" => KustoType::Guid,
            "dynamic" => KustoType::Dynamic,
            other => return Err(UnknownType(other.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_field() {
        use KustoType::*;
        for ty in [
            Bool, Int, Long, Real, Decimal, String, DateTime, TimeSpan, Guid, Dynamic,
        ] {
            assert_eq!(KustoType::of_field(&ty.field("c")), Some(ty));
            assert_eq!(ty.to_string().parse::<KustoType>(), Ok(ty));
        }
    }
}
