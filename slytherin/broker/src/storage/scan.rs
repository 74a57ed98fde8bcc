//! Walking a segment file batch by batch.
//!
//! Lookups, recovery, verification and reads all walk batches forward from
//! some position. The walk reads through a chunk buffer with positioned
//! reads (`pread`), so it never moves the file's cursor and many lookups can
//! share one open file.

use std::fmt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use super::batch::{self, BatchError, BatchHeader, BATCH_HEADER_LEN};

/// How much of a segment one read brings in when walking a whole segment
/// (recovery, verification): large reads keep the disk streaming.
pub(crate) const WHOLE_SEGMENT_CHUNK: usize = 256 * 1024;
/// How much one read brings in for a lookup, which walks at most about
/// one index interval of headers: copying more would cost more than the
/// walk itself.
pub(crate) const LOOKUP_CHUNK: usize = 16 * 1024;

/// Positioned, buffered reads of one file's first `end` bytes.
pub(crate) struct ChunkReader<'f> {
    file: &'f File,
    end: u64,
    chunk: usize,
    buf: Vec<u8>,
    buf_start: u64,
}

impl<'f> ChunkReader<'f> {
    /// Reads `file` up to byte `end` (bytes past it are ignored: they may be
    /// a write in progress or a torn tail).
    pub(crate) fn new(file: &'f File, end: u64, chunk: usize) -> Self {
        ChunkReader {
            file,
            end,
            chunk,
            buf: Vec::new(),
            buf_start: 0,
        }
    }

    /// The bytes `[pos, pos + len)`, which the caller has checked lie
    /// before `end`.
    pub(crate) fn bytes(&mut self, pos: u64, len: usize) -> io::Result<&[u8]> {
        let buf_end = self.buf_start + self.buf.len() as u64;
        if pos < self.buf_start || pos + len as u64 > buf_end {
            let available = usize::try_from(self.end.saturating_sub(pos)).unwrap_or(usize::MAX);
            let read_len = len.max(self.chunk).min(available);
            if read_len < len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "read of {len} bytes at {pos} runs past the end at {}",
                        self.end
                    ),
                ));
            }
            self.buf.resize(read_len, 0);
            self.file.read_exact_at(&mut self.buf, pos)?;
            self.buf_start = pos;
        }
        let from = (pos - self.buf_start) as usize;
        Ok(&self.buf[from..from + len])
    }
}

/// Why a walk could not go on at some position: the log is valid only
/// before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanDefect {
    /// The file ends inside a batch (a torn write).
    Torn {
        /// Bytes the batch needs.
        needed: u64,
        /// Bytes left in the file.
        available: u64,
    },
    /// The bytes are not a batch header, or the batch fails its CRC.
    Invalid(BatchError),
    /// The batch's offset is not the one that follows the previous batch.
    /// `baseOffset` is outside the CRC, so this is how a damaged offset
    /// field is caught.
    OffsetMismatch {
        /// The offset that should come next.
        expected: i64,
        /// The offset the batch claims.
        found: i64,
    },
}

impl fmt::Display for ScanDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanDefect::Torn { needed, available } => write!(
                f,
                "torn batch: {needed} bytes needed, {available} left in the file"
            ),
            ScanDefect::Invalid(e) => write!(f, "{e}"),
            ScanDefect::OffsetMismatch { expected, found } => write!(
                f,
                "batch claims base offset {found}, but offset {expected} comes next"
            ),
        }
    }
}

/// One step of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScanStep {
    /// A batch at `position`.
    Batch {
        /// Byte position of the batch in the file.
        position: u64,
        /// Its header.
        header: BatchHeader,
    },
    /// The walk reached the end cleanly.
    End,
    /// The walk stopped at `position` because of `defect`.
    Defect {
        /// Where the first bad byte of the log is (the start of the bad batch).
        position: u64,
        /// What is wrong there.
        defect: ScanDefect,
    },
}

/// A forward walk over the batches of one file.
pub(crate) struct BatchScan<'f> {
    reader: ChunkReader<'f>,
    position: u64,
    end: u64,
}

impl<'f> BatchScan<'f> {
    /// Walks `file` from byte `start` to byte `end`, reading `chunk` bytes
    /// at a time.
    pub(crate) fn new(file: &'f File, start: u64, end: u64, chunk: usize) -> Self {
        BatchScan {
            reader: ChunkReader::new(file, end, chunk),
            position: start,
            end,
        }
    }

    /// Next batch, checking its structure only (header and length), which
    /// is enough to navigate bytes that were validated when written.
    pub(crate) fn next_header(&mut self) -> io::Result<ScanStep> {
        self.step(None)
    }

    /// Next batch, checking everything a batch can be checked for: length,
    /// magic, CRC and that its base offset is `expected_offset`.
    pub(crate) fn next_validated(&mut self, expected_offset: i64) -> io::Result<ScanStep> {
        self.step(Some(expected_offset))
    }

    /// The bytes of the batch the last step returned.
    pub(crate) fn batch_bytes(&mut self, position: u64, header: &BatchHeader) -> io::Result<&[u8]> {
        self.reader.bytes(position, header.total_len())
    }

    fn step(&mut self, expected_offset: Option<i64>) -> io::Result<ScanStep> {
        let position = self.position;
        let available = self.end - position;
        if available == 0 {
            return Ok(ScanStep::End);
        }
        let defect = |defect| Ok(ScanStep::Defect { position, defect });
        if available < BATCH_HEADER_LEN as u64 {
            return defect(ScanDefect::Torn {
                needed: BATCH_HEADER_LEN as u64,
                available,
            });
        }
        let header = match BatchHeader::parse(self.reader.bytes(position, BATCH_HEADER_LEN)?) {
            Ok(header) => header,
            Err(e) => return defect(ScanDefect::Invalid(e)),
        };
        let len = header.total_len() as u64;
        if len > available {
            return defect(ScanDefect::Torn {
                needed: len,
                available,
            });
        }
        if let Some(expected) = expected_offset {
            let bytes = self.reader.bytes(position, header.total_len())?;
            if let Err(e) = batch::validate_batch(bytes) {
                return defect(ScanDefect::Invalid(e));
            }
            if header.base_offset != expected {
                return defect(ScanDefect::OffsetMismatch {
                    expected,
                    found: header.base_offset,
                });
            }
        }
        self.position += len;
        Ok(ScanStep::Batch { position, header })
    }
}
