//! Page sizes checked before the parquet crate decodes a Snappy-compressed column chunk.
//!
//! Before it decompresses a Snappy page, the crate allocates and zero-fills as many bytes as
//! the page header says the page holds uncompressed, and only then finds out whether it does.
//! A 1.5 KB file whose header claims 1.9 GB made kql fill 1.9 GB for seven seconds before the
//! error (found by the `load_parquet` fuzz target). Snappy cannot expand data more than about
//! 21 times (a 3-byte copy writes at most 64 bytes), so a claim beyond that is a damaged file.
//!
//! The crate does not expose its page header reader, so the headers are read here: a page
//! header is a Thrift struct in the compact protocol, whose first three fields are the page
//! type, the uncompressed size and the compressed size; the page's data follows it. Only
//! headers are read (one small read per page), and a header that does not parse ends the
//! check: the crate then reports the damage itself.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use parquet::arrow::ProjectionMask;
use parquet::basic::Compression;
use parquet::file::metadata::ParquetMetaData;

use super::LoadError;

/// The most a Snappy stream of `compressed` bytes can decompress to, with room to spare.
fn snappy_limit(compressed: u64) -> u64 {
    compressed.saturating_mul(22).saturating_add(64)
}

/// Fails when a page of a Snappy-compressed `mask` column in row group `group` claims more
/// uncompressed bytes than Snappy can produce from its compressed bytes.
pub(super) fn check_page_sizes(
    path: &Path,
    file: &File,
    metadata: &ParquetMetaData,
    mask: &ProjectionMask,
    group: usize,
) -> Result<(), LoadError> {
    let Some(row_group) = metadata.row_groups().get(group) else {
        return Ok(());
    };
    let mut reader = None;
    for (leaf, chunk) in row_group.columns().iter().enumerate() {
        if !mask.leaf_included(leaf) || chunk.compression() != Compression::SNAPPY {
            continue;
        }
        let reader = match &mut reader {
            Some(reader) => reader,
            None => reader.insert(
                file.try_clone()
                    .map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?,
            ),
        };
        let (start, length) = chunk.byte_range();
        let mut pages = PageWalk {
            file: reader,
            offset: start,
            end: start.saturating_add(length),
        };
        let mut number = 0;
        while let Some(page) = pages.next_header() {
            number += 1;
            if page.uncompressed > snappy_limit(page.compressed) {
                let message = format!(
                    "cannot read: the file is damaged: page {number} of column `{}` in row group \
                     {} claims {} bytes uncompressed from {} Snappy-compressed bytes, more \
                     than Snappy can produce",
                    chunk.column_path().string().escape_debug(),
                    group + 1,
                    page.uncompressed,
                    page.compressed,
                );
                return Err(LoadError::new(path, message));
            }
        }
    }
    Ok(())
}

/// The sizes a page header gives.
#[derive(Debug, PartialEq, Eq)]
struct PageSizes {
    uncompressed: u64,
    compressed: u64,
}

/// The page headers of one column chunk, in file order.
struct PageWalk<'f> {
    file: &'f mut File,
    offset: u64,
    end: u64,
}

/// The most bytes read for one header: headers carry statistics (a page's smallest and largest
/// value), which can be long strings.
const MAX_HEADER: u64 = 1 << 20;

