//! Topics and partitions: the pair requests name, and the per-topic
//! grouping every request body wants.

use std::fmt;

use kafka_protocol::messages::TopicName;
use kafka_protocol::protocol::StrBytes;

/// A topic and a partition of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: String,
    /// The partition's index.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`/`partition`.
    pub fn new(topic: impl Into<String>, partition: i32) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.topic, self.partition)
    }
}

/// `entries` grouped by topic for a request body, topics in order of
/// first appearance and each topic's entries in the order given.
pub(crate) fn by_topic<'a, T>(
    entries: impl IntoIterator<Item = (&'a TopicPartition, T)>,
) -> Vec<(TopicName, Vec<T>)> {
    let mut grouped: Vec<(&str, Vec<T>)> = Vec::new();
    for (partition, entry) in entries {
        match grouped
            .iter_mut()
            .find(|(topic, _)| *topic == partition.topic)
        {
            Some((_, list)) => list.push(entry),
            None => grouped.push((&partition.topic, vec![entry])),
        }
    }
    grouped
        .into_iter()
        .map(|(topic, list)| (TopicName(StrBytes::from(topic.to_owned())), list))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_order_within_and_across_topics() {
        let (a0, b1, a2) = (
            TopicPartition::new("a", 0),
            TopicPartition::new("b", 1),
            TopicPartition::new("a", 2),
        );
        let grouped = by_topic([(&a0, 0), (&b1, 1), (&a2, 2)]);
        let shown: Vec<(&str, Vec<i32>)> = grouped
            .iter()
            .map(|(t, l)| (t.as_str(), l.clone()))
            .collect();
        assert_eq!(shown, [("a", vec![0, 2]), ("b", vec![1])]);
    }
}
