//! Inputs the fuzz targets in `fuzz/` found to crash kql, one test per finding, each asserting
//! the error kql now gives. The inputs are in `tests/data/fuzz/`, unchanged.

use std::path::Path;

use kql_engine::{Engine, Error};

/// `load_parquet`, 2026-12-04: a footer that puts a column chunk at a negative offset, on
/// which the parquet crate panics when it reads the chunk. kql checks the chunk ranges first.
#[test]
fn a_parquet_footer_with_chunks_outside_the_file_is_an_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/parquet_negative_chunk_offset.parquet");
    let mut engine = Engine::new();
    let outcome = engine
        .register_file("T", &path)
        .and_then(|()| engine.run("T").map(|_| ()));
    let Err(Error::Load(error)) = outcome else {
        panic!("expected a load error, got {outcome:?}");
    };
    assert_eq!(error.path, path);
    assert!(error.message.contains("footer is damaged"), "{error}");
    assert!(error.message.contains("outside the file"), "{error}");
}

/// Loads `tests/data/fuzz/NAME` as table `T` and runs each query, expecting the same load
/// error every time.
fn assert_load_error(name: &str, queries: &[&str], expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(name);
    for query in queries {
        let mut engine = Engine::new();
        let outcome = engine
            .register_file("T", &path)
            .and_then(|()| engine.run(query).map(|_| ()));
        let Err(Error::Load(error)) = outcome else {
            panic!("{query}: expected a load error, got {outcome:?}");
        };
        assert_eq!(error.path, path);
        assert_eq!(error.message, expected, "{query}");
    }
}

/// `load_parquet`, 2026-12-04: a data page that says it is dictionary-encoded, in a column
/// chunk with no dictionary page, on which the parquet crate's decoder panics. kql contains
/// the crate's panics (`source/parquet/contain.rs`, tested there); this file's second page
/// header is now refused before, as it runs past its column chunk.
#[test]
fn a_parquet_data_page_without_its_dictionary_is_an_error() {
    let expected = "cannot read: the file is damaged: page 2 of column `EventID` in row group 1 \
                    has a header that does not fit in the column";
    let queries = ["T", "T | where isnotempty(EventID)", "T | project EventID"];
    assert_load_error(
        "parquet_dictionary_page_missing.parquet",
        &queries,
        expected,
    );
}

/// `load_parquet`, 2026-12-04: a data page header without its data page fields, on which the
/// parquet crate panics when it peeks at the header (a check of kql's own called it; the
/// crate's reading gives an error).
#[test]
fn a_parquet_data_page_without_its_header_fields_is_an_error() {
    let expected =
        "cannot read: Parquet argument error: Parquet error: Missing V1 data page header";
    let queries = ["T", "T | where isnotempty(EventID)"];
    assert_load_error(
        "parquet_data_page_header_missing.parquet",
        &queries,
        expected,
    );
}

/// `load_parquet`, 2026-12-04 (an out-of-memory report): a 1.5 KB file whose Snappy page
/// header claims 1.9 GB uncompressed, which the parquet crate allocates and zero-fills before
/// it finds the page shorter. kql checks each page's claim against what Snappy can produce.
#[test]
fn a_parquet_page_claiming_more_than_snappy_can_produce_is_an_error() {
    let expected = "cannot read: the file is damaged: page 1 of column `T\\u{c}meGenerated` in row \
                    group 1 claims 1893843846 bytes uncompressed from 18 Snappy-compressed \
                    bytes, more than Snappy can produce";
    let queries = ["T", "T | where isnotempty(Computer)"];
    assert_load_error("parquet_snappy_page_claims_2gb.parquet", &queries, expected);
}

/// `load_parquet`, 2026-12-04 (a timeout): a footer holding a list that claims billions of
/// booleans in a few bytes, which the parquet crate spends about a second skipping (a list of
/// such lists would take hours). kql walks the footer first, a byte per boolean.
#[test]
fn a_parquet_footer_claiming_more_than_its_bytes_is_an_error() {
    let expected = "cannot read: the footer is damaged: it claims more than its bytes hold";
    let queries = ["T", "T | where isnotempty(Computer)"];
    assert_load_error(
        "parquet_footer_list_claims_billions.parquet",
        &queries,
        expected,
    );
}

/// `load_parquet`, 2026-12-04 (a timeout): a row group claiming -10 rows, over which the
/// parquet crate's reader spent almost three minutes on a 3 KB file. kql refuses the footer.
#[test]
fn a_parquet_row_group_claiming_negative_rows_is_an_error() {
    let expected = "cannot read: the footer is damaged: row group 1 claims -10 rows";
    let queries = ["T", "T | count", "T | where Millis > datetime(2026-01-01)"];
    assert_load_error(
        "parquet_row_group_claims_negative_rows.parquet",
        &queries,
        expected,
    );
}

/// `load_parquet`, 2026-12-04 (a wrong answer, found by comparing a streamed chain with the
/// same chain checking every row): `TimeGenerated`'s statistics give a maximum in 2012, below
/// its minimum and its values in 2026. Skipping row groups by their statistics alone dropped
/// both rows; kql now reads the ruling column to confirm before it skips a group.
#[test]
fn a_parquet_file_whose_statistics_lie_gives_the_rows_a_whole_read_gives() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/parquet_statistics_max_below_min.parquet");
    let query = "SecurityEvent | where TimeGenerated >= datetime(2026-01-01) \
                 | project TimeGenerated, EventID";
    for check_every_row in [false, true] {
        let mut engine = Engine::new().with_options(kql_engine::Options {
            check_every_row,
            ..kql_engine::Options::default()
        });
        engine.register_file("SecurityEvent", &path).unwrap();
        let result = engine.run(query).unwrap();
        assert_eq!(
            result.tables[0].num_rows(),
            2,
            "check_every_row: {check_every_row}"
        );
    }
}
