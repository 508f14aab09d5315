//! The `load_*` targets' harness: bytes written to a scratch file and read by the loader its
//! extension selects, the ways the engine reads files.
//!
//! The loaders only take paths, so each process writes its inputs to one file under
//! `/dev/shm` (memory, no disk writes), named with the process id so that runs of different
//! targets or developers do not clash.

use std::path::PathBuf;
use std::sync::OnceLock;

use arrow::compute::concat_batches;
use kql_engine::catalog::{Catalog, TableSchema};
use kql_engine::source::{DEFAULT_BATCH_SIZE, LoadOptions, LoadedTable, load_file, peek_columns};
use kql_engine::types::KustoType;

/// Columns of the `SecurityEvent` schema read with a projection, as a query that uses only
/// them would: one the sample files have of each type, and one no file has.
const PROJECTION: &[&str] = &["TimeGenerated", "EventID", "CommandLine", "NoSuchColumn"];

/// Lets the panics kql contains (the parquet crate's, which a Parquet load turns into an
/// error) unwind to kql instead of aborting in libFuzzer's panic hook. Every other panic still
/// aborts, and one that escapes kql is caught by libFuzzer's harness, which aborts too.
fn let_contained_panics_unwind() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !kql_engine::source::panic_is_contained() {
                libfuzzer_hook(info);
            }
        }));
    });
}

/// Writes `data` to this process's scratch file with `extension` and loads it without a
/// schema, with the `SecurityEvent` schema, skipping bad rows, with a projection and with
/// small batches.
///
/// # Panics
///
/// When a loader panics, when a loaded table is malformed (a batch with another schema or too
/// many rows), or when [`peek_columns`] announces other columns than loading gives: the
/// engine relies on both agreeing when it registers a file without reading it.
pub fn load(data: &[u8], extension: &str) {
    let_contained_panics_unwind();
    let path = scratch_path(extension);
    std::fs::write(&path, data).expect("the scratch file can be written");
    let schema = security_event();
    let projection: Vec<String> = PROJECTION.iter().map(|name| name.to_string()).collect();
    for schema in [None, Some(schema)] {
        let full = LoadOptions {
            schema,
            ..LoadOptions::default()
        };
        let whole = checked_load(&path, &full);
        // Skipping bad rows changes nothing in a file without any, and never panics.
        let skipping = LoadOptions {
            skip_bad_rows: true,
            ..full
        };
        let lenient = checked_load(&path, &skipping);
        if let (Some(whole), Some(lenient)) = (&whole, &lenient) {
            assert!(
                lenient.skipped.is_empty(),
                "rows skipped from a file that loads"
            );
            assert_eq!(whole.num_rows(), lenient.num_rows(), "skipping lost rows");
        }
        if let (Ok(Some(peeked)), Some(whole)) = (peek_columns(&path, schema), &whole) {
            let announced: Vec<_> = peeked
                .iter()
                .map(|c| (c.name.clone(), Some(c.ty)))
                .collect();
            assert_eq!(
                announced,
                column_types(whole),
                "peek_columns disagrees with load_file"
            );
        }
        let projected = LoadOptions {
            schema,
            columns: Some(&projection),
            batch_size: 2,
            skip_bad_rows: false,
        };
        let part = checked_load(&path, &projected);
        if let Some(whole) = &whole {
            // The engine reads only the columns a query uses: that must not change them.
            let part = part.expect("a projection of a file that loads whole loads");
            assert_same_columns(whole, &part);
        }
    }
    if matches!(extension, "csv" | "parquet") {
        check_streamed_chain(&path);
    }
    // Not needed any more; removing it keeps /dev/shm clean when the run ends.
    let _ = std::fs::remove_file(&path);
}

/// A hunt's `let` over the file as `SecurityEvent`: a time range first (which may skip
/// Parquet row groups), a computed column, a `where` on it, and carried columns (read for the
/// kept rows only).
const CHAIN: &str = "SecurityEvent
| where TimeGenerated >= datetime(2026-01-01)
| extend Length = strlen(CommandLine)
| where Length % 7 == 3 or CommandLine has 'bitsadmin'
| project TimeGenerated, Computer, EventID, Length";

