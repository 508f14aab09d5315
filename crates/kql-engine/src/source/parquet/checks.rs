//! Checks of a Parquet file's Thrift structs before the parquet crate reads them.
//!
//! Found by the `load_parquet` fuzz target, each costing time or memory out of all proportion
//! to the file, never a wrong answer:
//! - the footer or a page header holding a list of booleans that claims billions of elements
//!   in a few bytes, which the crate spends seconds to hours skipping (see `thrift.rs`);
//! - a Snappy page whose header claims more uncompressed bytes than Snappy can produce from
//!   its compressed bytes (it expands at most about 21 times: a 3-byte copy writes at most 64
//!   bytes). The crate allocates and zero-fills the claimed size before it decompresses: a
//!   1.5 KB file claiming 1.9 GB took 1.9 GB and seven seconds before its error.
//!
//! The footer is checked once per file, the page headers of the columns read once per row
//! group: one small read per page, nothing decompressed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use parquet::arrow::ProjectionMask;
use parquet::basic::Compression;
use parquet::file::metadata::ParquetMetaData;

use super::LoadError;
use super::thrift::{Incomplete, PageSizes, parse_header, struct_length};

/// Fails when the file's footer is not a Thrift struct that fits in its bytes.
pub(super) fn check_footer(path: &Path, file: &mut File) -> Result<(), LoadError> {
    let damaged = |why: &str| LoadError::new(path, format!("cannot read: the footer is {why}"));
    let Ok(length) = file.seek(SeekFrom::End(0)) else {
        return Ok(()); // the crate reports what it cannot read
    };
    let mut tail = [0u8; 8];
    if length < 8 || file.seek(SeekFrom::End(-8)).is_err() || file.read_exact(&mut tail).is_err() {
        return Ok(());
    }
    let [a, b, c, d, magic @ ..] = tail;
    // An encrypted footer ("PARE") or no magic at all: the crate refuses the file itself.
    if magic != *b"PAR1" {
        return Ok(());
    }
    let footer = u64::from(u32::from_le_bytes([a, b, c, d]));
    let Some(start) = length
        .checked_sub(8)
        .and_then(|end| end.checked_sub(footer))
    else {
        return Ok(());
    };
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err()
        || file.by_ref().take(footer).read_to_end(&mut bytes).is_err()
    {
        return Ok(());
    }
    match struct_length(&bytes) {
        Ok(_) => Ok(()),
        Err(Incomplete::NeedMore) => Err(damaged("damaged: it claims more than its bytes hold")),
        Err(Incomplete::Invalid) => Err(damaged("damaged: it is not a Thrift struct")),
    }
}

/// The most a Snappy stream of `compressed` bytes can decompress to, with room to spare.
fn snappy_limit(compressed: u64) -> u64 {
    compressed.saturating_mul(22).saturating_add(64)
}

/// Fails when a page header of a `mask` column in row group `group` does not read within its
/// column chunk, or, in a Snappy chunk, claims more than Snappy can produce.
pub(super) fn check_page_headers(
    path: &Path,
    file: &File,
    metadata: &ParquetMetaData,
    mask: &ProjectionMask,
    group: usize,
) -> Result<(), LoadError> {
    let Some(row_group) = metadata.row_groups().get(group) else {
        return Ok(());
    };
    let mut reader = file
        .try_clone()
        .map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    for (leaf, chunk) in row_group.columns().iter().enumerate() {
        if !mask.leaf_included(leaf) {
            continue;
        }
        let column = chunk.column_path().string();
        let damaged = |number: usize, why: &str| {
            let message = format!(
                "cannot read: the file is damaged: page {number} of column `{}` in row group {} \
                 {why}",
                column.escape_debug(),
                group + 1,
            );
            LoadError::new(path, message)
        };
        let (start, length) = chunk.byte_range();
        let mut pages = PageWalk {
            file: &mut reader,
            offset: start,
            end: start.saturating_add(length),
        };
        let mut number = 0;
        loop {
            number += 1;
            let page = match pages.next_header() {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(Incomplete::NeedMore) => {
                    return Err(damaged(
                        number,
                        "has a header that does not fit in the column",
                    ));
                }
                // Not a header at all: the crate says what it makes of it.
                Err(Incomplete::Invalid) => break,
            };
            if chunk.compression() == Compression::SNAPPY
                && page.uncompressed > snappy_limit(page.compressed)
            {
                let why = format!(
                    "claims {} bytes uncompressed from {} Snappy-compressed bytes, more than \
                     Snappy can produce",
                    page.uncompressed, page.compressed
                );
                return Err(damaged(number, &why));
            }
        }
    }
    Ok(())
}

/// The page headers of one column chunk, in file order.
struct PageWalk<'f> {
    file: &'f mut File,
    offset: u64,
    end: u64,
}

impl PageWalk<'_> {
    /// The next page's sizes; `None` at the chunk's end, or when the file cannot be read here
    /// (the crate then reports it); `NeedMore` for a header that does not fit in the chunk.
    fn next_header(&mut self) -> Result<Option<PageSizes>, Incomplete> {
        let mut want = 256u64;
        loop {
            let available = self.end.saturating_sub(self.offset);
            if available == 0 {
                return Ok(None);
            }
            let size = want.min(available);
            let Some(bytes) = self.read(size) else {
                return Ok(None);
            };
            match parse_header(&bytes) {
                Ok((length, sizes)) => {
                    let after = u64::try_from(length)
                        .ok()
                        .and_then(|length| self.offset.checked_add(length))
                        .and_then(|offset| offset.checked_add(sizes.compressed));
                    self.offset = after.ok_or(Incomplete::Invalid)?;
                    return Ok(Some(sizes));
                }
                // Headers carry statistics (a page's smallest and largest values), which can
                // be long: read more, up to the rest of the chunk.
                Err(Incomplete::NeedMore) if size < available => want = want.saturating_mul(8),
                Err(Incomplete::NeedMore) if (bytes.len() as u64) < size => return Ok(None),
                Err(error) => return Err(error),
            }
        }
    }

    fn read(&mut self, size: u64) -> Option<Vec<u8>> {
        self.file.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut bytes = Vec::new();
        self.file.by_ref().take(size).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snappy_claims_are_bounded_by_its_largest_expansion() {
        assert!(snappy_limit(3) >= 64);
        assert!(snappy_limit(1_000) >= 21_334);
        assert_eq!(snappy_limit(u64::MAX), u64::MAX);
    }
}
