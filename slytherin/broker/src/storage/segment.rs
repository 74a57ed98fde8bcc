//! One segment of a partition log: a file of consecutive record batches
//! starting at `base_offset`, its sparse indexes and, for verifiable logs,
//! its chain file.
//!
//! Files are named by the base offset, zero-padded to 20 digits as Kafka
//! names them, so a directory listing sorts in offset order:
//! `00000000000000000000.log`, `.index`, `.timeindex`, `.chain`.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::batch::{iter_batches, BatchHeader};
use super::chain::{ChainEntry, ChainHash, ChainWriter};
use super::error::StorageError;
use super::index::{IndexDefect, OffsetEntry, OffsetIndex, TimeEntry, TimeIndex};
use super::records::{first_record_at_or_after, RecordPosition};
use super::recovery::RecoveryReason;
use super::scan::{BatchScan, ScanStep, LOOKUP_CHUNK};

/// The files of one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentPaths {
    pub(crate) log: PathBuf,
    pub(crate) offset_index: PathBuf,
    pub(crate) time_index: PathBuf,
    pub(crate) chain: PathBuf,
}

impl SegmentPaths {
    pub(crate) fn new(dir: &Path, base_offset: i64) -> Self {
        let stem = format!("{base_offset:020}");
        SegmentPaths {
            log: dir.join(format!("{stem}.log")),
            offset_index: dir.join(format!("{stem}.index")),
            time_index: dir.join(format!("{stem}.timeindex")),
            chain: dir.join(format!("{stem}.chain")),
        }
    }
}

/// Bytes read back from a segment: whole batches only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentRead {
    pub(crate) records: Vec<u8>,
    pub(crate) next_offset: i64,
}

/// One segment, sealed or active.
#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) base_offset: i64,
    pub(crate) paths: SegmentPaths,
    /// Opened eagerly (read-write) for the active segment and on first read
    /// for sealed ones, so a log with thousands of segments does not hold
    /// thousands of descriptors until they are read.
    file: OnceLock<File>,
    /// Bytes of valid batches; anything past it in the file is ignored.
    pub(crate) size: u64,
    /// Offset after the last batch (the base offset when empty).
    pub(crate) next_offset: i64,
    /// Largest batch max timestamp, `i64::MIN` when empty.
    pub(crate) max_timestamp: i64,
    pub(crate) offset_index: OffsetIndex,
    pub(crate) time_index: TimeIndex,
    bytes_since_index_entry: u64,
    /// Base offset of the last batch, when it is known (it is not for a
    /// sealed segment loaded from its index files, whose time index already
    /// ends with the segment's final entry).
    last_batch_offset: Option<i64>,
    /// When the segment started counting towards `segment_ms`.
    pub(crate) roll_basis_ms: Option<i64>,
    /// Set for the active segment of a verifiable log.
    pub(crate) chain: Option<ChainWriter>,
}

