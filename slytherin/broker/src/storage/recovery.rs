//! Crash recovery of one segment: validate every batch, cut the log at the
//! first torn or corrupt one, rebuild the indexes, and say exactly what was
//! done.
//!
//! Only data that was never synced can be torn by a crash, and only the
//! active segment holds unsynced data (sealing syncs a segment). So after
//! an unclean shutdown the log recovers its last segment; a sealed segment
//! is recovered only when its index files are missing or inconsistent.
//! Everything before the first bad batch is kept byte for byte and in
//! order; nothing after it is served again, because a batch after a bad
//! one cannot be told apart from leftovers of an earlier write.

use std::fmt;
use std::path::{Path, PathBuf};

use super::chain::{link, ChainEntry, ChainHash, ChainWriter};
use super::error::StorageError;
use super::scan::{BatchScan, ScanDefect, ScanStep, WHOLE_SEGMENT_CHUNK};
use super::segment::{open_read_write, Segment, SegmentPaths};

/// Why a segment was scanned instead of loaded from its index files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryReason {
    /// The log was not closed cleanly and this is its active segment.
    UncleanShutdown,
    /// The segment's index files are missing or inconsistent.
    UnusableIndex(String),
    /// The log was closed cleanly, but the active segment's last batches
    /// no longer validate (the files changed after the shutdown).
    DamagedTail(String),
}

impl fmt::Display for RecoveryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecoveryReason::UncleanShutdown => write!(f, "the log was not closed cleanly"),
            RecoveryReason::UnusableIndex(why) => write!(f, "its indexes are unusable ({why})"),
            RecoveryReason::DamagedTail(why) => {
                write!(f, "its tail is damaged despite a clean shutdown ({why})")
            }
        }
    }
}

/// What recovering one segment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRecovery {
    /// The segment's log file.
    pub log_path: PathBuf,
    /// The segment's base offset.
    pub base_offset: i64,
    /// Why it was scanned.
    pub reason: RecoveryReason,
    /// Batches that passed validation and were kept.
    pub batches_kept: u64,
    /// Bytes kept: the log now ends here.
    pub valid_bytes: u64,
    /// Bytes removed from the end of the log file.
    pub bytes_cut: u64,
    /// What was wrong at `valid_bytes`, when anything was cut.
    pub defect: Option<ScanDefect>,
    /// The offset the next append gets.
    pub next_offset: i64,
    /// Chain links computed for kept batches whose links had not reached
    /// the disk (verifiable logs).
    pub chain_links_added: u64,
    /// Chain links removed because their batches were cut or never written.
    pub chain_links_dropped: u64,
}

/// What opening a log found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecoveryReport {
    /// Whether the log had been closed cleanly.
    pub clean_shutdown: bool,
    /// Segments found on disk.
    pub segments: usize,
    /// Segments that were scanned, in order.
    pub recovered: Vec<SegmentRecovery>,
    /// Leftover files removed (index or chain files without a log, left
    /// by a crash during a deletion or a roll).
    pub removed_files: Vec<PathBuf>,
}

impl RecoveryReport {
    /// Total bytes cut from all segments.
    pub fn bytes_cut(&self) -> u64 {
        self.recovered.iter().map(|r| r.bytes_cut).sum()
    }
}

