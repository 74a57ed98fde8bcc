//! The hash chain of a verifiable log.
//!
//! Each stored batch (its exact bytes, offsets included) is linked to the
//! one before: `link = BLAKE3(previous link ‖ batch bytes)`. The links live
//! in a `.chain` file beside each segment, so stored batches stay
//! byte-for-byte what Kafka clients expect. Each `.chain` file starts with
//! the link the segment continues from, so verification can start at the
//! oldest segment retention kept. Changing, dropping, inserting or
//! reordering a batch breaks the chain at that batch; rewriting the chain
//! files too is caught only against a link recorded elsewhere (the head a
//! producer or auditor kept), which [`ChainVerdict`](super::verify::ChainVerdict)
//! reports for that purpose.
//!
//! File format: the 8-byte magic `SLYCHN01`, the 32-byte previous link,
//! then one 40-byte entry per batch: base offset (i64, big-endian) and link.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::error::StorageError;

/// A link of the chain: a BLAKE3 hash.
pub type ChainHash = [u8; 32];

/// The link the first batch of a verifiable log is chained to.
pub const GENESIS: ChainHash = [0; 32];

const MAGIC: &[u8; 8] = b"SLYCHN01";
const HEADER_LEN: u64 = 8 + 32;
const ENTRY_LEN: u64 = 8 + 32;

/// The link of `batch` following `previous`.
pub fn link(previous: &ChainHash, batch: &[u8]) -> ChainHash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(previous);
    hasher.update(batch);
    *hasher.finalize().as_bytes()
}

/// One entry of a `.chain` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainEntry {
    /// Base offset of the linked batch.
    pub offset: i64,
    /// The batch's link.
    pub hash: ChainHash,
}

/// The whole content of a `.chain` file, for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainContents {
    /// The link the segment continues from.
    pub(crate) previous: ChainHash,
    /// One entry per batch, in order.
    pub(crate) entries: Vec<ChainEntry>,
}

/// Reads a `.chain` file whole. A torn last entry is ignored.
pub(crate) fn read_chain(path: &Path) -> Result<ChainContents, StorageError> {
    let bytes = std::fs::read(path).map_err(StorageError::io("read", path))?;
    let previous = parse_header(&bytes, path)?;
    let entries = bytes[HEADER_LEN as usize..]
        .chunks_exact(ENTRY_LEN as usize)
        .map(parse_entry)
        .collect();
    Ok(ChainContents { previous, entries })
}

fn parse_header(bytes: &[u8], path: &Path) -> Result<ChainHash, StorageError> {
    if bytes.len() < HEADER_LEN as usize || &bytes[..8] != MAGIC {
        return Err(StorageError::Corrupt {
            path: path.to_path_buf(),
            detail: "not a chain file (missing SLYCHN01 header)".to_owned(),
        });
    }
    let mut previous = [0; 32];
    previous.copy_from_slice(&bytes[8..HEADER_LEN as usize]);
    Ok(previous)
}

fn parse_entry(raw: &[u8]) -> ChainEntry {
    let mut offset = [0; 8];
    offset.copy_from_slice(&raw[..8]);
    let mut hash = [0; 32];
    hash.copy_from_slice(&raw[8..40]);
    ChainEntry {
        offset: i64::from_be_bytes(offset),
        hash,
    }
}

/// Appends links to the active segment's `.chain` file.
#[derive(Debug)]
pub(crate) struct ChainWriter {
    path: PathBuf,
    file: File,
    entries: u64,
    head: ChainHash,
}

impl ChainWriter {
    /// Creates a `.chain` file continuing from `previous`.
    pub(crate) fn create(path: &Path, previous: ChainHash) -> Result<Self, StorageError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(StorageError::io("create", path))?;
        let mut header = Vec::with_capacity(HEADER_LEN as usize);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&previous);
        file.write_all_at(&header, 0)
            .map_err(StorageError::io("write", path))?;
        file.sync_data().map_err(StorageError::io("sync", path))?;
        Ok(ChainWriter {
            path: path.to_path_buf(),
            file,
            entries: 0,
            head: previous,
        })
    }

    /// Opens an existing `.chain` file to append to it, dropping a torn
    /// last entry. Reads only the header and the last entry.
    pub(crate) fn open(path: &Path) -> Result<Self, StorageError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(StorageError::io("open", path))?;
        let len = file
            .metadata()
            .map_err(StorageError::io("stat", path))?
            .len();
        let mut header = vec![0; HEADER_LEN as usize];
        if len >= HEADER_LEN {
            file.read_exact_at(&mut header, 0)
                .map_err(StorageError::io("read", path))?;
        }
        let previous = parse_header(&header, path)?;
        let entries = (len - HEADER_LEN) / ENTRY_LEN;
        let mut writer = ChainWriter {
            path: path.to_path_buf(),
            file,
            entries,
            head: previous,
        };
        if entries > 0 {
            writer.head = writer.entry(entries - 1)?.hash;
        }
        writer.truncate(entries)?;
        Ok(writer)
    }

    /// Number of whole entries.
    pub(crate) fn len(&self) -> u64 {
        self.entries
    }

    /// The link of the last batch (or the previous segment's, when empty).
    pub(crate) fn head(&self) -> ChainHash {
        self.head
    }

    /// Entry number `index`, read from the file.
    pub(crate) fn entry(&self, index: u64) -> Result<ChainEntry, StorageError> {
        let mut raw = [0; ENTRY_LEN as usize];
        self.file
            .read_exact_at(&mut raw, HEADER_LEN + index * ENTRY_LEN)
            .map_err(StorageError::io("read", &self.path))?;
        Ok(parse_entry(&raw))
    }

    /// The link entry `index` continues from.
    pub(crate) fn link_before(&self, index: u64) -> Result<ChainHash, StorageError> {
        if index == 0 {
            let mut previous = [0; 32];
            self.file
                .read_exact_at(&mut previous, 8)
                .map_err(StorageError::io("read", &self.path))?;
            Ok(previous)
        } else {
            Ok(self.entry(index - 1)?.hash)
        }
    }

    /// Keeps the first `entries` entries and drops the rest.
    pub(crate) fn truncate(&mut self, entries: u64) -> Result<(), StorageError> {
        let head = self.link_before(entries)?;
        self.file
            .set_len(HEADER_LEN + entries * ENTRY_LEN)
            .map_err(StorageError::io("truncate", &self.path))?;
        self.entries = entries;
        self.head = head;
        Ok(())
    }

    /// Appends entries after the last one.
    pub(crate) fn append(&mut self, entries: &[ChainEntry]) -> Result<(), StorageError> {
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut raw = Vec::with_capacity(entries.len() * ENTRY_LEN as usize);
        for e in entries {
            raw.extend_from_slice(&e.offset.to_be_bytes());
            raw.extend_from_slice(&e.hash);
        }
        self.file
            .write_all_at(&raw, HEADER_LEN + self.entries * ENTRY_LEN)
            .map_err(StorageError::io("write", &self.path))?;
        self.entries += entries.len() as u64;
        self.head = last.hash;
        Ok(())
    }

    /// Forces the entries to stable storage.
    pub(crate) fn sync(&self) -> Result<(), StorageError> {
        self.file
            .sync_data()
            .map_err(StorageError::io("sync", &self.path))
    }
}