impl Segment {
    /// Creates the files of a new, empty active segment. The chain file (if
    /// any) is created first: a crash between the two leaves either an
    /// orphan chain file, which opening removes, or both.
    pub(crate) fn create(
        dir: &Path,
        base_offset: i64,
        chain_previous: Option<ChainHash>,
    ) -> Result<Self, StorageError> {
        let paths = SegmentPaths::new(dir, base_offset);
        let chain = chain_previous
            .map(|previous| ChainWriter::create(&paths.chain, previous))
            .transpose()?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&paths.log)
            .map_err(StorageError::io("create", &paths.log))?;
        sync_dir(dir)?;
        let mut segment = Segment::empty(base_offset, paths, file);
        segment.chain = chain;
        Ok(segment)
    }

    /// An in-memory segment over `file` with no batches indexed yet.
    pub(crate) fn empty(base_offset: i64, paths: SegmentPaths, file: File) -> Self {
        Segment {
            base_offset,
            paths,
            file: OnceLock::from(file),
            size: 0,
            next_offset: base_offset,
            max_timestamp: i64::MIN,
            offset_index: OffsetIndex::default(),
            time_index: TimeIndex::default(),
            bytes_since_index_entry: 0,
            last_batch_offset: None,
            roll_basis_ms: None,
            chain: None,
        }
    }

    /// Loads a sealed segment from its index files without reading the log.
    /// `Ok(Err(reason))` means the index files cannot be trusted and the
    /// segment must be rebuilt by a scan.
    pub(crate) fn load_sealed(
        dir: &Path,
        base_offset: i64,
    ) -> Result<Result<Self, RecoveryReason>, StorageError> {
        let paths = SegmentPaths::new(dir, base_offset);
        let size = fs::metadata(&paths.log)
            .map_err(StorageError::io("stat", &paths.log))?
            .len();
        let (offset_index, time_index) = match read_indexes(&paths, size) {
            Ok(indexes) => indexes,
            Err(why) => return Ok(Err(RecoveryReason::UnusableIndex(why))),
        };
        if size > 0 && time_index.is_empty() {
            return Ok(Err(RecoveryReason::UnusableIndex(
                "the time index is empty for a non-empty log".to_owned(),
            )));
        }
        Ok(Ok(Segment {
            base_offset,
            max_timestamp: time_index.last().map_or(i64::MIN, |e| e.timestamp),
            // Sealed segments are contiguous with the next one; the log
            // fills this in once it knows the next segment's base.
            next_offset: base_offset,
            paths,
            file: OnceLock::new(),
            size,
            offset_index,
            time_index,
            bytes_since_index_entry: 0,
            last_batch_offset: None,
            roll_basis_ms: None,
            chain: None,
        }))
    }

    /// Loads the active segment after a clean shutdown: its index files,
    /// then a validated scan of the short tail after the last index entry,
    /// which yields the next offset. `Ok(Err(reason))` means the files
    /// disagree and the segment must be recovered by a full scan instead.
    pub(crate) fn load_clean_active(
        dir: &Path,
        base_offset: i64,
        index_interval_bytes: u32,
        verifiable: bool,
        now_ms: i64,
    ) -> Result<Result<Self, RecoveryReason>, StorageError> {
        let paths = SegmentPaths::new(dir, base_offset);
        let file = open_read_write(&paths.log)?;
        let size = file
            .metadata()
            .map_err(StorageError::io("stat", &paths.log))?
            .len();
        let (offset_index, time_index) = match read_indexes(&paths, size) {
            Ok(indexes) => indexes,
            Err(why) => return Ok(Err(RecoveryReason::UnusableIndex(why))),
        };
        let (start, tail_offset) = offset_index.last().map_or((0, base_offset), |e| {
            (
                u64::from(e.position),
                base_offset + i64::from(e.relative_offset),
            )
        });
        let mut tail = Vec::new();
        let mut scan = BatchScan::new(&file, start, size, LOOKUP_CHUNK);
        let mut expected = tail_offset;
        loop {
            match scan
                .next_validated(expected)
                .map_err(StorageError::io("read", &paths.log))?
            {
                ScanStep::Batch { position, header } => {
                    expected = header.next_offset();
                    tail.push((position, header));
                }
                ScanStep::End => break,
                ScanStep::Defect { position, defect } => {
                    return Ok(Err(RecoveryReason::DamagedTail(format!(
                        "byte {position}: {defect}"
                    ))));
                }
            }
        }
        drop(scan);
        let mut segment = Segment::empty(base_offset, paths, file);
        segment.max_timestamp = time_index.last().map_or(i64::MIN, |e| e.timestamp);
        segment.offset_index = offset_index;
        segment.time_index = time_index;
        segment.size = start;
        segment.next_offset = tail_offset;
        for (position, header) in tail {
            segment.index_batch(position, &header, index_interval_bytes);
            segment.size = position + header.total_len() as u64;
        }
        if verifiable {
            segment.chain = Some(ChainWriter::open(&segment.paths.chain)?);
        }
        segment.roll_basis_ms = segment.initial_roll_basis(now_ms);
        Ok(Ok(segment))
    }
}

pub(crate) fn open_read_write(path: &Path) -> Result<File, StorageError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(StorageError::io("open", path))
}

/// Reads and checks both index files of a segment whose log has `log_size`
/// bytes; `Err` says why they cannot be used.
fn read_indexes(paths: &SegmentPaths, log_size: u64) -> Result<(OffsetIndex, TimeIndex), String> {
    let read =
        |path: &Path| fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let describe = |path: &Path, defect: IndexDefect| format!("{}: {defect}", path.display());
    let offset_index = OffsetIndex::decode(&read(&paths.offset_index)?, log_size)
        .map_err(|d| describe(&paths.offset_index, d))?;
    let time_index =
        TimeIndex::decode(&read(&paths.time_index)?).map_err(|d| describe(&paths.time_index, d))?;
    Ok((offset_index, time_index))
}

