//! Checks of a row group's pages that the parquet crate's decoders rely on without checking.
//!
//! A data page that says it is dictionary-encoded, in a column chunk with no dictionary page
//! before it, ends in an `expect` inside the crate's decoder (found by the `load_parquet` fuzz
//! target). The crate does not let a reader put its own page reader in front of the decoders,
//! so the chunks are checked before they are decoded: a chunk that starts with a dictionary
//! page is safe and costs one page header read; only a chunk without one has its pages read
//! to see their encodings (decompressed once more, since the header alone does not say it).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::arrow::ProjectionMask;
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::errors::Result;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::serialized_reader::SerializedPageReader;

use super::LoadError;

/// Fails when a data page of a `mask` column in row group `group` is dictionary-encoded but
/// its chunk has no dictionary page.
pub(super) fn check_dictionary_pages(
    path: &Path,
    file: &File,
    metadata: &ParquetMetaData,
    mask: &ProjectionMask,
    group: usize,
) -> Result<(), LoadError> {
    let Some(row_group) = metadata.row_groups().get(group) else {
        return Ok(());
    };
    let file = file
        .try_clone()
        .map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    let file = Arc::new(file);
    let rows = usize::try_from(row_group.num_rows()).unwrap_or(0);
    for (leaf, chunk) in row_group.columns().iter().enumerate() {
        if !mask.leaf_included(leaf) {
            continue;
        }
        let unreadable =
            |e: parquet::errors::ParquetError| LoadError::new(path, format!("cannot read: {e}"));
        let pages =
            SerializedPageReader::new(Arc::clone(&file), chunk, rows, None).map_err(unreadable)?;
        if !has_dictionary_first(pages).map_err(unreadable)? {
            let pages = SerializedPageReader::new(Arc::clone(&file), chunk, rows, None)
                .map_err(unreadable)?;
            if let Some(page) = first_dictionary_encoded(pages).map_err(unreadable)? {
                let message = format!(
                    "cannot read: the file is damaged: page {page} of column `{}` in row group \
                     {} is dictionary-encoded, but the column has no dictionary page",
                    chunk.column_path().string(),
                    group + 1,
                );
                return Err(LoadError::new(path, message));
            }
        }
    }
    Ok(())
}

/// Whether the chunk's first page is its dictionary, from the page header alone.
fn has_dictionary_first(mut pages: impl PageReader) -> Result<bool> {
    Ok(pages.peek_next_page()?.is_some_and(|page| page.is_dict))
}

/// The number (from 1) of the first data page that is dictionary-encoded, in a chunk that has
/// no dictionary page before it.
fn first_dictionary_encoded(pages: impl PageReader) -> Result<Option<usize>> {
    for (index, page) in pages.enumerate() {
        match page? {
            Page::DictionaryPage { .. } => return Ok(None),
            Page::DataPage { encoding, .. } | Page::DataPageV2 { encoding, .. } => {
                if matches!(
                    encoding,
                    Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY
                ) {
                    return Ok(Some(index + 1));
                }
            }
        }
    }
    Ok(None)
}
