//! Seeded test data for the BITS hunt (`queries/bits/bits_jobs.kql`): the `SecurityEvent`,
//! `DeviceProcessEvents` and `DeviceEvents` tables at any size, with realistic Windows command
//! lines, a small share of BITS transfers (some obfuscated), near misses, and incidents that
//! share their time across tables so the hunt's joins pair them.
//!
//! The `kql-datagen` binary writes them as CSV and Parquet; the engine's benchmarks build
//! batches in memory with [`tables::batch`].

#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod lines;
pub mod rng;
pub mod tables;
pub mod write;
