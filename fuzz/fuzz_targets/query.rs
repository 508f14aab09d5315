//! Any text run as a query over the fixed tables (see `kql_fuzz::tables`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > kql_fuzz::MAX_QUERY_BYTES {
        return;
    }
    kql_fuzz::tables::run_query(&String::from_utf8_lossy(data));
});
