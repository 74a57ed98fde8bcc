//! Which partitions gained records. A long-polling fetch (or a pipeline
//! host waiting for input) waits on the partitions it reads only, so an
//! append wakes the readers of that partition and no others: with many
//! consumers of many topics, a produce costs one wake-up per reader of
//! what it wrote, not one re-read per waiting fetch in the broker.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::Poll;

use tokio::sync::futures::OwnedNotified;
use tokio::sync::Notify;

/// One signal per partition that has had a reader, by topic.
#[derive(Debug, Default)]
pub(crate) struct AppendSignals {
    topics: RwLock<HashMap<String, Vec<Arc<Notify>>>>,
}

impl AppendSignals {
    /// The signal of one partition (made on first use).
    pub(crate) fn of(&self, topic: &str, partition: u32) -> Arc<Notify> {
        let index = partition as usize;
        if let Some(signal) = self
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(topic)
            .and_then(|signals| signals.get(index))
        {
            return Arc::clone(signal);
        }
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        let signals = topics.entry(topic.to_owned()).or_default();
        if signals.len() <= index {
            signals.resize_with(index + 1, Default::default);
        }
        Arc::clone(&signals[index])
    }

    /// Wakes whoever waits for records of this partition.
    pub(crate) fn appended(&self, topic: &str, partition: i32) {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(signal) = topics
            .get(topic)
            .and_then(|signals| signals.get(usize::try_from(partition).ok()?))
        {
            signal.notify_waiters();
        }
    }

    /// Wakes every reader of a topic that is gone, and forgets its signals.
    pub(crate) fn topic_deleted(&self, topic: &str) {
        let removed = self
            .topics
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(topic);
        for signal in removed.iter().flatten() {
            signal.notify_waiters();
        }
    }

    /// Wakes every reader (the broker is shutting down).
    pub(crate) fn wake_all(&self) {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        for signal in topics.values().flatten() {
            signal.notify_waiters();
        }
    }
}

/// A wait for any of several partitions to gain records. Each partition
/// is registered when added: an append after [`AppendWait::add`] and
/// before [`AppendWait::any`] is awaited still ends the wait.
#[derive(Default)]
pub(crate) struct AppendWait {
    waits: Vec<Pin<Box<OwnedNotified>>>,
}

impl AppendWait {
    /// Registers for appends to the partition of `signal`.
    pub(crate) fn add(&mut self, signal: Arc<Notify>) {
        let mut wait = Box::pin(signal.notified_owned());
        wait.as_mut().enable();
        self.waits.push(wait);
    }

    /// Until one of the partitions gained records (never, for none).
    pub(crate) async fn any(mut self) {
        std::future::poll_fn(|cx| {
            for wait in &mut self.waits {
                if wait.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(());
                }
            }
            Poll::Pending
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A wait registered for each of `signals`.
    fn wait_for(signals: &[Arc<Notify>]) -> AppendWait {
        let mut wait = AppendWait::default();
        for signal in signals {
            wait.add(Arc::clone(signal));
        }
        wait
    }

    /// Whether `wait` ends within a short time.
    async fn ends(wait: AppendWait) -> bool {
        tokio::time::timeout(Duration::from_millis(50), wait.any())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn an_append_wakes_the_readers_of_its_partition_only() {
        let signals = AppendSignals::default();
        let watched = [signals.of("clicks", 1), signals.of("orders", 0)];
        signals.appended("clicks", 0);
        signals.appended("views", 1);
        signals.appended("clicks", -1);
        assert!(!ends(wait_for(&watched)).await);

        for (topic, partition) in [("clicks", 1), ("orders", 0)] {
            let wait = wait_for(&watched);
            // Registered before the append, awaited after it.
            signals.appended(topic, partition);
            assert!(ends(wait).await, "{topic}/{partition}");
        }
    }

    #[tokio::test]
    async fn deleting_a_topic_or_shutting_down_wakes_its_readers() {
        let signals = AppendSignals::default();
        let clicks = [signals.of("clicks", 3)];
        let wait = wait_for(&clicks);
        signals.topic_deleted("clicks");
        assert!(ends(wait).await);
        // A topic made again under the name has signals of its own.
        assert!(!Arc::ptr_eq(&signals.of("clicks", 3), &clicks[0]));

        let orders = [signals.of("orders", 0)];
        let wait = wait_for(&orders);
        signals.wake_all();
        assert!(ends(wait).await);
        assert!(!ends(wait_for(&[])).await);
    }
}
