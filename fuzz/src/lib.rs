//! Shared pieces of kql's fuzz targets (see `fuzz_targets/`): the engine with a fixed set of
//! tables the `query` target runs text against, and the loader harness the `load_*` targets
//! feed bytes to.
//!
//! Each target only calls into here, so that a crash found by `cargo fuzz` reproduces in a
//! plain test that calls the same public API.

pub mod loaders;
pub mod parse;
pub mod tables;

/// The longest query text the `query` target runs, in bytes. Longer inputs are skipped, so
/// that a slow unit is slow because of what the query does, not because it is huge.
pub const MAX_QUERY_BYTES: usize = 4096;

/// The `now` of every query run, in nanoseconds since 1970: 2026-11-27T12:00:00Z, the instant
/// the project's sample data is queried at, so `ago()` reaches the sample rows.
pub const NOW: i64 = 1_795_780_800_000_000_000;
