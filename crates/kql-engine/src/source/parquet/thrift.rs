//! Just enough of the Thrift compact protocol to check what the parquet crate would read.
//!
//! Parquet's footer and page headers are Thrift structs. The crate's own reader trusts two
//! things a damaged file can make expensive: a page's claimed uncompressed size (see
//! `checks.rs`), and the element count of a list of booleans, which it skips without reading
//! a byte per element, as the protocol says it should: a few bytes claiming two billion
//! booleans keep it busy for a second, and a list of such lists for hours (found by the
//! `load_parquet` fuzz target). This reader consumes a byte per boolean element, so a claim
//! the bytes cannot hold ends in [`Incomplete::NeedMore`]; it reads numbers exactly as the
//! crate does, so both agree on every well-formed struct.

/// The sizes a page header gives.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PageSizes {
    pub uncompressed: u64,
    pub compressed: u64,
}

/// Why a header did not parse.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Incomplete {
    /// The bytes ended inside it.
    NeedMore,
    /// It is not a page header.
    Invalid,
}

/// The length and sizes of the page header at the start of `bytes`.
pub(super) fn parse_header(bytes: &[u8]) -> Result<(usize, PageSizes), Incomplete> {
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

/// The length of the struct at the start of `bytes` (a footer's `FileMetaData`).
pub(super) fn struct_length(bytes: &[u8]) -> Result<usize, Incomplete> {
    let mut input = Compact { bytes, at: 0 };
    input.skip(STRUCT, 0)?;
    Ok(input.at)
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
const UUID: u8 = 13;

/// The crate skips no deeper than this either.
const MAX_DEPTH: usize = 64;

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
        // As in the crate: type 0 ends the struct, whatever the delta beside it.
        if byte & 0x0f == 0 {
            return Ok(None);
        }
        let delta = byte >> 4;
        let id = if delta == 0 {
            self.zigzag()? as i16
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
            UUID => self.advance(16),
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
        assert_eq!(parse_header(&[0x1e, 0x00]), Err(Incomplete::Invalid));
    }

    #[test]
    fn a_list_of_booleans_takes_a_byte_each() {
        // A struct with field 1, a list of three booleans, then the end.
        let three = [0x19, 0x31, 0x01, 0x02, 0x01, 0x00];
        assert_eq!(struct_length(&three), Ok(three.len()));
        // The same list claiming two billion booleans in a few bytes.
        let claim = [0x19, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01, 0x00];
        assert_eq!(struct_length(&claim), Err(Incomplete::NeedMore));
    }
}
