//! Bounded single-producer single-consumer rings between cores.
//!
//! The ring itself is `rtrb`'s (wait-free, one cache line per side). What
//! this module adds is waiting: a full ring makes the sender wait
//! (back-pressure) and an empty one the receiver, each woken by the other
//! side. A side only pays for waking when the other has said it waits: a
//! flag checked after a fence, so a busy ring costs no system call and no
//! lock.

use std::fmt;
use std::future::poll_fn;
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use atomic_waker::AtomicWaker;
use crossbeam_utils::CachePadded;
use rtrb::{Consumer, Producer, RingBuffer};

/// How often a blocking call retries before it parks its thread: waiting
/// for a core that is about to answer is cheaper than a park and an unpark.
const SPINS_BEFORE_PARK: usize = 200;

/// How long an empty ring is watched before its receiver waits.
const WATCH_BEFORE_WAIT: std::time::Duration = std::time::Duration::from_micros(1);

#[derive(Default)]
struct Signal {
    waker: AtomicWaker,
    waiting: AtomicBool,
}

impl Signal {
    /// Called by the side that made progress.
    fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::Relaxed) {
            self.waiting.store(false, Ordering::Relaxed);
            self.waker.wake();
        }
    }

    /// Called by the side about to wait; it must check its condition again
    /// afterwards, since progress may have come just before.
    fn prepare_wait(&self, cx: &Context<'_>) {
        self.waker.register(cx.waker());
        self.waiting.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }
}

/// Each signal on its own cache line: the sender reads one on every send
/// while the receiver writes the other.
#[derive(Default)]
struct Shared {
    to_receiver: CachePadded<Signal>,
    to_sender: CachePadded<Signal>,
    sender_gone: AtomicBool,
    receiver_gone: AtomicBool,
}

/// Makes a ring with room for `capacity` messages.
pub fn ring<T>(capacity: usize) -> (RingSender<T>, RingReceiver<T>) {
    let (producer, consumer) = RingBuffer::new(capacity.max(1));
    let shared = Arc::new(Shared::default());
    (
        RingSender {
            producer,
            shared: Arc::clone(&shared),
        },
        RingReceiver { consumer, shared },
    )
}

/// The sending side of a ring. It can move to another thread or core, but
/// only one thread sends at a time (`&mut self`).
pub struct RingSender<T> {
    producer: Producer<T>,
    shared: Arc<Shared>,
}

/// The receiving side of a ring.
pub struct RingReceiver<T> {
    consumer: Consumer<T>,
    shared: Arc<Shared>,
}

/// The message could not be sent; it is given back.
#[derive(PartialEq, Eq)]
pub enum TrySendError<T> {
    /// The ring is full: back-pressure. Try again later or `send().await`.
    Full(T),
    /// The receiver is gone.
    Closed(T),
}

/// The receiver is gone; the message is given back.
#[derive(PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("the ring is full"),
            TrySendError::Closed(_) => f.write_str("the ring's receiver is gone"),
        }
    }
}

impl<T> fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed(..)")
    }
}

impl<T> fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the ring's other side is gone")
    }
}

impl<T> RingSender<T> {
    /// Sends if there is room, at once.
    pub fn try_send(&mut self, value: T) -> Result<(), TrySendError<T>> {
        if self.shared.receiver_gone.load(Ordering::Acquire) {
            return Err(TrySendError::Closed(value));
        }
        match self.producer.push(value) {
            Ok(()) => {
                self.shared.to_receiver.notify();
                Ok(())
            }
            Err(rtrb::PushError::Full(value)) => Err(TrySendError::Full(value)),
        }
    }

