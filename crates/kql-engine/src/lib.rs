//! kql-engine (under construction)
pub mod types;
