//! The fixed layout of a `.evtx` file, checked before and around the `evtx` crate's parse: a
//! 4 KiB file header, then chunks of 64 KiB. The crate reads what it can and stops quietly
//! where a file ends early, so what it would leave unsaid is found here.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::super::LoadError;

/// The size of the file header and of each chunk, fixed by the format.
pub(super) const HEADER_SIZE: u64 = 4096;
pub(super) const CHUNK_SIZE: u64 = 65536;
/// How every event log file starts.
const MAGIC: &[u8; 8] = b"ElfFile\0";

/// An error when the file is not an event log at all (empty, another format) or ends
/// inside its file header, checked before the crate reads it.
pub(super) fn check_header(path: &Path) -> Result<(), LoadError> {
    let mut file = std::fs::File::open(path)
        .map_err(|error| LoadError::new(path, format!("cannot open: {error}")))?;
    let mut start = Vec::with_capacity(HEADER_SIZE as usize);
    file.by_ref()
        .take(HEADER_SIZE)
        .read_to_end(&mut start)
        .map_err(|error| LoadError::new(path, format!("cannot read: {error}")))?;
    if start.is_empty() {
        return Err(LoadError::new(
            path,
            "not a Windows event log: the file is empty",
        ));
    }
    if !start.starts_with(MAGIC) {
        return Err(LoadError::new(
            path,
            "not a Windows event log: the file does not start with `ElfFile`",
        ));
    }
    if (start.len() as u64) < HEADER_SIZE {
        let message = format!(
            "the file is cut short: its header has {} of its {HEADER_SIZE} bytes",
            start.len()
        );
        return Err(LoadError::new(path, message));
    }
    Ok(())
}

/// The error for a file that ends inside a chunk, or before the chunks its header counts.
pub(super) fn cut_short(path: &Path, header_chunks: u16) -> Result<Option<LoadError>, LoadError> {
    let length = std::fs::metadata(path)
        .map_err(|error| LoadError::new(path, format!("cannot open: {error}")))?
        .len();
    let body = length.saturating_sub(HEADER_SIZE);
    let whole = body / CHUNK_SIZE;
    let partial = body % CHUNK_SIZE;
    let counted = u64::from(header_chunks);
    if partial == 0 && whole >= counted {
        return Ok(None);
    }
    let message = if partial > 0 {
        format!(
            "chunk {whole}: the file is cut short: the chunk has {partial} of its {CHUNK_SIZE} \
             bytes (the file header counts {counted} chunks), its records are lost"
        )
    } else {
        format!(
            "chunk {whole}: the file is cut short: it ends after {whole} chunks, its header \
             counts {counted}"
        )
    };
    Ok(Some(LoadError::new(path, message)))
}

/// The record ids a chunk's header says it holds, when the header can be read: a chunk that
/// fails as a whole takes them all with it.
pub(super) fn chunk_records(path: &Path, chunk: u64) -> Option<(u64, u64)> {
    /// The size of a chunk's header.
    const CHUNK_HEADER_SIZE: usize = 512;
    let mut file = std::fs::File::open(path).ok()?;
    let offset = HEADER_SIZE.checked_add(chunk.checked_mul(CHUNK_SIZE)?)?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut header = [0u8; CHUNK_HEADER_SIZE];
    file.read_exact(&mut header).ok()?;
    let header = ::evtx::EvtxChunkHeader::from_bytes(&header).ok()?;
    let (first, last) = (header.first_event_record_id, header.last_event_record_id);
    (first <= last).then_some((first, last))
}
