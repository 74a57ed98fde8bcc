//! The topic registry: create, delete, list and reopen topics on disk.

mod common;

use common::*;
use slytherin_broker::storage::{Durability, LogConfig, Storage, StorageError, Verification};

#[test]
fn topics_are_created_listed_reopened_and_deleted() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut storage = Storage::open(root.path(), clock.clone()).expect("open");
    assert_eq!(storage.topics().count(), 0);

    let config = LogConfig {
        durability: Durability::IntervalMs(5),
        retention_bytes: Some(1 << 20),
        ..test_config()
    };
    let orders = storage
        .create_topic("orders", 3, config.clone())
        .expect("create");
    assert_eq!(orders.partition_count(), 3);
    let stored = {
        let mut p1 = orders.partition(1).expect("partition 1");
        append(&mut p1, &simple_batch(2, 0, 10, 1))
    };
    storage
        .create_topic(
            "audit.log_v2",
            1,
            LogConfig {
                verifiable: true,
                ..test_config()
            },
        )
        .expect("create");
    let names: Vec<&str> = storage.topics().map(|t| t.name()).collect();
    assert_eq!(names, vec!["audit.log_v2", "orders"]);
    assert!(matches!(
        storage.create_topic("orders", 1, test_config()),
        Err(StorageError::TopicExists(_))
    ));
    storage.close().expect("close");

    let mut storage = Storage::open(root.path(), clock.clone()).expect("reopen");
    let orders = storage.topic("orders").expect("orders");
    assert_eq!(orders.config(), &config);
    assert_eq!(orders.partition_count(), 3);
    {
        let p1 = orders.partition(1).expect("p1");
        assert!(p1.recovery_report().clean_shutdown);
        assert_eq!(p1.read(0, 1 << 20).expect("read").records, stored);
    }
    assert_eq!(orders.partition(0).expect("p0").log_end_offset(), 0);
    let verdicts = storage
        .topic("audit.log_v2")
        .expect("audit")
        .verify()
        .expect("verify");
    assert!(matches!(
        verdicts[..],
        [Verification::Intact { head: Some(_), .. }]
    ));

    storage.delete_topic("orders").expect("delete");
    assert!(!root.path().join("orders").exists());
    assert!(matches!(
        storage.delete_topic("orders"),
        Err(StorageError::UnknownTopic(_))
    ));
    drop(storage);
    let storage = Storage::open(root.path(), clock).expect("reopen");
    let names: Vec<&str> = storage.topics().map(|t| t.name()).collect();
    assert_eq!(names, vec!["audit.log_v2"]);
}

#[test]
fn bad_names_and_configs_are_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut storage = Storage::open(root.path(), clock).expect("open");
    let long = "x".repeat(250);
    for name in [
        "",
        ".",
        "..",
        "a/b",
        "../escape",
        "sp ace",
        "tilde~x",
        "é",
        long.as_str(),
    ] {
        assert!(
            matches!(
                storage.create_topic(name, 1, test_config()),
                Err(StorageError::InvalidTopicName { .. })
            ),
            "{name:?} was accepted"
        );
    }
    assert!(storage
        .create_topic(&"x".repeat(249), 1, test_config())
        .is_ok());
    assert!(matches!(
        storage.create_topic("zero", 0, test_config()),
        Err(StorageError::InvalidConfig(_))
    ));
    let too_big = LogConfig {
        segment_bytes: 1 << 31,
        ..test_config()
    };
    assert!(matches!(
        storage.create_topic("big", 1, too_big),
        Err(StorageError::InvalidConfig(_))
    ));
    assert!(!root.path().join("zero").exists());
    assert!(!root.path().join("big").exists());
}

#[test]
fn interrupted_creations_and_deletions_are_cleaned_up() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut storage = Storage::open(root.path(), clock.clone()).expect("open");
    storage
        .create_topic("kept", 1, test_config())
        .expect("create");
    drop(storage);
    // What a crash in the middle of create_topic or delete_topic leaves.
    std::fs::create_dir_all(root.path().join("~creating/0")).expect("mkdir");
    std::fs::create_dir_all(root.path().join("~deleting-0/0")).expect("mkdir");
    // A folder that is not a topic (no topic.json) is left alone.
    std::fs::create_dir_all(root.path().join("lost+found")).expect("mkdir");
    let storage = Storage::open(root.path(), clock).expect("reopen");
    let names: Vec<&str> = storage.topics().map(|t| t.name()).collect();
    assert_eq!(names, vec!["kept"]);
    assert!(!root.path().join("~creating").exists());
    assert!(!root.path().join("~deleting-0").exists());
    assert!(root.path().join("lost+found").exists());
}

#[test]
fn a_damaged_manifest_is_a_clear_error() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut storage = Storage::open(root.path(), clock.clone()).expect("open");
    storage.create_topic("t", 1, test_config()).expect("create");
    drop(storage);
    std::fs::write(
        root.path().join("t/topic.json"),
        b"{\"partitions\": \"many\"}",
    )
    .expect("write");
    let err = Storage::open(root.path(), clock).expect_err("damaged manifest");
    assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("topic.json"), "{err}");
}
