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

/// The `pipeline` block.
pub const PIPELINE: BlockKind = BlockKind {
    keyword: "pipeline",
    description: "**`pipeline NAME { … }`** (Slytherin): stream processing inside the broker, on the input partition's core. Steps are ordinary functions applied in written order: `filter`, `map`, `flat_map`, `join` (with `join_key`, `join_with`); then optionally a keyed window: `key_by`, `event_time`, `window`, `aggregate`, `emit`. Reads `from`, writes `to`, exactly once.",
    settings: PIPELINE_SETTINGS,
};

/// The settings of a `pipeline` block.
pub const PIPELINE_SETTINGS: &[SettingKind] = &[
    SettingKind {
        name: "from",
        description: "**`from`**: the topic the pipeline reads (required).",
    },
    SettingKind {
        name: "filter",
        description: "**`filter`**: a function `(message: T) returns bool`; messages it answers `false` for are dropped.",
    },
    SettingKind {
        name: "map",
        description: "**`map`**: a function `(message: T) returns U`; the stream carries `U` after it.",
    },
    SettingKind {
        name: "flat_map",
        description: "**`flat_map`**: a function `(message: T) returns list<U>`; each element goes on as a message.",
    },
    SettingKind {
        name: "join",
        description: "**`join`**: a topic with a `key`, read as a table (its newest message per key); `join_key` and `join_with` follow it.",
    },
    SettingKind {
        name: "join_key",
        description: "**`join_key`**: a function `(message: T) returns K`, `K` the table's key field type: the row to look up.",
    },
    SettingKind {
        name: "join_with",
        description: "**`join_with`**: a function `(message: T, row: option<R>) returns U` combining a message with its row (`None` when the table has none yet).",
    },
    SettingKind {
        name: "key_by",
        description: "**`key_by`**: a function `(message: T) returns string` (or `i64`): windows are counted per key.",
    },
    SettingKind {
        name: "event_time",
        description: "**`event_time`**: a function `(message: T) returns i64`, milliseconds since the Unix epoch: which window a message belongs to.",
    },
    SettingKind {
        name: "window",
        description: "**`window`**: `tumbling_seconds(SIZE)` or `sliding_seconds(SIZE, EVERY)`; a window closes when the newest event time seen passes its end plus `allowed_lateness_seconds`.",
    },
    SettingKind {
        name: "allowed_lateness_seconds",
        description: "**`allowed_lateness_seconds`**: how far behind the newest event time a message may be and still count (0 when absent); later ones are dropped and counted.",
    },
    SettingKind {
        name: "aggregate",
        description: "**`aggregate`**: `count`, or `sum(f)`, `min(f)`, `max(f)` of a function `(message: T) returns i64`.",
    },
    SettingKind {
        name: "emit",
        description: "**`emit`**: a function `(key: K, window_start_ms: i64, window_end_ms: i64, value: i64) returns O`: the message written for each closed window.",
    },
    SettingKind {
        name: "to",
        description: "**`to`**: the topic the pipeline writes (required); its message is `O`, or the stream's type without a window.",
    },
];

/// Every block kind Slytherin owns.
pub static ALL: &[BlockKind] = &[TOPIC, PIPELINE];
