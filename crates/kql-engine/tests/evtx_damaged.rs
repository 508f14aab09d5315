//! Damaged `.evtx` input: real logs cut short at many offsets, bytes flipped in the file
//! header, in chunk headers and in records (with and without checksums that still match),
//! files that are not event logs, and an empty file. Each load fails with an error that
//! names the file, or with `skip_bad_rows` reports what it left out; none panics.

mod common;

use std::path::{Path, PathBuf};

use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadError, LoadOptions, LoadedTable, load_file};

use common::workspace;

/// 1,537 records in 16 chunks (and a 17th, empty).
const OPENVPN: &str = "sbousseaden__bits_openvpn.evtx";
/// 5 records in one chunk.
const DESKTOPIMG: &str = "sbousseaden__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx";
const RECORDS: usize = 1537;

const HEADER: usize = 4096;
const CHUNK: usize = 65536;

fn log(name: &str) -> PathBuf {
    workspace().join("queries/bits/evtx").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(log(name)).unwrap()
}

/// Writes `bytes` as a scratch file named `name`.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evtx-damaged");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn load(path: &Path, skip_bad_rows: bool) -> Result<LoadedTable, LoadError> {
    let catalog = Catalog::builtin();
    let options = LoadOptions {
        schema: catalog.get("WindowsEvent"),
        skip_bad_rows,
        ..LoadOptions::default()
    };
    load_file(path, &options)
}

/// The error of a load that must fail, checked to name the file.
fn failure(path: &Path, skip_bad_rows: bool) -> String {
    let error = match load(path, skip_bad_rows) {
        Ok(table) => panic!("{} loaded {} rows", path.display(), table.num_rows()),
        Err(error) => error.to_string(),
    };
    let file = path.display().to_string();
    assert!(error.starts_with(&format!("{file}: ")), "{error}");
    error
}

/// Sets a chunk's two CRC32s to match its bytes, so that damage inside it reaches the
/// record parser instead of failing the checksum.
fn fix_checksums(bytes: &mut [u8], chunk: usize) {
    let start = HEADER + chunk * CHUNK;
    let chunk = &mut bytes[start..start + CHUNK];
    let free = u32::from_le_bytes(chunk[48..52].try_into().unwrap()) as usize;
    if (512..=CHUNK).contains(&free) {
        let records = evtx::checksum_ieee(&chunk[512..free]);
        chunk[52..56].copy_from_slice(&records.to_le_bytes());
    }
    let mut header = chunk[..120].to_vec();
    header.extend_from_slice(&chunk[128..512]);
    let checksum = evtx::checksum_ieee(&header);
    chunk[124..128].copy_from_slice(&checksum.to_le_bytes());
}

#[test]
fn an_empty_file_is_not_an_event_log() {
    let path = scratch("empty.evtx", b"");
    let error = failure(&path, false);
    assert!(error.contains("the file is empty"), "{error}");
    failure(&path, true);
}

#[test]
fn files_that_are_not_event_logs_are_refused_by_name() {
    let csv = b"TimeGenerated,EventID\n2024-01-01T00:00:00Z,4688\n".repeat(200);
    let json = br#"{"Event": {"System": {"EventID": 4688}}}"#.repeat(200);
    let zeros = vec![0u8; HEADER + CHUNK];
    for (name, bytes) in [
        ("text.evtx", &csv[..]),
        ("json.evtx", &json[..]),
        ("zeros.evtx", &zeros[..]),
    ] {
        let path = scratch(name, bytes);
        let error = failure(&path, false);
        assert!(error.contains("not a Windows event log"), "{error}");
        // Skipping bad rows does not read a file that has none.
        failure(&path, true);
    }
}

#[test]
fn a_log_cut_short_anywhere_fails_or_keeps_its_whole_chunks() {
    let bytes = read(OPENVPN);
    let offsets = [
        1,
        7,
        100,
        HEADER - 1,
        HEADER,
        HEADER + 1,
        HEADER + 511,
        HEADER + 512,
        HEADER + 600,
        HEADER + CHUNK - 1,
        HEADER + CHUNK,
        HEADER + CHUNK * 7 + 33_333,
        HEADER + CHUNK * 15,
        HEADER + CHUNK * 16 - 1,
        bytes.len() - 1,
    ];
    let mut kept_before = 0;
    for offset in offsets {
        let path = scratch(&format!("cut-{offset}.evtx"), &bytes[..offset]);
        let error = failure(&path, false);
        if offset < HEADER {
            // No whole file header: nothing to skip around.
            let said = if offset < 8 {
                "not a Windows event log"
            } else {
                "the file is cut short: its header has"
            };
            assert!(error.contains(said), "{offset}: {error}");
            failure(&path, true);
            continue;
        }
        let whole = (offset - HEADER) / CHUNK;
        assert!(
            error.contains(&format!("chunk {whole}")),
            "{offset}: {error}"
        );
        assert!(error.contains("cut short"), "{offset}: {error}");

        let table = load(&path, true).unwrap_or_else(|e| panic!("{offset}: {e}"));
        assert_eq!(table.skipped.len(), 1, "{offset}: {:?}", table.skipped);
        assert!(table.skipped[0].message.contains("cut short"));
        // The records of the whole chunks before the cut are rows; the chunk cut is lost.
        let rows = table.num_rows();
        assert!(
            rows >= kept_before && rows <= RECORDS,
            "{offset}: {rows} rows"
        );
        kept_before = rows;
    }
    // The last chunk is empty: the log cut inside it keeps every record.
    assert_eq!(kept_before, RECORDS);
}

