//! Slytherin's diagnostic codes: PT1000-1999 of the one registry, each
//! with its explanation (`explanations/PTxxxx.md`, whose wrong and fixed
//! examples the tests check).

parseltongue_core::diagnostic_codes! {
    "../explanations";
    TOPIC_SETTING = 1001, "PT1001", "a topic setting that is unknown, repeated, missing or out of range";
    UNENCODABLE_MESSAGE = 1002, "PT1002", "a message type with a part that cannot be encoded";
    TOPIC_KEY = 1003, "PT1003", "a topic key that is not a text, number or truth field of the message";
    UNKNOWN_TOPIC = 1010, "PT1010", "a pipeline that names a topic this file does not declare";
    PIPELINE_STEP = 1011, "PT1011", "a pipeline step whose function does not fit the stream at that step";
    PIPELINE_WINDOW = 1012, "PT1012", "a windowed aggregation with a part missing or out of range";
    PIPELINE_SETTING = 1013, "PT1013", "a pipeline setting that is unknown, repeated, missing or out of order";
    PIPELINE_OUTPUT = 1014, "PT1014", "a pipeline whose output is not the message type of its `to` topic";
}
