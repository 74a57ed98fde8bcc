//! The Rust of topic blocks: each topic's description for the run-time
//! crate, its producer and consumer types, the bodies of the functions it
//! declares, and the encoding derives of its message types.

use parseltongue_core::extension::{Dependency, LowerCx, Lowered};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use parseltongue_core::ir::{FunctionId, Ty};
use parseltongue_core::syntax::ast::ParamMode;

use crate::pipeline::{Aggregate, Pipeline, Step};
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
    let spec = topic_spec(topic);
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
    let key_function = key_function(topic);
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

/// The items of the pipelines declared in `cx.module()`.
pub(crate) fn pipelines(
    pipelines: &[Pipeline],
    topics: &[Topic],
    cx: &mut LowerCx<'_, '_>,
) -> Lowered {
    let mut lowered = Lowered::default();
    let module = cx.module();
    for pipeline in pipelines.iter().filter(|p| p.module == module) {
        lowered.items.push(pipeline_items(pipeline, topics, cx));
    }
    // The library's one entry point, in the root module, lists every
    // pipeline of the program: a broker loads them from it.
    if module == 0 && !pipelines.is_empty() {
        let specs: Vec<TokenStream> = pipelines
            .iter()
            .map(|p| {
                let spec = format_ident!("__PIPELINE_{}", p.name.to_uppercase());
                if p.module == 0 {
                    quote!(#spec)
                } else {
                    let m = format_ident!("{}", cx.program().modules[p.module].name.as_str());
                    quote!(#m::#spec)
                }
            })
            .collect();
        lowered
            .items
            .push(quote!(::slytherin_runtime::export_pipelines!(#(#specs),*);));
    }
    if !lowered.items.is_empty() {
        lowered.dependencies.push(RUNTIME);
    }
    lowered
}

/// How generated code passes `value` (a `&T` when `by_reference`, else a
/// `T`) to parameter `index` of function `f`, as the core passes arguments:
/// copied types by value, read-only ones borrowed, owned ones cloned.
fn argument(
    cx: &LowerCx<'_, '_>,
    f: FunctionId,
    index: usize,
    value: TokenStream,
    by_reference: bool,
) -> TokenStream {
    let param = &cx.program().functions[f].params[index];
    let copied = param.ty.is_copy();
    match (param.mode, copied, by_reference) {
        (_, true, true) => quote!(*#value),
        (_, true, false) => value,
        (ParamMode::Owned, false, _) => quote!(::std::clone::Clone::clone(&#value)),
        (_, false, true) => value,
        (_, false, false) => quote!(&#value),
    }
}

/// A call of program function `f` with `args`, each `(tokens, is a reference)`.
fn call(cx: &mut LowerCx<'_, '_>, f: FunctionId, args: Vec<(TokenStream, bool)>) -> TokenStream {
    let path = cx.function_path(f);
    let args: Vec<TokenStream> = args
        .into_iter()
        .enumerate()
        .map(|(i, (value, by_reference))| argument(cx, f, i, value, by_reference))
        .collect();
    quote!(#path(#(#args),*))
}

/// The static `TopicSpec` of a topic.
fn topic_spec(topic: &Topic) -> proc_macro2::Ident {
    format_ident!("__TOPIC_{}", topic.name.to_uppercase())
}

/// The function giving a message's key bytes, for topics with a `key`.
fn key_function(topic: &Topic) -> proc_macro2::Ident {
    format_ident!("__{}_key", topic.name)
}

fn output_key(topic: &Topic) -> TokenStream {
    if topic.key.is_some() {
        let key = key_function(topic);
        quote!(::std::option::Option::Some(#key))
    } else {
        quote!(::std::option::Option::None)
    }
}

fn pipeline_items(pipeline: &Pipeline, topics: &[Topic], cx: &mut LowerCx<'_, '_>) -> TokenStream {
    let name = &pipeline.name;
    let steps_fn = format_ident!("__{}_steps", name);
    let processor_fn = format_ident!("__{}_processor", name);
    let spec = format_ident!("__PIPELINE_{}", name.to_uppercase());
    let input = cx.rust_type(&pipeline.types[0]);
    let stream = cx.rust_type(pipeline.types.last().expect("the input type at least"));
    let from = topic_spec(&topics[pipeline.from]);
    let to = topic_spec(&topics[pipeline.to]);
    let to_key = output_key(&topics[pipeline.to]);
    // The steps as nested statements: a `flat_map` runs the rest once per
    // element it returns.
    let mut body = quote!(out.push(message););
    for (index, step) in pipeline.steps.iter().enumerate().rev() {
        body = match step {
            Step::Filter(f) => {
                let test = call(cx, *f, vec![(quote!(message), false)]);
                quote! {
                    if !#test {
                        return;
                    }
                    #body
                }
            }
            Step::Map(f) => {
                let mapped = call(cx, *f, vec![(quote!(message), false)]);
                let ty = cx.rust_type(&pipeline.types[index + 1]);
                quote! {
                    let message: #ty = #mapped;
                    #body
                }
            }
            Step::FlatMap(f) => {
                let many = call(cx, *f, vec![(quote!(message), false)]);
                quote! {
                    for message in #many {
                        #body
                    }
                }
            }
            Step::Join { table, key, with } => {
                let topic = &topics[pipeline.tables[*table]];
                let spec = topic_spec(topic);
                let row_ty = cx.type_path(topic.message);
                let key_call = call(cx, *key, vec![(quote!(message), false)]);
                let with_call = call(
                    cx,
                    *with,
                    vec![(quote!(message), false), (quote!(row), false)],
                );
                let ty = cx.rust_type(&pipeline.types[index + 1]);
                // A record that holds itself through an option is kept as
                // `Option<Box<T>>` by the core: so is the row.
                let row_option = Ty::Option(Box::new(Ty::Named(topic.message)));
                let row_option_ty = cx.rust_type(&row_option);
                let boxed = if cx.program().boxed_in_option(&Ty::Named(topic.message)) {
                    quote!(.map(::std::boxed::Box::new))
                } else {
                    quote!()
                };
                quote! {
                    let row: #row_option_ty = tables.lookup::<#row_ty>(
                        #table,
                        &#spec,
                        &::slytherin_runtime::MessageKey::key_bytes(&#key_call),
                    )#boxed;
                    let message: #ty = #with_call;
                    #body
                }
            }
        };
    }
    let tables_param = if pipeline.tables.is_empty() {
        quote!(_tables)
    } else {
        quote!(tables)
    };
    let steps = quote! {
        #[allow(dead_code, clippy::needless_return)]
        fn #steps_fn(
            message: #input,
            #tables_param: &::slytherin_runtime::pipeline::Tables,
            out: &mut ::std::vec::Vec<#stream>,
        ) {
            #body
        }
    };
    let (table_items, table_specs) = table_specs(pipeline, topics, cx);
    let (windowed_items, processor) = match &pipeline.windowed {
        None => (
            quote!(),
            quote! {
                ::std::boxed::Box::new(::slytherin_runtime::pipeline::Stateless::<#input, #stream> {
                    input: &#from,
                    output: &#to,
                    steps: #steps_fn,
                    output_key: #to_key,
                    table_specs: &#table_specs,
                    state: ::std::default::Default::default(),
                    buffer: ::std::vec::Vec::new(),
                })
            },
        ),
        Some(windowed) => {
            let key_ty = cx.rust_type(&windowed.key_ty);
            let output = cx.rust_type(&Ty::Named(topics[pipeline.to].message));
            let key_fn = format_ident!("__{}_key_by", name);
            let time_fn = format_ident!("__{}_event_time", name);
            let value_fn = format_ident!("__{}_value", name);
            let emit_fn = format_ident!("__{}_emit", name);
            let key_call = call(cx, windowed.key_by, vec![(quote!(message), true)]);
            let time_call = call(cx, windowed.event_time, vec![(quote!(message), true)]);
            let (aggregate, value_body) = match windowed.aggregate {
                Aggregate::Count => (quote!(Count), quote!(1)),
                Aggregate::Sum(f) => (quote!(Sum), call(cx, f, vec![(quote!(message), true)])),
                Aggregate::Min(f) => (quote!(Min), call(cx, f, vec![(quote!(message), true)])),
                Aggregate::Max(f) => (quote!(Max), call(cx, f, vec![(quote!(message), true)])),
            };
            let emit_call = call(
                cx,
                windowed.emit,
                vec![
                    (quote!(key), true),
                    (quote!(start), false),
                    (quote!(end), false),
                    (quote!(value), false),
                ],
            );
            let size = windowed.window.size_ms;
            let every = windowed.window.every_ms;
            let lateness = windowed.allowed_lateness_ms;
            let value_param = if matches!(windowed.aggregate, Aggregate::Count) {
                quote!(_message)
            } else {
                quote!(message)
            };
            (
                quote! {
                    #[allow(dead_code)]
                    fn #key_fn(message: &#stream) -> #key_ty {
                        #key_call
                    }
                    #[allow(dead_code)]
                    fn #time_fn(message: &#stream) -> i64 {
                        #time_call
                    }
                    #[allow(dead_code)]
                    fn #value_fn(#value_param: &#stream) -> i64 {
                        #value_body
                    }
                    // The run-time crate calls it through `fn(&K, …)`, so a
                    // `string` key comes as `&String`.
                    #[allow(dead_code, clippy::ptr_arg)]
                    fn #emit_fn(key: &#key_ty, start: i64, end: i64, value: i64) -> #output {
                        #emit_call
                    }
                },
                quote! {
                    ::std::boxed::Box::new(::slytherin_runtime::pipeline::Windowed::<#input, #stream, #key_ty, #output> {
                        input: &#from,
                        output: &#to,
                        steps: #steps_fn,
                        key: #key_fn,
                        event_time: #time_fn,
                        value: #value_fn,
                        aggregate: ::slytherin_runtime::pipeline::Aggregate::#aggregate,
                        emit: #emit_fn,
                        output_key: #to_key,
                        size_ms: #size,
                        every_ms: #every,
                        lateness_ms: #lateness,
                        table_specs: &#table_specs,
                        state: ::std::default::Default::default(),
                        buffer: ::std::vec::Vec::new(),
                    })
                },
            )
        }
    };
    let run = cx.declared_function(pipeline.run);
    quote! {
        #steps
        #table_items
        #windowed_items
        #[allow(dead_code)]
        fn #processor_fn() -> ::std::boxed::Box<dyn ::slytherin_runtime::pipeline::Processor> {
            #processor
        }
        #[allow(dead_code)]
        pub static #spec: ::slytherin_runtime::pipeline::PipelineSpec = ::slytherin_runtime::pipeline::PipelineSpec {
            name: #name,
            from: &#from,
            to: &#to,
            tables: &#table_specs,
            processor: #processor_fn,
        };
        #[allow(dead_code)]
        #run {
            ::slytherin_runtime::pipeline::run_in_process(&#spec, brokers, idle_ms)
        }
    }
}

/// The tables a pipeline's joins read: a static list of
/// `TableSpec`s (named by the second token stream) and the functions that
/// key their rows.
fn table_specs(
    pipeline: &Pipeline,
    topics: &[Topic],
    cx: &mut LowerCx<'_, '_>,
) -> (TokenStream, proc_macro2::Ident) {
    let list = format_ident!("__{}_TABLES", pipeline.name.to_uppercase());
    let mut items = Vec::new();
    let mut specs = Vec::new();
    for (index, topic) in pipeline.tables.iter().map(|t| &topics[*t]).enumerate() {
        let spec = topic_spec(topic);
        let row = cx.type_path(topic.message);
        let key = key_function(topic);
        let row_key = format_ident!("__{}_table_{}_key", pipeline.name, index);
        items.push(quote! {
            fn #row_key(bytes: &[u8]) -> ::std::option::Option<::std::vec::Vec<u8>> {
                ::slytherin_runtime::pipeline::row_key::<#row>(&#spec, bytes, #key)
            }
        });
        specs.push(quote! {
            ::slytherin_runtime::pipeline::TableSpec { topic: &#spec, key_of: #row_key }
        });
    }
    let count = specs.len();
    let items = quote! {
        #(#items)*
        #[allow(dead_code)]
        static #list: [::slytherin_runtime::pipeline::TableSpec; #count] = [#(#specs),*];
    };
    (items, list)
}
