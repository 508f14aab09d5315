//! Any bytes read as a Windows event log (see `kql_fuzz::loaders::load`): without a schema
//! as `WindowsEvent`, with the `SecurityEvent` schema as Security 4688 events.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kql_fuzz::loaders::load(data, "evtx"));
