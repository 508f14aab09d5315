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

/// `load_parquet`, 2026-12-04: a data page that says it is dictionary-encoded, in a column
/// chunk with no dictionary page, on which the parquet crate's decoder panics. kql checks the
/// chunks of the columns it reads first, both when it reads the table whole and when it
/// streams a `where` over its row groups.
#[test]
fn a_parquet_data_page_without_its_dictionary_is_an_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/parquet_dictionary_page_missing.parquet");
    for query in ["T", "T | where EventID > 0", "T | project EventID"] {
        let mut engine = Engine::new();
        let outcome = engine
            .register_file("T", &path)
            .and_then(|()| engine.run(query).map(|_| ()));
        let Err(Error::Load(error)) = outcome else {
            panic!("{query}: expected a load error, got {outcome:?}");
        };
        assert_eq!(error.path, path);
        let expected = "cannot read: the file is damaged: page 1 of column `EventID` in row \
                        group 1 is dictionary-encoded, but the column has no dictionary page";
        assert_eq!(error.message, expected, "{query}");
    }
}
