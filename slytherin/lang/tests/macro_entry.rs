//! `slytherin! { … }`: a program with topics inside an ordinary Rust
//! crate, through the same extension, talking to a real broker.

// The program's records carry no doc comments, as programs often don't.
#![allow(missing_docs)]

mod support;

parseltongue_macros::slytherin! {
    record Order {
        id: i64,
        item: string,
    }

    topic orders {
        message: Order,
        partitions: 2,
        key: item,
        encoding: binary,
    }

    public function place_orders(brokers: string, count: i64) returns i64 {
        let_var producer = connect_orders_producer(brokers).expect("a producer");
        let_mut_var orders: list<Order> = list_of();
        for id in range(0, count) {
            orders.push(Order { id: id, item: format("item-{}", id % 3) });
        }
        send_all_orders(producer, orders).expect("stored").length()
    }

    public function read_orders(brokers: string, count: i64) returns i64 {
        let_mut_var consumer = connect_orders_consumer(brokers, "billing").expect("a consumer");
        let_mut_var sum = 0;
        let_mut_var seen = 0;
        while seen < count {
            for order in receive_orders(consumer, 2000).expect("received") {
                sum += order.id;
                seen += 1;
            }
        }
        commit_orders(consumer).expect("committed");
        sum
    }
}

#[test]
fn the_macro_entry_point_compiles_topics_that_work_against_the_broker() {
    let broker = support::TestBroker::start();
    let brokers = broker.address().to_string();
    assert_eq!(place_orders(&brokers, 50), 50);
    assert_eq!(read_orders(&brokers, 50), (0..50).sum::<i64>());
}