/// Streams [`CHAIN`] over the file as the engine reads registered files, and again checking
/// every row ([`kql_engine::Options::check_every_row`]).
///
/// # Panics
///
/// When either run panics, or when the run checking every row answers and the default run,
/// which reads less of the file, answers differently or fails.
fn check_streamed_chain(path: &std::path::Path) {
    let checked = streamed_chain(path, true);
    let default = streamed_chain(path, false);
    if let Some(Ok(checked)) = checked {
        match default {
            Some(Ok(default)) => assert!(checked == default, "reading less changed the answer"),
            // Only a slower machine moment, not a difference between the readings.
            Some(Err(error)) if error.contains("longer than its time budget") => {}
            Some(Err(error)) => panic!("reading less failed where reading all answers: {error}"),
            None => panic!("the file registered once and not twice"),
        }
    }
}

/// The chain's rows in one batch; `None` when the file does not register.
fn streamed_chain(
    path: &std::path::Path,
    check_every_row: bool,
) -> Option<Result<Option<arrow::array::RecordBatch>, String>> {
    let limits = kql_engine::Limits {
        threads: Some(2),
        time_budget: Some(std::time::Duration::from_secs(2)),
        ..kql_engine::Limits::default()
    };
    let mut engine = kql_engine::Engine::new().with_options(kql_engine::Options {
        limits,
        check_every_row,
        ..kql_engine::Options::default()
    });
    engine.register_file("SecurityEvent", path).ok()?;
    let result = match engine.run(CHAIN) {
        Ok(result) => result,
        Err(error) => return Some(Err(error.to_string())),
    };
    let table = result.tables.first()?;
    let rows = if table.batches.is_empty() {
        None
    } else {
        Some(concat_batches(&table.schema, &table.batches).expect("one schema"))
    };
    Some(Ok(rows))
}

/// Loads the file; checks the batches of a table it loaded.
fn checked_load(path: &std::path::Path, options: &LoadOptions) -> Option<LoadedTable> {
    let table = match load_file(path, options) {
        Ok(table) => table,
        Err(error) => {
            let _ = error.to_string();
            return None;
        }
    };
    let limit = match options.batch_size {
        0 => DEFAULT_BATCH_SIZE,
        size => size,
    };
    for batch in &table.batches {
        assert_eq!(batch.schema(), table.schema, "a batch has another schema");
        assert!(
            batch.num_rows() <= limit,
            "a batch has more than {limit} rows"
        );
    }
    Some(table)
}

/// Each column's name and Kusto type.
fn column_types(table: &LoadedTable) -> Vec<(String, Option<KustoType>)> {
    let fields = table.schema.fields().iter();
    fields
        .map(|f| (f.name().clone(), KustoType::of_field(f)))
        .collect()
}

/// Checks that each column of `part` has the values of the same column of `whole`.
fn assert_same_columns(whole: &LoadedTable, part: &LoadedTable) {
    let whole_rows = concat_batches(&whole.schema, &whole.batches).expect("same schemas");
    let part_rows = concat_batches(&part.schema, &part.batches).expect("same schemas");
    for (index, field) in part.schema.fields().iter().enumerate() {
        let name = field.name();
        let expected = whole_rows
            .column_by_name(name)
            .unwrap_or_else(|| panic!("the projected column `{name}` is not in the table"));
        let found = part_rows.column(index);
        // Debug output as the fallback compares NaN equal to itself.
        let same = expected == found || format!("{expected:?}") == format!("{found:?}");
        assert!(same, "column `{name}` differs when read alone");
    }
}

fn scratch_path(extension: &str) -> PathBuf {
    let name = format!("kql-fuzz-{}.{extension}", std::process::id());
    PathBuf::from("/dev/shm").join(name)
}

fn security_event() -> &'static TableSchema {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(Catalog::builtin)
        .get("SecurityEvent")
        .expect("SecurityEvent is a built-in table")
}
