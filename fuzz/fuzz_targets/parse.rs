//! Any bytes, as text, through the parser (see `kql_fuzz::parse::check`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The parser takes `&str`; invalid UTF-8 is replaced, so every input reaches it.
    kql_fuzz::parse::check(&String::from_utf8_lossy(data));
});