impl PageWalk<'_> {
    /// The next page's sizes, or `None` at the chunk's end or at a header that does not read.
    fn next_header(&mut self) -> Option<PageSizes> {
        let mut want = 256u64;
        loop {
            let available = self.end.checked_sub(self.offset)?;
            if available == 0 {
                return None;
            }
            let size = want.min(available);
            let bytes = self.read(size)?;
            match parse_header(&bytes) {
                Ok((length, sizes)) => {
                    self.offset = self
                        .offset
                        .checked_add(u64::try_from(length).ok()?)?
                        .checked_add(sizes.compressed)?;
                    return Some(sizes);
                }
                Err(Incomplete::NeedMore) if size < available && want < MAX_HEADER => want *= 8,
                Err(_) => return None,
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

/// Why a header did not parse.
#[derive(Debug, PartialEq, Eq)]
enum Incomplete {
    /// The bytes ended inside it.
    NeedMore,
    /// It is not a page header.
    Invalid,
}

/// The length and sizes of the page header at the start of `bytes`.
fn parse_header(bytes: &[u8]) -> Result<(usize, PageSizes), Incomplete> {
    let mut input = Compact { bytes, at: 0 };
    let (mut uncompressed, mut compressed) = (None, None);
    let mut field = 0i16;
    while let Some((id, kind)) = input.field_header(&mut field)? {
        match (id, kind) {
            (2, I32) => uncompressed = Some(input.i32()?),
            (3, I32) => compressed = Some(input.i32()?),
            _ => input.skip(kind, 0)?,
        }
    }
    let size = |value: Option<i64>| value.and_then(|v| u64::try_from(v).ok());
    match (size(uncompressed), size(compressed)) {
        (Some(uncompressed), Some(compressed)) => Ok((
            input.at,
            PageSizes {
                uncompressed,
                compressed,
            },
        )),
        _ => Err(Incomplete::Invalid),
    }
}

// Thrift compact protocol type codes.
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// Nesting deeper than this is not a page header.
const MAX_DEPTH: usize = 32;

/// A reader of the Thrift compact protocol.
struct Compact<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8, Incomplete> {
        let byte = *self.bytes.get(self.at).ok_or(Incomplete::NeedMore)?;
        self.at += 1;
        Ok(byte)
    }

    /// A varint read as the parquet crate reads it: of any length, its bits past the 64th
    /// folded back in by a wrapping shift. Reading the same number as the crate is the point.
    fn varint(&mut self) -> Result<u64, Incomplete> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).wrapping_shl(shift);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift = shift.wrapping_add(7);
        }
    }

    /// An `i32` field, cut to 32 bits as the crate does.
    fn i32(&mut self) -> Result<i64, Incomplete> {
        Ok(i64::from(self.zigzag()? as i32))
    }

    fn zigzag(&mut self) -> Result<i64, Incomplete> {
        let value = self.varint()?;
        Ok(((value >> 1) as i64) ^ -((value & 1) as i64))
    }

    fn advance(&mut self, count: u64) -> Result<(), Incomplete> {
        let count = usize::try_from(count).map_err(|_| Incomplete::Invalid)?;
        let at = self.at.checked_add(count).ok_or(Incomplete::Invalid)?;
        if at > self.bytes.len() {
            return Err(Incomplete::NeedMore);
        }
        self.at = at;
        Ok(())
    }

    /// The next field's id and type, `None` at the struct's end; `last` is the previous id.
    fn field_header(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>, Incomplete> {
        let byte = self.byte()?;
        if byte == 0 {
            return Ok(None);
        }
        let delta = byte >> 4;
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| Incomplete::Invalid)?
        } else {
            last.checked_add(i16::from(delta))
                .ok_or(Incomplete::Invalid)?
        };
        *last = id;
        Ok(Some((id, byte & 0x0f)))
    }

    /// Skips one value of type `kind`.
    fn skip(&mut self, kind: u8, depth: usize) -> Result<(), Incomplete> {
        if depth > MAX_DEPTH {
            return Err(Incomplete::Invalid);
        }
        match kind {
            TRUE | FALSE => Ok(()),
            BYTE => self.advance(1),
            I16 | I32 | I64 => self.varint().map(|_| ()),
            DOUBLE => self.advance(8),
            BINARY => {
                let length = self.varint()?;
                self.advance(length)
            }
            LIST | SET => {
                let header = self.byte()?;
                let count = match header >> 4 {
                    15 => self.varint()?,
                    count => u64::from(count),
                };
                let element = header & 0x0f;
                for _ in 0..count {
                    self.skip_element(element, depth)?;
                }
                Ok(())
            }
            MAP => {
                let count = self.varint()?;
                if count == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                for _ in 0..count {
                    self.skip_element(types >> 4, depth)?;
                    self.skip_element(types & 0x0f, depth)?;
                }
                Ok(())
            }
            STRUCT => {
                let mut field = 0i16;
                while let Some((_, kind)) = self.field_header(&mut field)? {
                    self.skip(kind, depth + 1)?;
                }
                Ok(())
            }
            _ => Err(Incomplete::Invalid),
        }
    }

    /// Skips a list, set or map element: a boolean element is a whole byte there.
    fn skip_element(&mut self, kind: u8, depth: usize) -> Result<(), Incomplete> {
        match kind {
            TRUE | FALSE => self.advance(1),
            _ => self.skip(kind, depth + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_gives_its_sizes_and_length() {
        // type 0 (data page), 300 uncompressed, 100 compressed, a crc, then a data page
        // header struct with a list, a binary and a boolean inside, then the end.
        let header = [
            0x15, 0x00, // field 1, i32: 0
            0x15, 0xd8, 0x04, // field 2, i32: 300
            0x15, 0xc8, 0x01, // field 3, i32: 100
            0x15, 0x02, // field 4, i32: 1
            0x1c, // field 5, struct
            0x19, 0x25, 0x02, 0x04, // field 1, list of two i32
            0x18, 0x02, b'h', b'i', // field 2, binary "hi"
            0x11, // field 3, true
            0x00, // end of the data page header
            0x00, // end of the page header
        ];
        let sizes = PageSizes {
            uncompressed: 300,
            compressed: 100,
        };
        assert_eq!(parse_header(&header), Ok((header.len(), sizes)));
        for cut in 0..header.len() {
            assert_eq!(
                parse_header(&header[..cut]),
                Err(Incomplete::NeedMore),
                "{cut}"
            );
        }
        // A header without sizes, and a type code that does not exist.
        assert_eq!(parse_header(&[0x15, 0x00, 0x00]), Err(Incomplete::Invalid));
        assert_eq!(parse_header(&[0x1d, 0x00]), Err(Incomplete::Invalid));
    }

    #[test]
    fn snappy_claims_are_bounded_by_its_largest_expansion() {
        assert!(snappy_limit(3) >= 64);
        assert!(snappy_limit(1_000) >= 21_334);
        assert_eq!(snappy_limit(u64::MAX), u64::MAX);
    }
}
