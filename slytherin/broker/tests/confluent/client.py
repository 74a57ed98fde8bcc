"""A Kafka client for the Slytherin broker's tests, written with
confluent-kafka (the Python binding of librdkafka, from PyPI). Each command
prints one JSON object per line on stdout, flushed as it happens, for
tests/confluent.rs to read and check; librdkafka's own logs go to stderr.

    client.py [--seconds S] produce BROKER TOPIC CODEC [--interval S]
        messages as {"key", "value"} JSON lines on stdin
    client.py [--seconds S] read BROKER TOPIC
        every partition, from its start to its end
    client.py [--seconds S] group BROKER GROUP TOPIC [--take N] [--idle S]
                                  [--assignment STRATEGY]

Every command gives up after --seconds (default 60) with a "timeout" line
and exit status 3, so a test never waits on a client forever.
"""

import argparse
import json
import signal
import sys
import time

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def text(raw):
    return None if raw is None else raw.decode("utf-8")


def report_error(error):
    emit("error", error=str(error), fatal=error.fatal())


def common(args):
    return {
        "bootstrap.servers": args.broker,
        "broker.address.family": "v4",
        "error_cb": report_error,
    }


def produce(args, deadline):
    """Produces the messages read from stdin with acks=all, idempotence and
    the codec; one "delivered" or "failed" line per delivery report."""

    def delivered(error, message):
        fields = {
            "key": text(message.key()),
            "value": text(message.value()),
            "partition": message.partition(),
            "offset": message.offset(),
        }
        if error is None:
            emit("delivered", **fields)
        else:
            emit("failed", error=str(error), **fields)

    producer = Producer(
        {
            **common(args),
            "acks": "all",
            "enable.idempotence": True,
            "compression.type": args.codec,
            # Some milliseconds of batching: batches of many records, so the
            # codec has something to compress.
            "linger.ms": 20,
            "message.timeout.ms": 30000,
        }
    )
    sent = 0
    for line in sys.stdin:
        message = json.loads(line)
        while True:
            if time.monotonic() > deadline:
                return timed_out()
            try:
                producer.produce(
                    args.topic,
                    key=message["key"].encode("utf-8"),
                    value=message["value"].encode("utf-8"),
                    on_delivery=delivered,
                )
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(args.interval)
        sent += 1
    undelivered = producer.flush(max(0.0, deadline - time.monotonic()))
    emit("flushed", sent=sent, undelivered=undelivered)
    return 0 if undelivered == 0 else timed_out()


def read(args, deadline):
    """Reads every partition of the topic from the beginning to its end, by
    assignment (no group): one "message" line each, then "end"."""
    consumer = Consumer(
        {
            **common(args),
            "group.id": "confluent-test-reader",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    metadata = consumer.list_topics(args.topic, timeout=10)
    partitions = sorted(metadata.topics[args.topic].partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    at_end = set()
    while at_end != set(partitions):
        if time.monotonic() > deadline:
            consumer.close()
            return timed_out()
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error() is not None:
            if message.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(message.partition())
            else:
                emit("error", error=str(message.error()), fatal=message.error().fatal())
            continue
        at_end.discard(message.partition())
        emit_message(message)
    consumer.close()
    emit("end", partitions=partitions)
    return 0


def emit_message(message):
    emit(
        "message",
        partition=message.partition(),
        offset=message.offset(),
        key=text(message.key()),
        value=text(message.value()),
    )


def group(args, deadline):
    """Consumes as a member of the group, offsets committed only by explicit
    synchronous commits: when partitions are revoked, and at the end. Stops
    after --take messages, after --idle seconds without one once assigned,
    or on SIGTERM; then commits and leaves the group."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    assigned_at = []

    def on_assign(_consumer, partitions):
        assigned_at.append(time.monotonic())
        emit("assigned", partitions=sorted(p.partition for p in partitions))

    def on_revoke(consumer, partitions):
        # What was read of the partitions is committed before they go to
        # another member, which then starts right after it.
        emit("revoked", partitions=sorted(p.partition for p in partitions))
        commit(consumer)

    consumer = Consumer(
        {
            **common(args),
            "group.id": args.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 500,
            "partition.assignment.strategy": args.assignment,
        }
    )
    def on_lost(_consumer, partitions):
        # Lost, not handed over (the coordinator no longer knows this
        # member): too late to commit; what was read since the last commit
        # will be read again.
        emit("lost", partitions=sorted(p.partition for p in partitions))

    consumer.subscribe(
        [args.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost
    )
    taken = 0
    last_seen = None
    status = 0
    while not stopping and (args.take is None or taken < args.take):
        if time.monotonic() > deadline:
            status = timed_out()
            break
        if args.idle is not None and assigned_at:
            since = max(assigned_at[-1], last_seen or 0)
            if time.monotonic() - since > args.idle:
                break
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error() is not None:
            emit("error", error=str(message.error()), fatal=message.error().fatal())
            continue
        emit_message(message)
        taken += 1
        last_seen = time.monotonic()
    commit(consumer)
    consumer.close()
    emit("closed")
    return status


def commit(consumer):
    """Commits what was read, synchronously, and says what was committed."""
    try:
        committed = consumer.commit(asynchronous=False)
    except KafkaException as error:
        if error.args[0].code() != KafkaError._NO_OFFSET:
            raise
        committed = []
    emit(
        "committed",
        offsets=[
            {
                "partition": p.partition,
                "offset": p.offset,
                "error": None if p.error is None else str(p.error),
            }
            for p in committed
        ],
    )


def timed_out():
    emit("timeout")
    return 3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("produce")
    p.add_argument("broker")
    p.add_argument("topic")
    p.add_argument("codec")
    p.add_argument("--interval", type=float, default=0, help="seconds between messages")
    p = commands.add_parser("read")
    p.add_argument("broker")
    p.add_argument("topic")
    p = commands.add_parser("group")
    p.add_argument("broker")
    p.add_argument("group")
    p.add_argument("topic")
    p.add_argument("--take", type=int)
    p.add_argument("--idle", type=float)
    p.add_argument("--assignment", default="range,roundrobin")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    command = {"produce": produce, "read": read, "group": group}[args.command]
    sys.exit(command(args, deadline))


if __name__ == "__main__":
    main()
