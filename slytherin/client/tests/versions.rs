//! Version negotiation against a scripted broker: an old broker that does
//! not know ApiVersions v3 answers in v0 (KIP-511) and the client asks
//! again; each request then goes at the highest version both support.

use std::time::Duration;

use bytes::BytesMut;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::metadata_response::MetadataResponseBroker;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, BrokerId, MetadataResponse, ResponseHeader,
};
use kafka_protocol::protocol::{Encodable, StrBytes};
use slytherin_client::wire::framed;
use slytherin_client::{Admin, ClientConfig, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// (API key, version) of each request the scripted broker received.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(i16, i16)>>>;

async fn answer(
    stream: &mut TcpStream,
    api: ApiKey,
    version: i16,
    correlation: i32,
    body: &impl Encodable,
) {
    let mut out = BytesMut::new();
    ResponseHeader::default()
        .with_correlation_id(correlation)
        .encode(&mut out, api.response_header_version(version))
        .expect("header");
    body.encode(&mut out, version).expect("body");
    stream.write_all(&framed(&out)).await.expect("written");
}

/// A broker that supports ApiVersions up to v2 and Metadata `metadata`.
async fn old_broker(metadata: (i16, i16), seen: Seen) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                loop {
                    let mut size = [0u8; 4];
                    if stream.read_exact(&mut size).await.is_err() {
                        return;
                    }
                    let mut frame = vec![0u8; i32::from_be_bytes(size) as usize];
                    stream
                        .read_exact(&mut frame)
                        .await
                        .expect("a whole request");
                    let api = i16::from_be_bytes([frame[0], frame[1]]);
                    let version = i16::from_be_bytes([frame[2], frame[3]]);
                    let correlation = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
                    seen.lock().expect("not poisoned").push((api, version));
                    let ranges = vec![
                        ApiVersion::default()
                            .with_api_key(ApiKey::ApiVersions as i16)
                            .with_min_version(0)
                            .with_max_version(2),
                        ApiVersion::default()
                            .with_api_key(ApiKey::Metadata as i16)
                            .with_min_version(metadata.0)
                            .with_max_version(metadata.1),
                    ];
                    match ApiKey::try_from(api).expect("known") {
                        ApiKey::ApiVersions if version > 2 => {
                            let body = ApiVersionsResponse::default()
                                .with_error_code(ResponseError::UnsupportedVersion.code())
                                .with_api_keys(ranges);
                            answer(&mut stream, ApiKey::ApiVersions, 0, correlation, &body).await;
                        }
                        ApiKey::ApiVersions => {
                            let body = ApiVersionsResponse::default().with_api_keys(ranges);
                            answer(
                                &mut stream,
                                ApiKey::ApiVersions,
                                version,
                                correlation,
                                &body,
                            )
                            .await;
                        }
                        ApiKey::Metadata => {
                            let body = MetadataResponse::default()
                                .with_brokers(vec![MetadataResponseBroker::default()
                                    .with_node_id(BrokerId(7))
                                    .with_host(StrBytes::from_static_str("127.0.0.1"))
                                    .with_port(1)])
                                .with_controller_id(BrokerId(7));
                            answer(&mut stream, ApiKey::Metadata, version, correlation, &body)
                                .await;
                        }
                        other => panic!("unexpected {other:?}"),
                    }
                }
            });
        }
    });
    address
}

fn config(address: std::net::SocketAddr) -> ClientConfig {
    ClientConfig::new([address.to_string()]).with_timeouts(
        Duration::from_secs(2),
        Duration::from_secs(2),
        Duration::from_secs(3),
    )
}

#[tokio::test]
async fn an_old_broker_is_asked_again_and_spoken_to_at_the_highest_shared_version() {
    let seen = Seen::default();
    let address = old_broker((1, 7), seen.clone()).await;
    Admin::connect(config(address)).await.expect("bootstraps");
    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(
        seen,
        [
            (ApiKey::ApiVersions as i16, 3),
            (ApiKey::ApiVersions as i16, 2),
            (ApiKey::Metadata as i16, 7),
        ]
    );
}

#[tokio::test]
async fn no_shared_version_is_a_named_error() {
    let address = old_broker((0, 3), Seen::default()).await;
    let started = std::time::Instant::now();
    let failed = Admin::connect(config(address))
        .await
        .expect_err("Metadata v0-v3 only");
    let Error::Bootstrap { failures, .. } = &failed else {
        panic!("{failed}");
    };
    assert!(
        failures[0].contains("supports Metadata v0-v3")
            && failures[0].contains("this client v4-v12"),
        "{failures:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "not retried: it cannot improve"
    );
}
