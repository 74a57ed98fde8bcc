//! A broker reached through a forwarded port tells clients the address it
//! was configured to advertise (Metadata and FindCoordinator), and the
//! address the client reached when none is configured.

mod support;

use std::sync::Arc;

use kafka_protocol::messages::{ApiKey, ResponseKind};
use slytherin_broker::config::BrokerConfig;
use slytherin_broker::server::{Broker, Settings};
use slytherin_broker::storage::{Storage, SystemClock};
use support::{decode_answer, encode_request, group_request, request, LOCAL};

/// (host, port) of Metadata's one broker and of FindCoordinator's answer.
fn advertised(broker: &Broker) -> [(String, i32); 2] {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let frame = encode_request(ApiKey::Metadata, 12, 1, &request(ApiKey::Metadata, 12, "t"));
    let (_, metadata) = decode_answer(
        rt.block_on(broker.handle(frame, LOCAL)),
        ApiKey::Metadata,
        12,
    );
    let ResponseKind::Metadata(metadata) = metadata else {
        panic!("not a Metadata answer");
    };
    let body = group_request(ApiKey::FindCoordinator, 3, "g", "", -1);
    let frame = encode_request(ApiKey::FindCoordinator, 3, 2, &body);
    let (_, found) = decode_answer(
        rt.block_on(broker.handle(frame, LOCAL)),
        ApiKey::FindCoordinator,
        3,
    );
    let ResponseKind::FindCoordinator(found) = found else {
        panic!("not a FindCoordinator answer");
    };
    [
        (
            metadata.brokers[0].host.to_string(),
            metadata.brokers[0].port,
        ),
        (found.host.to_string(), found.port),
    ]
}

fn broker(config: &BrokerConfig, dir: &std::path::Path) -> Arc<Broker> {
    let storage = Storage::open(dir, Arc::new(SystemClock)).expect("storage opens");
    Broker::new(storage, Settings::from_config(config)).expect("the broker starts")
}

#[test]
fn the_configured_host_and_port_are_advertised() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = BrokerConfig {
        advertised_host: Some("broker.example".to_owned()),
        advertised_port: Some(19092),
        ..BrokerConfig::default()
    };
    let expected = ("broker.example".to_owned(), 19092);
    assert_eq!(
        advertised(&broker(&config, dir.path())),
        [expected.clone(), expected]
    );
}

#[test]
fn without_configuration_the_reached_address_is_advertised() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reached = (LOCAL.ip().to_string(), i32::from(LOCAL.port()));
    assert_eq!(
        advertised(&broker(&BrokerConfig::default(), dir.path())),
        [reached.clone(), reached]
    );
}

#[test]
fn the_port_can_be_set_from_the_environment() {
    let config = BrokerConfig::load(
        None,
        [("SLYTHERIN_ADVERTISED_PORT".to_owned(), "19092".to_owned())],
    )
    .expect("the configuration loads");
    assert_eq!(config.advertised_port, Some(19092));
    let refused = BrokerConfig::load(
        None,
        [("SLYTHERIN_ADVERTISED_PORT".to_owned(), "70000".to_owned())],
    );
    assert!(refused.is_err(), "a port above 65535 is refused");
}
