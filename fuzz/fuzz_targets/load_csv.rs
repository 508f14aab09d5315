//! Any bytes read as a CSV file (see `kql_fuzz::loaders::load`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kql_fuzz::loaders::load(data, "csv"));
