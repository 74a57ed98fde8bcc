//! Verifiable logs: every batch hash-chained to the one before, and
//! `verify` proving the log intact or naming the first bad offset.

mod common;

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;

use common::*;
use proptest::prelude::*;
use slytherin_broker::storage::batch::{compute_crc, BatchHeader};
use slytherin_broker::storage::{LogConfig, PartitionLog, Verification};

fn verifiable() -> LogConfig {
    LogConfig {
        segment_bytes: 1000,
        verifiable: true,
        ..test_config()
    }
}

/// A log of `n` batches; returns their stored bytes.
fn filled(dir: &Path, config: &LogConfig, n: usize) -> (PartitionLog, Vec<Vec<u8>>) {
    let (_, clock) = clock_at(0);
    let mut log = open(dir, config, &clock);
    let stored = (0..n)
        .map(|i| {
            append(
                &mut log,
                &simple_batch(1 + i % 3, i as i64, 50 + i % 40, i as u64),
            )
        })
        .collect();
    (log, stored)
}

/// Where batch `k` lives: its segment file and its byte position there.
fn locate(log: &PartitionLog, stored: &[Vec<u8>], k: usize) -> (std::path::PathBuf, u64) {
    let base = BatchHeader::parse(&stored[k]).expect("h").base_offset;
    let seg = *log
        .segment_base_offsets()
        .iter()
        .rev()
        .find(|&&b| b <= base)
        .expect("segment");
    let position = stored[..k]
        .iter()
        .filter(|b| BatchHeader::parse(b).expect("h").base_offset >= seg)
        .map(|b| b.len() as u64)
        .sum();
    (segment_file(log.dir(), seg, "log"), position)
}

fn write_at(path: &Path, at: u64, bytes: &[u8]) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open")
        .write_all_at(bytes, at)
        .expect("write");
}

fn bad_offset(v: Verification) -> i64 {
    match v {
        Verification::Broken {
            first_bad_offset, ..
        } => first_bad_offset,
        Verification::Intact { .. } => panic!("tampering went unnoticed"),
    }
}

fn offset_of(batch: &[u8]) -> i64 {
    BatchHeader::parse(batch).expect("h").base_offset
}

#[test]
fn an_untampered_log_verifies_across_segments_and_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = verifiable();
    let (log, stored) = filled(dir.path(), &config, 40);
    assert!(log.segment_count() > 3);
    let head = log.chain_head().expect("verifiable");
    assert_eq!(
        log.verify().expect("verify"),
        Verification::Intact {
            batches: 40,
            next_offset: log.log_end_offset(),
            head: Some(head),
        }
    );
    log.close().expect("close");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &config, &clock);
    assert_eq!(log.chain_head(), Some(head));
    append(&mut log, &simple_batch(1, 0, 1, 99));
    drop(log); // crash
    let log = open(dir.path(), &config, &clock);
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { batches: 41, .. }
    ));
    drop(stored);
}

#[test]
fn a_changed_byte_with_a_recomputed_crc_is_caught_by_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (log, stored) = filled(dir.path(), &verifiable(), 30);
    let k = 7;
    let (path, pos) = locate(&log, &stored, k);
    // The adversary edits a record value and fixes the CRC, so the batch
    // is well-formed and would pass any Kafka client's check.
    let mut forged = stored[k].clone();
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    let crc = compute_crc(&forged);
    forged[17..21].copy_from_slice(&crc.to_be_bytes());
    write_at(&path, pos, &forged);
    assert_eq!(
        bad_offset(log.verify().expect("verify")),
        offset_of(&stored[k])
    );
}

#[test]
fn the_leader_epoch_outside_the_crc_is_covered_by_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (log, stored) = filled(dir.path(), &verifiable(), 30);
    let k = 12;
    let (path, pos) = locate(&log, &stored, k);
    write_at(&path, pos + 13, &[0x5a]);
    assert_eq!(
        bad_offset(log.verify().expect("verify")),
        offset_of(&stored[k])
    );

    // A plain log checks CRCs and offsets only, and cannot see this.
    let plain_dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        verifiable: false,
        ..verifiable()
    };
    let (plain, plain_stored) = filled(plain_dir.path(), &config, 30);
    let (path, pos) = locate(&plain, &plain_stored, k);
    write_at(&path, pos + 13, &[0x5a]);
    assert!(matches!(
        plain.verify().expect("verify"),
        Verification::Intact { head: None, .. }
    ));
    // But it does see a flipped payload byte.
    write_at(&path, pos + 70, &[0xa5]);
    assert_eq!(
        bad_offset(plain.verify().expect("verify")),
        offset_of(&plain_stored[k])
    );
}

#[test]
fn swapped_batches_are_caught_even_with_their_offsets_rewritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        segment_bytes: 1 << 20,
        ..verifiable()
    };
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &config, &clock);
    // Equal-sized batches with one record each, so they can trade places.
    let stored: Vec<Vec<u8>> = (0..10)
        .map(|i| append(&mut log, &simple_batch(1, i, 20, i as u64)))
        .collect();
    let (path, pos) = locate(&log, &stored, 4);
    let (a, b) = (stored[4].clone(), stored[5].clone());
    assert_eq!(a.len(), b.len());
    // Plain swap: the offsets give it away.
    write_at(&path, pos, &b);
    write_at(&path, pos + a.len() as u64, &a);
    assert_eq!(bad_offset(log.verify().expect("verify")), 4);
    // Swap with base offsets rewritten to look contiguous (the field is
    // outside the CRC): only the chain can tell.
    write_at(&path, pos, &with_offset(&b, 4));
    write_at(&path, pos + a.len() as u64, &with_offset(&a, 5));
    assert_eq!(bad_offset(log.verify().expect("verify")), 4);
}