#[test]
fn flipped_bytes_without_matching_checksums_are_caught() {
    let bytes = read(OPENVPN);
    // The chunk header, the string and template tables, and records of chunks 0, 2 and 9.
    let places = [
        (HEADER + 8, "chunk 0"),
        (HEADER + 200, "chunk 0"),
        (HEADER + CHUNK * 2 + 600, "chunk 2"),
        (HEADER + CHUNK * 2 + 30_000, "chunk 2"),
        (HEADER + CHUNK * 9 + 40, "chunk 9"),
        (HEADER + CHUNK * 9 + 5_000, "chunk 9"),
    ];
    for (at, chunk) in places {
        let mut damaged = bytes.clone();
        for byte in &mut damaged[at..at + 16] {
            *byte ^= 0xFF;
        }
        let path = scratch(&format!("flip-{at}.evtx"), &damaged);
        let error = failure(&path, false);
        assert!(error.contains(chunk), "{at}: {error}");

        let table = load(&path, true).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert_eq!(table.skipped.len(), 1, "{at}: {:?}", table.skipped);
        assert!(
            table.skipped[0].message.contains(chunk),
            "{:?}",
            table.skipped
        );
        assert!(table.num_rows() < RECORDS);
    }
}

#[test]
fn flipped_bytes_in_the_file_header() {
    let bytes = read(OPENVPN);
    // The magic: not an event log.
    let mut damaged = bytes.clone();
    damaged[0] ^= 0xFF;
    let path = scratch("header-magic.evtx", &damaged);
    assert!(failure(&path, false).contains("not a Windows event log"));

    // The header's own checksum is not needed to find the chunks: the parser reads past it,
    // as Windows does, and every record is still read.
    let mut damaged = bytes.clone();
    damaged[100] ^= 0xFF;
    let path = scratch("header-checksum.evtx", &damaged);
    assert_eq!(load(&path, false).unwrap().num_rows(), RECORDS);

    // A chunk count above the file's chunks: the log is said to be cut short.
    let mut damaged = bytes;
    damaged[42..44].copy_from_slice(&40u16.to_le_bytes());
    let path = scratch("header-count.evtx", &damaged);
    let error = failure(&path, false);
    assert!(error.contains("header counts 40"), "{error}");
    assert_eq!(load(&path, true).unwrap().num_rows(), RECORDS);
}

#[test]
fn damaged_records_behind_valid_checksums_never_panic() {
    // With the checksums set to match, damage reaches the record parser: each load either
    // fails naming the file, or gives rows (a damaged string is just other text), and with
    // skip_bad_rows loads, listing what it left out by record or chunk.
    let bytes = read(DESKTOPIMG);
    let free = u32::from_le_bytes(bytes[HEADER + 48..HEADER + 52].try_into().unwrap()) as usize;
    let mut failed = 0;
    let mut at = 128;
    while at < free {
        for (width, pattern) in [(1, 0xFFu8), (4, 0x00), (8, 0x7F)] {
            let mut damaged = bytes.clone();
            let end = (HEADER + at + width).min(HEADER + CHUNK);
            for byte in &mut damaged[HEADER + at..end] {
                *byte = if pattern == 0xFF { !*byte } else { pattern };
            }
            fix_checksums(&mut damaged, 0);
            let path = scratch(&format!("record-{at}-{width}.evtx"), &damaged);
            if let Err(error) = load(&path, false) {
                failed += 1;
                let text = error.to_string();
                assert!(text.starts_with(&path.display().to_string()), "{text}");
                assert!(
                    text.contains("record ") || text.contains("chunk 0"),
                    "{at}: {text}"
                );
                let table = load(&path, true).unwrap_or_else(|e| panic!("{at}: {e}"));
                assert!(!table.skipped.is_empty(), "{at}");
            }
        }
        at += 61;
    }
    assert!(failed > 0, "some damage must be caught");
}