/// Makes a folder's entries (files created, renamed or removed) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StorageError::io("sync folder", dir))
}

impl Segment {
    /// The segment's log file, opened read-only on first use if sealed.
    pub(crate) fn file(&self) -> Result<&File, StorageError> {
        if let Some(file) = self.file.get() {
            return Ok(file);
        }
        let file =
            File::open(&self.paths.log).map_err(StorageError::io("open", &self.paths.log))?;
        Ok(self.file.get_or_init(|| file))
    }

    /// Whether the segment holds no batch.
    pub(crate) fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// When a reopened, non-empty segment started counting towards
    /// `segment_ms`: its first batch's timestamp (as Kafka rolls), unless
    /// that is missing or in the future.
    pub(crate) fn initial_roll_basis(&self, now_ms: i64) -> Option<i64> {
        if self.is_empty() {
            return None;
        }
        Some(
            self.time_index
                .first()
                .map(|e| e.timestamp)
                .filter(|ts| (0..=now_ms).contains(ts))
                .unwrap_or(now_ms),
        )
    }

    /// Records a batch that now lies at `position` in the indexes and the
    /// segment's bookkeeping. Used for appends and for rebuilding indexes
    /// from a scan, so both produce the same indexes.
    pub(crate) fn index_batch(&mut self, position: u64, header: &BatchHeader, interval: u32) {
        let relative_offset = (header.base_offset - self.base_offset) as u32;
        self.max_timestamp = self.max_timestamp.max(header.max_timestamp);
        if position == 0 || self.bytes_since_index_entry >= u64::from(interval) {
            if position > 0 {
                self.offset_index.push(OffsetEntry {
                    relative_offset,
                    position: position as u32,
                });
            }
            self.time_index.push_if_newer(TimeEntry {
                timestamp: self.max_timestamp,
                relative_offset,
            });
            self.bytes_since_index_entry = 0;
        }
        self.bytes_since_index_entry += header.total_len() as u64;
        self.last_batch_offset = Some(header.base_offset);
        self.next_offset = header.next_offset();
    }

    /// Appends `payload`, the exact bytes of the batches `headers` (offsets
    /// already assigned), and their chain links. On a failed write the file
    /// is cut back so that no partial batch stays behind.
    pub(crate) fn append(
        &mut self,
        payload: &[u8],
        headers: &[BatchHeader],
        links: &[ChainEntry],
        index_interval_bytes: u32,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let start = self.size;
        let file = self.file()?;
        let undo = |file: &File| {
            let _ = file.set_len(start);
        };
        if let Err(e) = file.write_all_at(payload, start) {
            undo(file);
            return Err(StorageError::io("write", &self.paths.log)(e));
        }
        if let Some(chain) = &mut self.chain {
            if let Err(e) = chain.append(links) {
                if let Some(file) = self.file.get() {
                    undo(file);
                }
                return Err(e);
            }
        }
        if self.is_empty() {
            self.roll_basis_ms = Some(now_ms);
        }
        let mut position = start;
        for header in headers {
            self.index_batch(position, header, index_interval_bytes);
            position += header.total_len() as u64;
        }
        self.size = position;
        Ok(())
    }

    /// Forces the log (and chain) to stable storage.
    pub(crate) fn sync(&self) -> Result<(), StorageError> {
        self.file()?
            .sync_data()
            .map_err(StorageError::io("sync", &self.paths.log))?;
        if let Some(chain) = &self.chain {
            chain.sync()?;
        }
        Ok(())
    }

    /// Syncs the log and writes both index files, complete with an entry
    /// for the segment's largest timestamp, and syncs them: done when the
    /// segment is sealed by a roll and at a clean shutdown.
    pub(crate) fn persist(&mut self) -> Result<(), StorageError> {
        self.sync()?;
        if let Some(last) = self.last_batch_offset {
            self.time_index.push_if_newer(TimeEntry {
                timestamp: self.max_timestamp,
                relative_offset: (last - self.base_offset) as u32,
            });
        }
        write_synced(&self.paths.offset_index, &self.offset_index.encode())?;
        write_synced(&self.paths.time_index, &self.time_index.encode())?;
        Ok(())
    }