#[test]
fn a_removed_batch_or_segment_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (log, stored) = filled(dir.path(), &verifiable(), 30);
    let bases = log.segment_base_offsets();
    // Cut the last batch of the first segment: the chain has a link for it.
    let last_in_first = stored
        .iter()
        .rposition(|b| offset_of(b) < bases[1])
        .expect("batch");
    let (path, pos) = locate(&log, &stored, last_in_first);
    OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open")
        .set_len(pos)
        .expect("truncate");
    assert_eq!(
        bad_offset(log.verify().expect("verify")),
        offset_of(&stored[last_in_first])
    );
}

#[test]
fn a_rewritten_chain_is_caught_only_against_a_recorded_head() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        segment_bytes: 1 << 20,
        ..verifiable()
    };
    let (log, stored) = filled(dir.path(), &config, 5);
    let recorded = log.chain_head().expect("head");
    // An adversary with write access changes batch 2 and rebuilds the
    // chain file from it onwards with the same (public) hash function.
    let (path, pos) = locate(&log, &stored, 2);
    let mut forged = stored[2].clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let crc = compute_crc(&forged);
    forged[17..21].copy_from_slice(&crc.to_be_bytes());
    write_at(&path, pos, &forged);
    let chain_path = segment_file(dir.path(), 0, "chain");
    let mut chain = std::fs::read(&chain_path).expect("chain");
    let mut link = [0u8; 32];
    link.copy_from_slice(&chain[8..40]);
    let mut batches = stored.clone();
    batches[2] = forged;
    for (i, b) in batches.iter().enumerate() {
        let mut h = blake3_link(&link, b);
        std::mem::swap(&mut link, &mut h);
        chain[40 + i * 40 + 8..40 + i * 40 + 40].copy_from_slice(&link);
    }
    std::fs::write(&chain_path, chain).expect("write chain");
    match log.verify().expect("verify") {
        Verification::Intact { head, .. } => {
            assert_ne!(
                head,
                Some(recorded),
                "the head no longer matches the recorded one"
            )
        }
        other => panic!("a consistent forgery verifies on its own: {other:?}"),
    }
}

/// The chain's link function, restated here so the test does not depend
/// on the crate's private code.
fn blake3_link(previous: &[u8; 32], batch: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(previous);
    h.update(batch);
    *h.finalize().as_bytes()
}

#[test]
fn recovery_adds_links_that_never_reached_the_disk_and_drops_orphans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        segment_bytes: 1 << 20,
        ..verifiable()
    };
    let (log, stored) = filled(dir.path(), &config, 6);
    drop(log);
    // The chain file lost its last three links and part of a fourth in the crash.
    let chain_path = segment_file(dir.path(), 0, "chain");
    let len = std::fs::metadata(&chain_path).expect("stat").len();
    OpenOptions::new()
        .write(true)
        .open(&chain_path)
        .expect("open")
        .set_len(len - 3 * 40 - 7)
        .expect("truncate");
    let (_, clock) = clock_at(0);
    let log = open(dir.path(), &config, &clock);
    let r = &log.recovery_report().recovered[0];
    assert_eq!((r.chain_links_added, r.chain_links_dropped), (4, 0));
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { batches: 6, .. }
    ));
    drop(log);

    // Now the log loses its last two batches but the chain kept their links.
    let seg = segment_file(dir.path(), 0, "log");
    let keep: u64 = stored[..4].iter().map(|b| b.len() as u64).sum();
    OpenOptions::new()
        .write(true)
        .open(&seg)
        .expect("open")
        .set_len(keep)
        .expect("truncate");
    let log = open(dir.path(), &config, &clock);
    let r = &log.recovery_report().recovered[0];
    assert_eq!((r.chain_links_added, r.chain_links_dropped), (0, 2));
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { batches: 4, .. }
    ));
}

#[test]
fn verification_starts_at_the_oldest_segment_retention_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        retention_bytes: Some(2000),
        ..verifiable()
    };
    let (mut log, _) = filled(dir.path(), &config, 40);
    let outcome = log.enforce_retention().expect("retention");
    assert!(outcome.segments_deleted > 0);
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { head: Some(_), .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any single changed byte anywhere in a verifiable log is reported at
    /// the offset of the batch holding it.
    #[test]
    fn any_changed_byte_is_located(
        n in 1usize..30,
        which in any::<proptest::sample::Index>(),
        at in any::<proptest::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (log, stored) = filled(dir.path(), &verifiable(), n);
        let k = which.index(n);
        let (path, pos) = locate(&log, &stored, k);
        let within = at.index(stored[k].len()) as u64;
        let file = OpenOptions::new().read(true).write(true).open(&path).expect("open");
        let mut byte = [0u8];
        file.read_exact_at(&mut byte, pos + within).expect("read");
        byte[0] ^= xor;
        file.write_all_at(&byte, pos + within).expect("write");
        prop_assert_eq!(bad_offset(log.verify().expect("verify")), offset_of(&stored[k]));
    }
}

#[test]
fn a_failed_roll_keeps_the_chain_going() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = verifiable();
    let (mut log, _) = filled(dir.path(), &config, 3);
    // Fill the active segment, then make its successor's file impossible
    // to create (something already has its name).
    let big = simple_batch(1, 0, 600, 50);
    append(&mut log, &big);
    let blocker = segment_file(dir.path(), log.log_end_offset(), "log");
    std::fs::write(&blocker, b"in the way").expect("blocker");
    let mut b = big.clone();
    assert!(
        log.append(&mut b).is_err(),
        "the roll cannot create its file"
    );
    std::fs::remove_file(&blocker).expect("unblock");
    append(&mut log, &big);
    append(&mut log, &big);
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { batches: 6, .. }
    ));
}
