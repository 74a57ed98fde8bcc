//! What the editor says of Slytherin's block kinds and their settings.

use parseltongue_core::extension::{BlockKind, SettingKind};

/// The `topic` block.
pub const TOPIC: BlockKind = BlockKind {
    keyword: "topic",
    description: "**`topic NAME { … }`** (Slytherin): a stream of typed messages on the broker. Declares `NameProducer`, `NameConsumer`, `connect_NAME_producer(brokers)`, `send_NAME(producer, message)`, `send_all_NAME(producer, messages)`, `connect_NAME_consumer(brokers, group)`, `receive_NAME(consumer, wait_ms)` and `commit_NAME(consumer)`.\n\nSettings: `message` (required), `partitions`, `key`, `retention_hours`, `retention_megabytes`, `verifiable`, `encoding`.",
    settings: TOPIC_SETTINGS,
};

/// The settings of a `topic` block.
pub const TOPIC_SETTINGS: &[SettingKind] = &[
    SettingKind {
        name: "message",
        description: "**`message`**: the record or enum every message of the topic is (required).",
    },
    SettingKind {
        name: "partitions",
        description: "**`partitions`**: how many partitions the topic is created with (1-100,000; 1 when absent). Messages of one partition stay in order.",
    },
    SettingKind {
        name: "key",
        description: "**`key`**: a `string`, `i64` or `bool` field of the message; messages with the same key go to the same partition (Kafka's default partitioner), so they stay in order.",
    },
    SettingKind {
        name: "retention_hours",
        description: "**`retention_hours`**: how long each partition keeps messages (unlimited when absent).",
    },
    SettingKind {
        name: "retention_megabytes",
        description: "**`retention_megabytes`**: how much each partition keeps (unlimited when absent); the oldest segments go first.",
    },
    SettingKind {
        name: "verifiable",
        description: "**`verifiable`**: `true` to chain every batch to the one before by a BLAKE3 hash, so `slytherin verify TOPIC` can prove the log untampered (Slytherin brokers only).",
    },
    SettingKind {
        name: "encoding",
        description: "**`encoding`**: `json` (the default; any Kafka client can read it) or `binary` (postcard: compact, read only with the program's own declarations).",
    },
];

/// Every block kind Slytherin owns.
pub static ALL: &[BlockKind] = &[TOPIC];