    /// Sends, waiting while the ring is full.
    pub async fn send(&mut self, value: T) -> Result<(), Closed<T>> {
        // Straight to the ring first: its push reads the receiver's position
        // only when its cached copy says full, while asking for the room
        // reads it (a cache miss across cores) every time.
        let value = match self.try_send(value) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Closed(value)) => return Err(Closed(value)),
            Err(TrySendError::Full(value)) => value,
        };
        let has_room = poll_fn(|cx| self.poll_room(cx)).await;
        if !has_room {
            return Err(Closed(value));
        }
        match self.try_send(value) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(value) | TrySendError::Closed(value)) => Err(Closed(value)),
        }
    }

    /// Sends from an ordinary thread, blocking it while the ring is full.
    /// On a partition core use `send().await`, which lets the core run
    /// other tasks meanwhile.
    pub fn send_blocking(&mut self, value: T) -> Result<(), Closed<T>> {
        let mut value = value;
        for _ in 0..SPINS_BEFORE_PARK {
            match self.try_send(value) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(value)) => return Err(Closed(value)),
                Err(TrySendError::Full(back)) => value = back,
            }
            std::hint::spin_loop();
        }
        crate::join::block_on(self.send(value))
    }

    fn poll_room(&mut self, cx: &Context<'_>) -> Poll<bool> {
        if self.shared.receiver_gone.load(Ordering::Acquire) {
            return Poll::Ready(false);
        }
        if self.producer.slots() > 0 {
            return Poll::Ready(true);
        }
        self.shared.to_sender.prepare_wait(cx);
        if self.producer.slots() > 0 || self.shared.receiver_gone.load(Ordering::Acquire) {
            return Poll::Ready(self.producer.slots() > 0);
        }
        Poll::Pending
    }

    /// Free places in the ring.
    pub fn room(&self) -> usize {
        self.producer.slots()
    }

    /// Whether the receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.receiver_gone.load(Ordering::Acquire)
    }
}

impl<T> Drop for RingSender<T> {
    fn drop(&mut self) {
        self.shared.sender_gone.store(true, Ordering::Release);
        self.shared.to_receiver.notify();
    }
}

impl<T> RingReceiver<T> {
    /// A message if there is one, at once.
    pub fn try_recv(&mut self) -> Option<T> {
        let value = self.consumer.pop().ok()?;
        self.shared.to_sender.notify();
        Some(value)
    }

    /// The next message, waiting while the ring is empty; `None` once the
    /// sender is gone and the ring is empty.
    pub async fn recv(&mut self) -> Option<T> {
        let open = poll_fn(|cx| self.poll_ready(cx)).await;
        if open {
            self.try_recv()
        } else {
            None
        }
    }

    /// Moves up to `max` messages into `batch`, waiting while the ring is
    /// empty; returns how many. 0 means the sender is gone and the ring is
    /// empty. One wake-up of the sender for the whole batch.
    pub async fn recv_batch(&mut self, max: usize, batch: &mut Vec<T>) -> usize {
        if !poll_fn(|cx| self.poll_ready(cx)).await {
            return 0;
        }
        let count = self.consumer.slots().min(max.max(1));
        match self.consumer.read_chunk(count) {
            Ok(chunk) => batch.extend(chunk),
            Err(_) => return 0,
        }
        self.shared.to_sender.notify();
        count
    }

    /// The next message, blocking an ordinary thread while the ring is empty.
    pub fn recv_blocking(&mut self) -> Option<T> {
        for _ in 0..SPINS_BEFORE_PARK {
            if let Some(value) = self.try_recv() {
                return Some(value);
            }
            if self.shared.sender_gone.load(Ordering::Acquire) {
                return self.try_recv();
            }
            std::hint::spin_loop();
        }
        crate::join::block_on(self.recv())
    }

    /// Ready(true) when a message is there, Ready(false) when none will come.
    fn poll_ready(&mut self, cx: &Context<'_>) -> Poll<bool> {
        if !self.consumer.is_empty() {
            return Poll::Ready(true);
        }
        // A receiver that keeps up with its sender finds the ring empty
        // between two messages; going to sleep there would cost a wake per
        // message. A moment's watch lets the next messages arrive and be
        // taken as one batch.
        let until = std::time::Instant::now() + WATCH_BEFORE_WAIT;
        while std::time::Instant::now() < until {
            for _ in 0..8 {
                std::hint::spin_loop();
            }
            if !self.consumer.is_empty() {
                return Poll::Ready(true);
            }
        }
        if self.shared.sender_gone.load(Ordering::Acquire) {
            return Poll::Ready(!self.consumer.is_empty());
        }
        self.shared.to_receiver.prepare_wait(cx);
        if !self.consumer.is_empty() {
            return Poll::Ready(true);
        }
        if self.shared.sender_gone.load(Ordering::Acquire) {
            return Poll::Ready(!self.consumer.is_empty());
        }
        Poll::Pending
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.consumer.slots()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.consumer.is_empty()
    }

    /// Whether the sender is gone (messages may still be waiting).
    pub fn is_closed(&self) -> bool {
        self.shared.sender_gone.load(Ordering::Acquire)
    }
}

impl<T> Drop for RingReceiver<T> {
    fn drop(&mut self) {
        self.shared.receiver_gone.store(true, Ordering::Release);
        self.shared.to_sender.notify();
    }
}
