//! The Rust of topic blocks: each topic's description for the run-time
//! crate, its producer and consumer types, the bodies of the functions it
//! declares, and the encoding derives of its message types.

use parseltongue_core::extension::{Dependency, LowerCx, Lowered};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::topic::{Encoding, Topic};

/// The run-time crate generated topic code links.
pub(crate) const RUNTIME: Dependency = Dependency {
    crate_name: "slytherin_runtime",
    package: "slytherin-runtime",
};

/// The items of the topics declared in `cx.module()`.
pub(crate) fn topics(topics: &[Topic], cx: &mut LowerCx<'_, '_>) -> Lowered {
    let mut lowered = Lowered::default();
    let module = cx.module();
    for topic in topics.iter().filter(|t| t.module == module) {
        lowered.items.extend(topic_items(topic, cx));
    }
    if !lowered.items.is_empty() {
        lowered.dependencies.push(RUNTIME);
    }
    lowered
}

fn topic_items(topic: &Topic, cx: &mut LowerCx<'_, '_>) -> Vec<TokenStream> {
    let spec = format_ident!("__TOPIC_{}", topic.name.to_uppercase());
    let name = &topic.name;
    let partitions = topic.partitions;
    let option = |value: Option<i64>| match value {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    };
    let retention_ms = option(topic.retention_ms);
    let retention_bytes = option(topic.retention_bytes);
    let verifiable = topic.verifiable;
    let encoding = match topic.encoding {
        Encoding::Json => quote!(Json),
        Encoding::Binary => quote!(Binary),
    };
    let message = cx.type_path(topic.message);
    let key_function = format_ident!("__{}_key", topic.name);
    let (key_item, key) = match &topic.key {
        Some(field) => {
            let field = format_ident!("{}", field);
            (
                quote! {
                    #[allow(dead_code)]
                    fn #key_function(message: &#message) -> ::std::vec::Vec<u8> {
                        ::slytherin_runtime::MessageKey::key_bytes(&message.#field)
                    }
                },
                quote!(::std::option::Option::Some(#key_function)),
            )
        }
        None => (quote!(), quote!(::std::option::Option::None)),
    };
    let declared = &topic.declared;
    let connect_producer = cx.declared_function(declared.connect_producer);
    let send = cx.declared_function(declared.send);
    let send_all = cx.declared_function(declared.send_all);
    let connect_consumer = cx.declared_function(declared.connect_consumer);
    let receive = cx.declared_function(declared.receive);
    let commit = cx.declared_function(declared.commit);
    let producer_doc = format!("A connection that sends messages to topic `{name}`.");
    let consumer_doc = format!("A connection that reads messages of topic `{name}`.");
    let producer_alias = type_alias(cx, topic.producer_type);
    let consumer_alias = type_alias(cx, topic.consumer_type);
    vec![quote! {
        #[allow(dead_code)]
        static #spec: ::slytherin_runtime::TopicSpec = ::slytherin_runtime::TopicSpec {
            name: #name,
            partitions: #partitions,
            retention_ms: #retention_ms,
            retention_bytes: #retention_bytes,
            verifiable: #verifiable,
            encoding: ::slytherin_runtime::Encoding::#encoding,
        };
        #[doc = #producer_doc]
        #[allow(dead_code)]
        pub type #producer_alias = ::slytherin_runtime::Producer<#message>;
        #[doc = #consumer_doc]
        #[allow(dead_code)]
        pub type #consumer_alias = ::slytherin_runtime::Consumer<#message>;
        #key_item
        #[allow(dead_code)]
        #connect_producer {
            ::slytherin_runtime::Producer::connect(&#spec, brokers, #key)
        }
        #[allow(dead_code)]
        #send {
            producer.send(message)
        }
        #[allow(dead_code)]
        #send_all {
            producer.send_all(messages)
        }
        #[allow(dead_code)]
        #connect_consumer {
            ::slytherin_runtime::Consumer::connect(&#spec, brokers, group)
        }
        #[allow(dead_code)]
        #receive {
            consumer.receive(wait_ms)
        }
        #[allow(dead_code)]
        #commit {
            consumer.commit()
        }
    }]
}

/// The name a declared type is defined under in its own module.
fn type_alias(cx: &LowerCx<'_, '_>, id: parseltongue_core::ir::TypeId) -> proc_macro2::Ident {
    format_ident!("{}", cx.program().types[id].name.as_str())
}

/// The derives a message type (and every type inside it) gets: serde's,
/// through the run-time crate's re-export.
pub(crate) fn encoding_derives() -> TokenStream {
    quote! {
        #[derive(::slytherin_runtime::serde::Serialize, ::slytherin_runtime::serde::Deserialize)]
        #[serde(crate = "::slytherin_runtime::serde")]
    }
}
