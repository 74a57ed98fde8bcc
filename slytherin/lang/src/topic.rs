//! `topic NAME { … }`: what a topic declares for ordinary code, and the
//! checks of its settings.

use parseltongue_core::diagnostics::{Applicability, Diagnostic};
use parseltongue_core::extension::{
    expr_name, param, param_with_mode, type_expr, BlockRef, Declarations, DeclaredFunction,
    DeclaredType, ExtensionCx,
};
use parseltongue_core::ir::{FunctionId, ModuleId, Target, Ty, TypeDefKind, TypeId};
use parseltongue_core::source::Span;
use parseltongue_core::syntax::ast::{self, ExprKind, ParamMode, UnaryOp};

use crate::blocks;
use crate::codes;
use crate::kinds::TOPIC_SETTINGS;

/// The most partitions a topic may declare.
const MAX_PARTITIONS: i64 = 100_000;

/// How a topic's messages are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Json,
    Binary,
}

/// A checked topic: what its lowering needs.
#[derive(Debug)]
pub(crate) struct Topic {
    pub(crate) module: ModuleId,
    pub(crate) name: String,
    pub(crate) message: TypeId,
    pub(crate) partitions: i32,
    /// The key field's name.
    pub(crate) key: Option<String>,
    pub(crate) retention_ms: Option<i64>,
    pub(crate) retention_bytes: Option<i64>,
    pub(crate) verifiable: bool,
    pub(crate) encoding: Encoding,
    pub(crate) declared: Declared<FunctionId>,
    pub(crate) producer_type: TypeId,
    pub(crate) consumer_type: TypeId,
}

/// The names a topic declares for ordinary code, one function each.
#[derive(Clone, Debug)]
pub(crate) struct Declared<T> {
    pub(crate) connect_producer: T,
    pub(crate) send: T,
    pub(crate) send_all: T,
    pub(crate) connect_consumer: T,
    pub(crate) receive: T,
    pub(crate) commit: T,
}

/// The type names a topic declares: `page_views` → `PageViewsProducer`.
pub(crate) fn type_names(topic: &str) -> (String, String) {
    let camel: String = topic
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect();
    (format!("{camel}Producer"), format!("{camel}Consumer"))
}

/// The function names a topic declares.
pub(crate) fn function_names(topic: &str) -> Declared<String> {
    Declared {
        connect_producer: format!("connect_{topic}_producer"),
        send: format!("send_{topic}"),
        send_all: format!("send_all_{topic}"),
        connect_consumer: format!("connect_{topic}_consumer"),
        receive: format!("receive_{topic}"),
        commit: format!("commit_{topic}"),
    }
}