    /// The first batch whose last offset is at least `offset`, with its
    /// position: a short scan forward from the index entry before it.
    pub(crate) fn find_batch(
        &self,
        offset: i64,
    ) -> Result<Option<(u64, BatchHeader)>, StorageError> {
        let relative = (offset - self.base_offset).clamp(0, i64::from(u32::MAX)) as u32;
        let start = self.offset_index.lookup(relative).map_or(0, |e| e.position);
        self.scan_until(u64::from(start), |header| header.last_offset() >= offset)
    }

    /// Scans headers from `start` and returns the first batch satisfying `stop`.
    fn scan_until(
        &self,
        start: u64,
        stop: impl Fn(&BatchHeader) -> bool,
    ) -> Result<Option<(u64, BatchHeader)>, StorageError> {
        let mut scan = BatchScan::new(self.file()?, start, self.size, LOOKUP_CHUNK);
        loop {
            match scan
                .next_header()
                .map_err(StorageError::io("read", &self.paths.log))?
            {
                ScanStep::Batch { position, header } if stop(&header) => {
                    return Ok(Some((position, header)))
                }
                ScanStep::Batch { .. } => {}
                ScanStep::End => return Ok(None),
                ScanStep::Defect { position, defect } => {
                    return Err(StorageError::Corrupt {
                        path: self.paths.log.clone(),
                        detail: format!("unreadable batch at byte {position}: {defect}"),
                    })
                }
            }
        }
    }

    /// Whole batches starting with the one holding `offset`, up to
    /// `max_bytes` in total but always at least one (as Kafka's Fetch does,
    /// so a consumer can make progress past a batch larger than its limit).
    /// One positioned read; batches are returned exactly as stored.
    pub(crate) fn read(
        &self,
        offset: i64,
        max_bytes: usize,
    ) -> Result<Option<SegmentRead>, StorageError> {
        let Some((start, first)) = self.find_batch(offset)? else {
            return Ok(None);
        };
        let available = usize::try_from(self.size - start).unwrap_or(usize::MAX);
        let want = max_bytes.min(available).max(first.total_len());
        let mut records = vec![0; want];
        self.file()?
            .read_exact_at(&mut records, start)
            .map_err(StorageError::io("read", &self.paths.log))?;
        let mut end = 0;
        let mut next_offset = first.next_offset();
        for (header, _) in iter_batches(&records).map_while(Result::ok) {
            end += header.total_len();
            next_offset = header.next_offset();
        }
        records.truncate(end);
        Ok(Some(SegmentRead {
            records,
            next_offset,
        }))
    }

    /// The first record at or after `timestamp` in this segment.
    pub(crate) fn find_timestamp(
        &self,
        timestamp: i64,
    ) -> Result<Option<RecordPosition>, StorageError> {
        if self.max_timestamp < timestamp {
            return Ok(None);
        }
        let start = self
            .time_index
            .last_before(timestamp)
            .and_then(|e| self.offset_index.lookup(e.relative_offset))
            .map_or(0, |e| u64::from(e.position));
        let Some((position, header)) =
            self.scan_until(start, |header| header.max_timestamp >= timestamp)?
        else {
            return Ok(None);
        };
        let mut batch = vec![0; header.total_len()];
        self.file()?
            .read_exact_at(&mut batch, position)
            .map_err(StorageError::io("read", &self.paths.log))?;
        Ok(first_record_at_or_after(&header, &batch, timestamp))
    }

    /// Removes the segment's files, the log first: once it is gone the
    /// segment no longer exists for a restart, and index or chain files
    /// left behind by a crash are removed as orphans.
    pub(crate) fn remove_files(&self) -> Result<(), StorageError> {
        for path in [
            &self.paths.log,
            &self.paths.offset_index,
            &self.paths.time_index,
            &self.paths.chain,
        ] {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StorageError::io("remove", path)(e)),
            }
        }
        Ok(())
    }
}

/// Replaces a file's content and syncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(StorageError::io("create", path))?;
    file.write_all_at(bytes, 0)
        .map_err(StorageError::io("write", path))?;
    file.sync_data().map_err(StorageError::io("sync", path))
}
