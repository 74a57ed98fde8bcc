//! A pipeline's checkpoint for one input partition: where its input
//! resumes, its state there, and what it had written to each output
//! partition, written atomically (a temporary file, synced, renamed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The checkpoint of one (pipeline, input partition).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The input offset processing resumes at.
    pub next_offset: i64,
    /// The processor's state after the input before `next_offset`.
    pub snapshot: Vec<u8>,
    /// The sequence number of the next output, per output partition.
    pub next_sequence: BTreeMap<i32, i32>,
    /// Each output partition's log end when the checkpoint was taken: the
    /// outputs written after it are found by scanning from there.
    pub output_ends: BTreeMap<i32, i64>,
    /// What the processor had counted, for operators.
    #[serde(default)]
    pub counters: Counters,
    /// Per table topic, per partition, the offset of its first record not
    /// yet in the snapshot's tables.
    #[serde(default)]
    pub tables: BTreeMap<String, BTreeMap<i32, i64>>,
}

/// A processor's counters at a checkpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Input records processed.
    pub processed: u64,
    /// Input records that were not a valid message of the input topic.
    pub undecodable: u64,
    /// Messages that came after their windows had closed.
    pub late: u64,
    /// Output records written.
    pub emitted: u64,
}

/// Where the checkpoint of `pipeline`'s `input` partition lives.
pub fn path(state: &Path, pipeline: &str, input: i32) -> PathBuf {
    state.join(pipeline).join(format!("{input}.json"))
}

/// The checkpoints `pipeline` has, by input partition, in order.
pub fn saved(state: &Path, pipeline: &str) -> Vec<(i32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(state.join(pipeline)) else {
        return Vec::new();
    };
    let mut found: Vec<(i32, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|path| {
            let stem = path.file_name()?.to_str()?.strip_suffix(".json")?;
            Some((stem.parse().ok()?, path))
        })
        .collect();
    found.sort();
    found
}

/// Reads a checkpoint; `None` when there is none yet.
///
/// # Errors
/// When the file exists but cannot be read or is not a checkpoint.
pub fn load(path: &Path) -> Result<Option<Checkpoint>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("checkpoint `{}` is damaged: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read checkpoint `{}`: {e}", path.display())),
    }
}

/// Writes a checkpoint so that a crash leaves either the old or the new
/// one, never a torn file.
///
/// # Errors
/// When the file cannot be written.
pub fn store(path: &Path, checkpoint: &Checkpoint) -> Result<(), String> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("cannot write checkpoint `{}`: {e}", path.display());
    std::fs::create_dir_all(folder).map_err(fail)?;
    let temporary = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec(checkpoint).map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary).map_err(fail)?;
        file.write_all(&bytes).map_err(fail)?;
        file.sync_all().map_err(fail)?;
    }
    std::fs::rename(&temporary, path).map_err(fail)?;
    std::fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_checkpoint_loads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().expect("a folder");
        let at = path(dir.path(), "counts", 3);
        assert_eq!(load(&at), Ok(None));
        let checkpoint = Checkpoint {
            next_offset: 42,
            snapshot: vec![1, 2, 3],
            next_sequence: BTreeMap::from([(0, 7)]),
            output_ends: BTreeMap::from([(0, 100)]),
            counters: Counters {
                processed: 5,
                ..Counters::default()
            },
            tables: BTreeMap::from([("pages".to_owned(), BTreeMap::from([(1, 9)]))]),
        };
        store(&at, &checkpoint).expect("stored");
        assert_eq!(load(&at), Ok(Some(checkpoint)));
        std::fs::write(&at, b"{ not json").expect("damage it");
        assert!(load(&at).expect_err("damaged").contains("damaged"));
    }
}