/// Declares each topic's producer and consumer types and functions.
pub(crate) fn declare(blocks: &[BlockRef<'_>], declarations: &mut Declarations) {
    for (block, name) in blocks::first_of_each_name(blocks) {
        let at = name.span;
        let ident = |text: &str| ast::Ident {
            name: text.into(),
            span: at,
        };
        // The message type as written, so errors and references land on
        // it; a block without one declares its functions over the error
        // type, which the check reports.
        let message = || match block.setting("message").and_then(|(_, v)| expr_name(v)) {
            Some(written) => type_expr(&written.name, Vec::new(), written.span),
            None => ast::TypeExpr {
                kind: ast::TypeExprKind::Error,
                span: at,
            },
        };
        let named = |text: &str| type_expr(text, Vec::new(), at);
        let generic = |text: &str, args: Vec<ast::TypeExpr>| type_expr(text, args, at);
        let (producer, consumer) = type_names(&name.name);
        let topic = &name.name;
        for (type_name, what) in [
            (&producer, "sends messages to"),
            (&consumer, "reads messages of"),
        ] {
            declarations.declare_type(DeclaredType {
                module: block.module,
                name: ident(type_name),
                docs: vec![format!("A connection that {what} topic `{topic}`.")],
            });
        }
        let names = function_names(topic);
        let function =
            |name: &str, params: Vec<ast::Param>, returns: ast::TypeExpr, doc: String| {
                DeclaredFunction {
                    module: block.module,
                    name: ident(name),
                    params,
                    returns: Some(returns),
                    docs: vec![doc],
                }
            };
        let result = |ok: ast::TypeExpr| generic("result", vec![ok, named("string")]);
        let declared = [
            function(
                &names.connect_producer,
                vec![param("brokers", named("string"))],
                result(named(&producer)),
                format!("Connects a producer of `{topic}` to `brokers` (`host:port`, comma-separated; empty for `SLYTHERIN_BROKERS` or 127.0.0.1:9092), creating the topic as declared if it does not exist."),
            ),
            function(
                &names.send,
                vec![param("producer", named(&producer)), param("message", message())],
                result(named("i64")),
                format!("Sends one message to `{topic}` and waits until every in-sync replica stored it; gives its offset."),
            ),
            function(
                &names.send_all,
                vec![
                    param("producer", named(&producer)),
                    param("messages", generic("list", vec![message()])),
                ],
                result(generic("list", vec![named("i64")])),
                format!("Sends every message to `{topic}`, pipelined, and waits until all are stored; gives their offsets in order."),
            ),
            function(
                &names.connect_consumer,
                vec![param("brokers", named("string")), param("group", named("string"))],
                result(named(&consumer)),
                format!("Joins consumer group `group` on `{topic}`; a group that never committed starts at the first message."),
            ),
            function(
                &names.receive,
                vec![
                    param_with_mode("consumer", named(&consumer), ParamMode::Mutable),
                    param("wait_ms", named("i64")),
                ],
                result(generic("list", vec![message()])),
                format!("The messages of `{topic}` that arrive within `wait_ms` milliseconds (empty if none came)."),
            ),
            function(
                &names.commit,
                vec![param_with_mode("consumer", named(&consumer), ParamMode::Mutable)],
                result(named("i64")),
                format!("Commits the position after every message of `{topic}` received, so the group resumes there; gives how many messages the commit covers."),
            ),
        ];
        for function in declared {
            declarations.declare_function(function);
        }
    }
}

/// Settings as read, before defaults.
#[derive(Default)]
struct Settings {
    message: Option<TypeId>,
    partitions: Option<i64>,
    key: Option<String>,
    retention_hours: Option<i64>,
    retention_megabytes: Option<i64>,
    verifiable: Option<bool>,
    encoding: Option<Encoding>,
}

/// Checks every topic block; `None` if any had an error.
pub(crate) fn check(blocks: &[BlockRef<'_>], cx: &mut ExtensionCx<'_, '_>) -> Option<Vec<Topic>> {
    let (named, mut ok) = blocks::named(
        blocks,
        "topic",
        "topic clicks { … }",
        codes::TOPIC_SETTING,
        cx,
    );
    let mut topics = Vec::new();
    for (block, name) in named {
        match check_topic(block, name, cx) {
            Some(topic) => topics.push(topic),
            None => ok = false,
        }
    }
    ok.then_some(topics)
}

fn check_topic(
    block: BlockRef<'_>,
    name: &ast::Ident,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<Topic> {
    let mut settings = Settings::default();
    let mut ok = blocks::setting_names_are_known(
        block,
        "topic",
        TOPIC_SETTINGS,
        &[],
        codes::TOPIC_SETTING,
        cx,
    );
    let mut key_expr = None;
    for (setting, value) in block.settings() {
        let Some(known) = TOPIC_SETTINGS.iter().find(|s| s.name == setting.name) else {
            continue;
        };
        let read = match known.name {
            "message" => cx
                .resolve_type(block.module, value)
                .map(|t| settings.message = Some(t)),
            "partitions" => whole_number(value, 1, MAX_PARTITIONS, "partitions", cx)
                .map(|n| settings.partitions = Some(n)),
            "retention_hours" => {
                whole_number(value, 1, i64::MAX / 3_600_000, "retention_hours", cx)
                    .map(|n| settings.retention_hours = Some(n))
            }
            "retention_megabytes" => {
                whole_number(value, 1, i64::MAX / (1 << 20), "retention_megabytes", cx)
                    .map(|n| settings.retention_megabytes = Some(n))
            }
            "verifiable" => match value.kind {
                ExprKind::Bool(b) => {
                    settings.verifiable = Some(b);
                    Some(())
                }
                _ => setting_error(value.span, "`verifiable` is `true` or `false`", cx),
            },
            "encoding" => match expr_name(value).map(|n| n.name.as_str()) {
                Some("json") => {
                    settings.encoding = Some(Encoding::Json);
                    Some(())
                }
                Some("binary") => {
                    settings.encoding = Some(Encoding::Binary);
                    Some(())
                }
                _ => setting_error(value.span, "`encoding` is `json` or `binary`", cx),
            },
            "key" => match expr_name(value) {
                Some(field) => {
                    key_expr = Some(field);
                    Some(())
                }
                None => {
                    cx.error(
                        Diagnostic::error(
                            codes::TOPIC_KEY,
                            value.span,
                            "`key` names a field of the message",
                        )
                        .with_label("not a field name"),
                    );
                    None
                }
            },
            _ => unreachable!("every known setting is read above"),
        };
        ok &= read.is_some();
    }
    let Some(message) = settings.message else {
        if block.setting("message").is_none() {
            cx.error(
                Diagnostic::error(
                    codes::TOPIC_SETTING,
                    name.span,
                    format!("topic `{}` does not say what its messages are", name.name),
                )
                .with_label("no `message` setting")
                .with_help("add `message: RecordName,` naming the record each message is"),
            );
        }
        return None;
    };
    ok &= check_encodable(message, name.span, block, cx);
    if let Some(field) = key_expr {
        match key_field(message, field, cx) {
            Some(key) => settings.key = Some(key),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let (producer_name, consumer_name) = type_names(&name.name);
    let producer_type = cx.declared_type(block.module, &producer_name)?;
    let consumer_type = cx.declared_type(block.module, &consumer_name)?;
    let names = function_names(&name.name);
    let find = |wanted: &str| cx.declared_function(block.module, wanted);
    let declared = Declared {
        connect_producer: find(&names.connect_producer)?,
        send: find(&names.send)?,
        send_all: find(&names.send_all)?,
        connect_consumer: find(&names.connect_consumer)?,
        receive: find(&names.receive)?,
        commit: find(&names.commit)?,
    };
    Some(Topic {
        module: block.module,
        name: name.name.to_string(),
        message,
        partitions: settings.partitions.unwrap_or(1) as i32,
        key: settings.key,
        retention_ms: settings.retention_hours.map(|h| h * 3_600_000),
        retention_bytes: settings.retention_megabytes.map(|m| m << 20),
        verifiable: settings.verifiable.unwrap_or(false),
        encoding: settings.encoding.unwrap_or(Encoding::Json),
        declared,
        producer_type,
        consumer_type,
    })
}

fn setting_error(span: Span, message: &str, cx: &mut ExtensionCx<'_, '_>) -> Option<()> {
    cx.error(
        Diagnostic::error(codes::TOPIC_SETTING, span, message.to_owned())
            .with_label("not a value this setting takes"),
    );
    None
}

/// A whole-number literal within `low..=high`.
fn whole_number(
    value: &ast::Expr,
    low: i64,
    high: i64,
    setting: &str,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<i64> {
    let number = match &value.kind {
        ExprKind::Int(n) => i64::try_from(*n).ok(),
        ExprKind::Unary {
            op: UnaryOp::Negate,
            ..
        } => Some(-1),
        _ => None,
    };
    match number {
        Some(n) if (low..=high).contains(&n) => Some(n),
        Some(_) => {
            cx.error(
                Diagnostic::error(
                    codes::TOPIC_SETTING,
                    value.span,
                    format!("`{setting}` is out of range"),
                )
                .with_label(format!("`{setting}` is {low} to {high}")),
            );
            None
        }
        None => {
            cx.error(
                Diagnostic::error(
                    codes::TOPIC_SETTING,
                    value.span,
                    format!("`{setting}` is a whole number"),
                )
                .with_label("not a whole-number literal"),
            );
            None
        }
    }
}

/// The key field's name, if `field` is a `string`, `i64` or `bool` field
/// of the message record.
fn key_field(message: TypeId, field: &ast::Ident, cx: &mut ExtensionCx<'_, '_>) -> Option<String> {
    let def = &cx.program().types[message];
    let TypeDefKind::Record(fields) = &def.kind else {
        let what = def.name.to_string();
        cx.error(
            Diagnostic::error(
                codes::TOPIC_KEY,
                field.span,
                format!("a key names a field, and `{what}` is an enum"),
            )
            .with_label("the message has no fields")
            .with_help("remove `key`, or make the message a record"),
        );
        return None;
    };
    let record = def.name.to_string();
    let found = fields.iter().position(|(name, _)| *name == field.name);
    let Some(index) = found else {
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        let near = cx
            .closest(&field.name, names.iter().copied())
            .map(str::to_owned);
        let mut d = Diagnostic::error(
            codes::TOPIC_KEY,
            field.span,
            format!("`{record}` has no field `{}`", field.name),
        )
        .with_label("not a field of the message");
        if let Some(near) = near {
            d = d.with_suggestion(
                format!("did you mean `{near}`?"),
                field.span,
                near,
                Applicability::MaybeIncorrect,
            );
        }
        cx.error(d);
        return None;
    };
    let ty = fields[index].1.clone();
    cx.refer(field.span, Target::Field(message, index));
    if !matches!(ty, Ty::Str | Ty::I64 | Ty::Bool) {
        let shown = cx.show(&ty);
        cx.error(
            Diagnostic::error(
                codes::TOPIC_KEY,
                field.span,
                format!(
                    "a key is a `string`, `i64` or `bool` field; `{}` is `{shown}`",
                    field.name
                ),
            )
            .with_label(format!("a `{shown}` field")),
        );
        return None;
    }
    Some(field.name.to_string())
}

/// Whether every part of `message` has an encoding; reports the first
/// that has none, with the path to it.
fn check_encodable(
    message: TypeId,
    at: Span,
    block: BlockRef<'_>,
    cx: &mut ExtensionCx<'_, '_>,
) -> bool {
    let span = block.setting("message").map_or(at, |(_, value)| value.span);
    let mut visited = Vec::new();
    match unencodable(cx, &Ty::Named(message), &mut visited) {
        None => true,
        Some((path, part)) => {
            let name = cx.program().types[message].name.to_string();
            cx.error(
                Diagnostic::error(
                    codes::UNENCODABLE_MESSAGE,
                    span,
                    format!("`{name}` cannot be a message: `{name}{path}` is a {part}"),
                )
                .with_label("holds a part with no encoding")
                .with_note("a message is made of numbers, truth values, text, lists, maps with `string` or `i64` keys, options, records and enums"),
            );
            false
        }
    }
}

/// The path to the first part of `ty` with no encoding, and what it is.
fn unencodable(
    cx: &ExtensionCx<'_, '_>,
    ty: &Ty,
    visited: &mut Vec<TypeId>,
) -> Option<(String, String)> {
    match ty {
        Ty::I64 | Ty::F64 | Ty::Bool | Ty::Str | Ty::Error | Ty::Unknown => None,
        Ty::List(inner) | Ty::Option(inner) => {
            unencodable(cx, inner, visited).map(|(path, part)| (format!("[…]{path}"), part))
        }
        Ty::Map(key, value) => {
            if !matches!(**key, Ty::Str | Ty::I64) {
                return Some((
                    "".into(),
                    format!("`{}` (map keys are `string` or `i64`)", cx.show(ty)),
                ));
            }
            unencodable(cx, value, visited).map(|(path, part)| (format!("[…]{path}"), part))
        }
        Ty::Named(id) => {
            if visited.contains(id) {
                return None;
            }
            visited.push(*id);
            let def = &cx.program().types[*id];
            match &def.kind {
                TypeDefKind::Record(fields) => fields.iter().find_map(|(name, t)| {
                    unencodable(cx, t, visited).map(|(path, part)| (format!(".{name}{path}"), part))
                }),
                TypeDefKind::Enum(variants) => variants.iter().find_map(|(name, payload)| {
                    payload.iter().find_map(|t| {
                        unencodable(cx, t, visited)
                            .map(|(path, part)| (format!("::{name}(…){path}"), part))
                    })
                }),
                TypeDefKind::Rust(_) => Some(("".into(), format!("`rust_type` (`{}`)", def.name))),
                TypeDefKind::Extension => Some(("".into(), format!("connection (`{}`)", def.name))),
            }
        }
        other => Some(("".into(), format!("`{}`", cx.show(other)))),
    }
}

/// Every record and enum a message of `message` holds, itself included:
/// each derives the encoding.
pub(crate) fn encoded_types(
    program: &parseltongue_core::ir::Program,
    message: TypeId,
    out: &mut Vec<TypeId>,
) {
    fn walk(program: &parseltongue_core::ir::Program, ty: &Ty, out: &mut Vec<TypeId>) {
        match ty {
            Ty::List(inner) | Ty::Option(inner) => walk(program, inner, out),
            Ty::Map(_, value) => walk(program, value, out),
            Ty::Named(id) if !out.contains(id) => {
                out.push(*id);
                match &program.types[*id].kind {
                    TypeDefKind::Record(fields) => {
                        fields.iter().for_each(|(_, t)| walk(program, t, out))
                    }
                    TypeDefKind::Enum(variants) => variants
                        .iter()
                        .flat_map(|(_, payload)| payload)
                        .for_each(|t| walk(program, t, out)),
                    TypeDefKind::Rust(_) | TypeDefKind::Extension => {}
                }
            }
            _ => {}
        }
    }
    walk(program, &Ty::Named(message), out);
}
