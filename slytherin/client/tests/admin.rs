//! Topic administration against the broker.

mod support;

use slytherin_client::{Admin, NewTopic};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_created_listed_and_deleted() {
    let broker = support::TestBroker::start();
    let admin = Admin::connect(broker.client_config())
        .await
        .expect("connects");
    admin
        .create_topic(NewTopic::new("events", 3).with_config("retention.ms", "60000"))
        .await
        .expect("created");
    admin
        .create_topic(NewTopic::new("audit", 1))
        .await
        .expect("created");
    let listed: Vec<(String, usize)> = admin
        .list_topics()
        .await
        .expect("listed")
        .into_iter()
        .map(|t| (t.name, t.partitions))
        .collect();
    assert_eq!(listed, [("audit".to_owned(), 1), ("events".to_owned(), 3)]);

    let again = admin.create_topic(NewTopic::new("events", 3)).await;
    let error = again.expect_err("exists");
    assert_eq!(
        error.code(),
        Some(kafka_protocol::error::ResponseError::TopicAlreadyExists)
    );
    assert!(error.to_string().contains("\"events\""), "{error}");

    admin.delete_topic("events").await.expect("deleted");
    let names: Vec<String> = admin
        .list_topics()
        .await
        .expect("listed")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["audit"]);
    let gone = admin
        .delete_topic("events")
        .await
        .expect_err("already gone");
    assert_eq!(
        gone.code(),
        Some(kafka_protocol::error::ResponseError::UnknownTopicOrPartition)
    );
}