/// Rebuilds a segment from its log file: scans and validates every batch,
/// truncates the file at the first bad one, rebuilds the indexes and, for
/// a verifiable log, brings the chain file in line with the kept batches.
///
/// `chain_previous` is the link the segment continues from, needed only
/// if a verifiable segment's chain file never reached the disk.
pub(crate) fn recover_segment(
    dir: &Path,
    base_offset: i64,
    reason: RecoveryReason,
    index_interval_bytes: u32,
    chain_previous: Option<ChainHash>,
    now_ms: i64,
) -> Result<(Segment, SegmentRecovery), StorageError> {
    let paths = SegmentPaths::new(dir, base_offset);
    let file = open_read_write(&paths.log)?;
    let file_size = file
        .metadata()
        .map_err(StorageError::io("stat", &paths.log))?
        .len();
    let mut chain = match chain_previous {
        Some(previous) => Some(open_or_create_chain(&paths, previous, file_size)?),
        None => None,
    };
    let stored_links = chain.as_ref().map_or(0, ChainWriter::len);
    let mut running_link = chain.as_ref().map_or([0; 32], ChainWriter::head);
    let mut new_links = Vec::new();
    // The scan reads through a second descriptor so the segment can own
    // the file and index each batch as it is found, without holding every
    // header of a large segment in memory.
    let scan_file = file
        .try_clone()
        .map_err(StorageError::io("open", &paths.log))?;
    let mut segment = Segment::empty(base_offset, paths, file);
    let mut kept = 0u64;
    let mut defect = None;
    let mut scan = BatchScan::new(&scan_file, 0, file_size, WHOLE_SEGMENT_CHUNK);
    loop {
        let step = scan
            .next_validated(segment.next_offset)
            .map_err(StorageError::io("read", &segment.paths.log))?;
        match step {
            ScanStep::Batch { position, header } => {
                if chain.is_some() && kept >= stored_links {
                    let bytes = scan
                        .batch_bytes(position, &header)
                        .map_err(StorageError::io("read", &segment.paths.log))?;
                    running_link = link(&running_link, bytes);
                    new_links.push(ChainEntry {
                        offset: header.base_offset,
                        hash: running_link,
                    });
                }
                segment.index_batch(position, &header, index_interval_bytes);
                segment.size = position + header.total_len() as u64;
                kept += 1;
            }
            ScanStep::End => break,
            ScanStep::Defect {
                position,
                defect: found,
            } => {
                defect = Some(found);
                debug_assert_eq!(position, segment.size);
                break;
            }
        }
    }
    let valid_bytes = segment.size;
    let bytes_cut = file_size - valid_bytes;
    if bytes_cut > 0 {
        let file = segment.file()?;
        file.set_len(valid_bytes)
            .map_err(StorageError::io("truncate", &segment.paths.log))?;
        file.sync_data()
            .map_err(StorageError::io("sync", &segment.paths.log))?;
    }
    let (mut chain_links_added, mut chain_links_dropped) = (0, 0);
    if let Some(chain) = &mut chain {
        if stored_links > kept {
            chain.truncate(kept)?;
            chain_links_dropped = stored_links - kept;
        } else if kept > stored_links {
            chain.append(&new_links)?;
            chain_links_added = kept - stored_links;
        }
        chain.sync()?;
    }
    segment.chain = chain;
    segment.roll_basis_ms = segment.initial_roll_basis(now_ms);
    let report = SegmentRecovery {
        log_path: segment.paths.log.clone(),
        base_offset,
        reason,
        batches_kept: kept,
        valid_bytes,
        bytes_cut,
        defect,
        next_offset: segment.next_offset,
        chain_links_added,
        chain_links_dropped,
    };
    log_recovery(&report);
    Ok((segment, report))
}

/// A chain file that is missing can only belong to a segment created just
/// before a crash, whose log is still empty; anything else means the chain
/// was removed, and recovery must not forge a new one over existing data.
fn open_or_create_chain(
    paths: &SegmentPaths,
    previous: ChainHash,
    log_size: u64,
) -> Result<ChainWriter, StorageError> {
    if paths.chain.exists() {
        return ChainWriter::open(&paths.chain);
    }
    if log_size == 0 {
        return ChainWriter::create(&paths.chain, previous);
    }
    Err(StorageError::Corrupt {
        path: paths.chain.clone(),
        detail: format!(
            "the chain file of a verifiable log is missing while its log holds {log_size} bytes"
        ),
    })
}

fn log_recovery(r: &SegmentRecovery) {
    let log = r.log_path.display();
    match &r.defect {
        Some(defect) => tracing::warn!(
            segment = %log,
            reason = %r.reason,
            batches_kept = r.batches_kept,
            valid_bytes = r.valid_bytes,
            bytes_cut = r.bytes_cut,
            next_offset = r.next_offset,
            chain_links_added = r.chain_links_added,
            chain_links_dropped = r.chain_links_dropped,
            "recovered segment {log}: kept {} batches ({} bytes) and cut {} bytes at byte {}: {defect}",
            r.batches_kept, r.valid_bytes, r.bytes_cut, r.valid_bytes,
        ),
        None => tracing::info!(
            segment = %log,
            reason = %r.reason,
            batches_kept = r.batches_kept,
            valid_bytes = r.valid_bytes,
            next_offset = r.next_offset,
            chain_links_added = r.chain_links_added,
            chain_links_dropped = r.chain_links_dropped,
            "recovered segment {log}: all {} batches ({} bytes) valid, nothing cut; indexes rebuilt",
            r.batches_kept, r.valid_bytes,
        ),
    }
}
