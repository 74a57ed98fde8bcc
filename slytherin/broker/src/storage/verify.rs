//! Proving a stored log intact, or naming the first offset that is not.
//!
//! Verification reads every segment from disk, not the in-memory state:
//! each batch must pass its CRC, follow on from the batch before it
//! (offsets are contiguous within and across segments) and, in a
//! verifiable log, hash to the link its chain file records, starting from
//! the link the oldest remaining segment continues from.

use std::fs::File;

use super::chain::{link, read_chain, ChainContents, ChainHash};
use super::error::StorageError;
use super::scan::{BatchScan, ScanStep, WHOLE_SEGMENT_CHUNK};
use super::segment::Segment;

/// The result of verifying a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every batch checked out.
    Intact {
        /// Batches checked.
        batches: u64,
        /// Offset after the last batch.
        next_offset: i64,
        /// The last link of the chain (verifiable logs): compare it with a
        /// head recorded elsewhere to detect a rewritten chain.
        head: Option<ChainHash>,
    },
    /// The log is damaged or was tampered with at `first_bad_offset`;
    /// everything before it checked out.
    Broken {
        /// The first offset whose stored data cannot be trusted.
        first_bad_offset: i64,
        /// What is wrong there.
        reason: String,
    },
}

/// Verifies `segments` (oldest first); checks the chain if `verifiable`.
pub(crate) fn verify_segments(
    segments: &[Segment],
    verifiable: bool,
) -> Result<Verification, StorageError> {
    let broken = |first_bad_offset, reason: String| {
        Ok(Verification::Broken {
            first_bad_offset,
            reason,
        })
    };
    let mut batches = 0;
    let mut head: Option<ChainHash> = None;
    let mut expected: Option<i64> = None;
    for segment in segments {
        if let Some(expected) = expected {
            if segment.base_offset != expected {
                return broken(
                    expected,
                    format!(
                        "the segment after offset {} starts at {} ({})",
                        expected - 1,
                        segment.base_offset,
                        segment.paths.log.display()
                    ),
                );
            }
        }
        let mut next = segment.base_offset;
        let chain = if verifiable {
            match read_chain(&segment.paths.chain) {
                Ok(chain) => Some(chain),
                Err(e) => return broken(next, format!("its chain file is unreadable: {e}")),
            }
        } else {
            None
        };
        if let Some(ChainContents { previous, .. }) = &chain {
            match head {
                Some(h) if h != *previous => {
                    return broken(
                        next,
                        format!(
                            "{} does not continue the chain of the segment before it",
                            segment.paths.chain.display()
                        ),
                    )
                }
                _ => head = Some(*previous),
            }
        }
        // A fresh descriptor: the check is of what is on disk now.
        let file =
            File::open(&segment.paths.log).map_err(StorageError::io("open", &segment.paths.log))?;
        let on_disk = file
            .metadata()
            .map_err(StorageError::io("stat", &segment.paths.log))?
            .len();
        let mut scan = BatchScan::new(&file, 0, on_disk.min(segment.size), WHOLE_SEGMENT_CHUNK);
        let mut index = 0;
        loop {
            let step = scan
                .next_validated(next)
                .map_err(StorageError::io("read", &segment.paths.log))?;
            let (position, header) = match step {
                ScanStep::Batch { position, header } => (position, header),
                ScanStep::End => break,
                ScanStep::Defect { position, defect } => {
                    return broken(
                        next,
                        format!("{} byte {position}: {defect}", segment.paths.log.display()),
                    )
                }
            };
            if let (Some(chain), Some(previous)) = (&chain, head) {
                let Some(entry) = chain.entries.get(index) else {
                    return broken(next, "the batch has no chain link".to_owned());
                };
                let bytes = scan
                    .batch_bytes(position, &header)
                    .map_err(StorageError::io("read", &segment.paths.log))?;
                let computed = link(&previous, bytes);
                if entry.offset != header.base_offset || entry.hash != computed {
                    return broken(
                        next,
                        format!(
                            "the batch does not match its chain link (link recorded for offset {})",
                            entry.offset
                        ),
                    );
                }
                head = Some(computed);
            }
            next = header.next_offset();
            index += 1;
            batches += 1;
        }
        if on_disk < segment.size {
            return broken(
                next,
                format!(
                    "{} is {on_disk} bytes but held {} bytes of batches",
                    segment.paths.log.display(),
                    segment.size
                ),
            );
        }
        if let Some(extra) = chain.as_ref().and_then(|c| c.entries.get(index)) {
            return broken(
                extra.offset.min(next),
                "the chain links a batch that is missing from the log".to_owned(),
            );
        }
        expected = Some(next);
    }
    Ok(Verification::Intact {
        batches,
        next_offset: expected.unwrap_or(0),
        head: if verifiable { head } else { None },
    })
}
