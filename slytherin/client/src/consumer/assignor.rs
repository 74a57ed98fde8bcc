//! The group leader's job: dividing the subscribed topics' partitions
//! among the members, the way Kafka's `RangeAssignor` and
//! `RoundRobinAssignor` do (so a group may mix this client with others).

use std::collections::BTreeMap;

use crate::error::TopicPartition;

/// A partition assignment strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignor {
    /// `range`: per topic, consecutive partitions to each member in member
    /// order, the first members taking one more when it does not divide.
    Range,
    /// `roundrobin`: all partitions in (topic, partition) order dealt to the
    /// members in turn, skipping members not subscribed to the topic.
    RoundRobin,
}

impl Assignor {
    /// The protocol name members announce.
    pub fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
        }
    }

    /// The assignor a protocol name or Java class name stands for.
    pub fn from_name(name: &str) -> Option<Assignor> {
        match name {
            "range" | "org.apache.kafka.clients.consumer.RangeAssignor" => Some(Assignor::Range),
            "roundrobin" | "org.apache.kafka.clients.consumer.RoundRobinAssignor" => {
                Some(Assignor::RoundRobin)
            }
            _ => None,
        }
    }

    /// Divides the partitions of `topics` (name → partition count) among
    /// `members` (member ID → subscribed topics). Every member gets an
    /// entry, possibly empty.
    pub fn assign(
        self,
        members: &BTreeMap<String, Vec<String>>,
        topics: &BTreeMap<String, i32>,
    ) -> BTreeMap<String, Vec<TopicPartition>> {
        let mut out: BTreeMap<String, Vec<TopicPartition>> =
            members.keys().map(|m| (m.clone(), Vec::new())).collect();
        let subscribed = |member: &str, topic: &str| {
            members
                .get(member)
                .is_some_and(|t| t.iter().any(|s| s == topic))
        };
        match self {
            Assignor::Range => {
                for (topic, &count) in topics {
                    let takers: Vec<&String> =
                        members.keys().filter(|m| subscribed(m, topic)).collect();
                    if takers.is_empty() {
                        continue;
                    }
                    let per = count / takers.len() as i32;
                    let extra = count % takers.len() as i32;
                    for (i, member) in takers.into_iter().enumerate() {
                        let i = i as i32;
                        let start = per * i + i.min(extra);
                        let length = per + i32::from(i < extra);
                        let mine = out.entry(member.clone()).or_default();
                        mine.extend((start..start + length).map(|p| TopicPartition::new(topic, p)));
                    }
                }
            }
            Assignor::RoundRobin => {
                let order: Vec<&String> = members.keys().collect();
                if order.is_empty() {
                    return out;
                }
                let mut next = 0;
                for (topic, &count) in topics {
                    if !order.iter().any(|m| subscribed(m, topic)) {
                        continue;
                    }
                    for partition in 0..count {
                        while !subscribed(order[next % order.len()], topic) {
                            next += 1;
                        }
                        let member = order[next % order.len()];
                        next += 1;
                        out.entry(member.clone())
                            .or_default()
                            .push(TopicPartition::new(topic, partition));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn group() -> impl Strategy<Value = (BTreeMap<String, Vec<String>>, BTreeMap<String, i32>)> {
        let topics = proptest::collection::btree_map("[a-d]", 0i32..12, 1..4);
        topics.prop_flat_map(|topics| {
            let names: Vec<String> = topics.keys().cloned().collect();
            let members = proptest::collection::btree_map(
                "m[0-9]{1,2}",
                proptest::sample::subsequence(names.clone(), 0..=names.len()),
                1..6,
            );
            (members, Just(topics))
        })
    }

    proptest! {
        #[test]
        fn every_partition_goes_to_exactly_one_subscribed_member((members, topics) in group()) {
            for assignor in [Assignor::Range, Assignor::RoundRobin] {
                let assigned = assignor.assign(&members, &topics);
                let mut seen = std::collections::BTreeSet::new();
                for (member, partitions) in &assigned {
                    for tp in partitions {
                        prop_assert!(members[member].contains(&tp.topic));
                        prop_assert!(seen.insert(tp.clone()), "{tp} twice");
                    }
                }
                for (topic, &count) in &topics {
                    let wanted = members.values().any(|t| t.contains(topic));
                    for p in 0..count {
                        prop_assert_eq!(seen.contains(&TopicPartition::new(topic, p)), wanted);
                    }
                }
            }
        }

        #[test]
        fn members_of_the_same_topics_get_shares_within_one(
            count in 0i32..40, members in 1usize..7
        ) {
            let topics = BTreeMap::from([("t".to_owned(), count)]);
            let members: BTreeMap<String, Vec<String>> =
                (0..members).map(|i| (format!("m{i}"), vec!["t".to_owned()])).collect();
            for assignor in [Assignor::Range, Assignor::RoundRobin] {
                let sizes: Vec<usize> = assignor.assign(&members, &topics).values().map(Vec::len).collect();
                let (min, max) = (sizes.iter().min().copied(), sizes.iter().max().copied());
                prop_assert!(max.unwrap_or(0) - min.unwrap_or(0) <= 1);
            }
        }
    }

    #[test]
    fn range_gives_the_first_members_the_extra_partitions() {
        let members = BTreeMap::from([
            ("a".to_owned(), vec!["t".to_owned()]),
            ("b".to_owned(), vec!["t".to_owned()]),
        ]);
        let topics = BTreeMap::from([("t".to_owned(), 3)]);
        let assigned = Assignor::Range.assign(&members, &topics);
        assert_eq!(
            assigned["a"],
            [TopicPartition::new("t", 0), TopicPartition::new("t", 1)]
        );
        assert_eq!(assigned["b"], [TopicPartition::new("t", 2)]);
        let dealt = Assignor::RoundRobin.assign(&members, &topics);
        assert_eq!(
            dealt["a"],
            [TopicPartition::new("t", 0), TopicPartition::new("t", 2)]
        );
    }
}
