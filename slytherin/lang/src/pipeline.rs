//! `pipeline NAME { … }`: a stream processing job over a topic, checked
//! against the topics' message types. Its steps are ordinary functions,
//! named as `sort_by` names them; they apply in written order to the
//! stream, whose type each step may change:
//!
//! ```text
//! pipeline page_counts {
//!     from: clicks,                 // a topic: the stream is its messages
//!     filter: is_human,             // (message: T) returns bool
//!     map: to_view,                 // (message: T) returns U
//!     flat_map: split,              // (message: T) returns list<U>
//!     join: users,                  // a keyed topic read as a table …
//!     join_key: user_of,            // … (message: T) returns its key type
//!     join_with: enrich,            // … (message: T, row: option<R>) returns U
//!     key_by: page_of,              // (message: T) returns string | i64
//!     event_time: at_ms,            // (message: T) returns i64 (ms since the epoch)
//!     window: tumbling_seconds(60), // or sliding_seconds(300, 60)
//!     allowed_lateness_seconds: 5,  // how far behind the newest event time a window stays open
//!     aggregate: count,             // or sum(seconds_of), min(…), max(…): (message: T) returns i64
//!     emit: to_count,               // (key: K, window_start_ms: i64, window_end_ms: i64, value: i64) returns O
//!     to: page_counts,              // a topic of O (of T without a window)
//! }
//! ```

use parseltongue_core::diagnostics::{Applicability, Diagnostic};
use parseltongue_core::extension::{
    expr_name, param, type_expr, BlockRef, Declarations, DeclaredFunction, ExtensionCx,
};
use parseltongue_core::ir::{FunctionId, ModuleId, Target, Ty, TypeDefKind};
use parseltongue_core::source::Span;
use parseltongue_core::syntax::ast::{self, ExprKind, ParamMode};

use crate::blocks;
use crate::codes;
use crate::kinds::PIPELINE_SETTINGS;
use crate::topic::Topic;

/// A step of the stream before it is keyed.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Filter(FunctionId),
    Map(FunctionId),
    FlatMap(FunctionId),
    /// A lookup in a keyed topic read as a table: `table` indexes the
    /// pipeline's tables, `key` gives the message's key in it, `with`
    /// combines the message and the row (if any) into the next message.
    Join {
        table: usize,
        key: FunctionId,
        with: FunctionId,
    },
}

/// How a keyed stream is cut into windows, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) size_ms: i64,
    /// How often a window starts: `size_ms` for tumbling windows.
    pub(crate) every_ms: i64,
}

/// What a window keeps of its messages.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Aggregate {
    Count,
    Sum(FunctionId),
    Min(FunctionId),
    Max(FunctionId),
}

/// The keyed, windowed part of a pipeline.
#[derive(Clone, Debug)]
pub(crate) struct Windowed {
    pub(crate) key_by: FunctionId,
    pub(crate) event_time: FunctionId,
    pub(crate) window: Window,
    pub(crate) allowed_lateness_ms: i64,
    pub(crate) aggregate: Aggregate,
    pub(crate) emit: FunctionId,
    /// What `key_by` returns.
    pub(crate) key_ty: Ty,
}

/// A checked pipeline.
#[derive(Clone, Debug)]
pub(crate) struct Pipeline {
    pub(crate) module: ModuleId,
    pub(crate) name: String,
    /// Indexes into the program's topics.
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) steps: Vec<Step>,
    /// The topics its joins read as tables (indexes into the program's
    /// topics), each once, in order of first use.
    pub(crate) tables: Vec<usize>,
    /// The stream's type before the first step and after each.
    pub(crate) types: Vec<Ty>,
    pub(crate) windowed: Option<Windowed>,
    /// `run_NAME_pipeline`, which runs it in the program's process.
    pub(crate) run: FunctionId,
}

/// The function a pipeline declares: `page_counts` → `run_page_counts_pipeline`.
pub(crate) fn run_function_name(pipeline: &str) -> String {
    format!("run_{pipeline}_pipeline")
}

/// Declares each pipeline's `run_NAME_pipeline(brokers, idle_ms)`.
pub(crate) fn declare(blocks: &[BlockRef<'_>], declarations: &mut Declarations) {
    for (block, name) in blocks::first_of_each_name(blocks) {
        let at = name.span;
        let named = |text: &str| type_expr(text, Vec::new(), at);
        declarations.declare_function(DeclaredFunction {
            module: block.module,
            name: ast::Ident {
                name: run_function_name(&name.name).into(),
                span: at,
            },
            params: vec![param("brokers", named("string")), param("idle_ms", named("i64"))],
            returns: Some(type_expr("result", vec![named("i64"), named("string")], at)),
            docs: vec![format!(
                "Runs pipeline `{}` in this process, as a consumer of its input over the network, until no input came for `idle_ms` milliseconds (never, for 0); gives how many input messages it processed. In production it runs inside the broker instead.",
                name.name
            )],
        });
    }
}

/// The stream as the steps so far leave it.
struct Stream {
    ty: Ty,
    /// Where that type came from, for messages.
    from: String,
}

/// Checks every pipeline block against the checked `topics`; `None` if
/// any had an error.
pub(crate) fn check(
    blocks: &[BlockRef<'_>],
    topics: &[Topic],
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<Vec<Pipeline>> {
    let (named, mut ok) = blocks::named(
        blocks,
        "pipeline",
        "pipeline page_counts { … }",
        codes::PIPELINE_SETTING,
        cx,
    );
    let mut pipelines = Vec::new();
    for (block, name) in named {
        match check_pipeline(block, name, topics, cx) {
            Some(pipeline) => pipelines.push(pipeline),
            None => ok = false,
        }
    }
    ok.then_some(pipelines)
}

/// The settings that are steps: they may repeat and apply in order.
const STEP_SETTINGS: &[&str] = &["filter", "map", "flat_map", "join"];

/// The settings that go with `join`.
const JOIN_PARTS: &[&str] = &["join_key", "join_with"];

fn check_pipeline(
    block: BlockRef<'_>,
    name: &ast::Ident,
    topics: &[Topic],
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<Pipeline> {
    let repeatable: Vec<&str> = STEP_SETTINGS.iter().chain(JOIN_PARTS).copied().collect();
    let mut ok = blocks::setting_names_are_known(
        block,
        "pipeline",
        PIPELINE_SETTINGS,
        &repeatable,
        codes::PIPELINE_SETTING,
        cx,
    );
    if !ok {
        return None;
    }
    let topic_of = |cx: &mut ExtensionCx<'_, '_>, setting: &str| -> Option<usize> {
        let Some((_, value)) = block.setting(setting) else {
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_SETTING,
                    name.span,
                    format!("pipeline `{}` has no `{setting}` topic", name.name),
                )
                .with_label(format!("no `{setting}` setting"))
                .with_help(format!(
                    "add `{setting}: TOPIC,` naming a topic of this file"
                )),
            );
            return None;
        };
        resolve_topic(block.module, value, topics, cx)
    };
    let from = topic_of(cx, "from");
    let to = topic_of(cx, "to");
    let (from, to) = (from?, to?);
    if from == to {
        let span = block.setting("to").map_or(name.span, |(_, v)| v.span);
        cx.error(
            Diagnostic::error(
                codes::PIPELINE_SETTING,
                span,
                format!("pipeline `{}` would read what it writes", name.name),
            )
            .with_label("the same topic as `from`")
            .with_help(
                "write to another topic: a pipeline's output feeding its own input never ends",
            ),
        );
        return None;
    }
    let mut stream = Stream {
        ty: Ty::Named(topics[from].message),
        from: format!("topic `{}`", topics[from].name),
    };
    // Steps, in written order, until the stream is keyed.
    let mut steps = Vec::new();
    let mut tables = Vec::new();
    let mut types = vec![stream.ty.clone()];
    let mut keyed_at: Option<Span> = None;
    let entries: Vec<(&ast::Ident, &ast::Expr)> = block.settings().collect();
    let mut index = 0;
    while index < entries.len() {
        let (setting, value) = entries[index];
        index += 1;
        let kind = setting.name.as_str();
        if ["key_by", "window", "aggregate", "emit", "event_time"].contains(&kind) {
            keyed_at.get_or_insert(setting.span);
            continue;
        }
        if !STEP_SETTINGS.contains(&kind) {
            continue;
        }
        if let Some(keyed) = keyed_at {
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_SETTING,
                    setting.span,
                    format!("`{kind}` comes after the stream is keyed"),
                )
                .with_label("a step after `key_by`/`window`")
                .with_secondary(keyed, "the stream is keyed here")
                .with_help("write `filter`, `map`, `flat_map` and `join` before `key_by`"),
            );
            ok = false;
            continue;
        }
        let step = match kind {
            "filter" => step_function(
                block.module,
                value,
                &stream,
                &[],
                Some(Ty::Bool),
                "bool",
                cx,
            )
            .map(|(f, _)| Step::Filter(f)),
            "map" => step_function(block.module, value, &stream, &[], None, "a message", cx).map(
                |(f, returns)| {
                    stream = Stream {
                        ty: returns,
                        from: format!("`map: {}`", describe_function(cx, f)),
                    };
                    Step::Map(f)
                },
            ),
            "flat_map" => {
                match step_function(block.module, value, &stream, &[], None, "a list", cx) {
                    Some((f, Ty::List(element))) => {
                        stream = Stream {
                            ty: *element,
                            from: format!("`flat_map: {}`", describe_function(cx, f)),
                        };
                        Some(Step::FlatMap(f))
                    }
                    Some((f, other)) => {
                        let shown = cx.show(&other);
                        let function = describe_function(cx, f);
                        cx.error(
                            Diagnostic::error(
                                codes::PIPELINE_STEP,
                                value.span,
                                format!("`flat_map` takes a function that returns a list; `{function}` returns `{shown}`"),
                            )
                            .with_label("does not return a list")
                            .with_help("use `map` for one message out of each, `flat_map` for a list of them"),
                        );
                        None
                    }
                    None => None,
                }
            }
            "join" => {
                // `join_key` and `join_with` belong to the `join` before them.
                let parts: Vec<(&ast::Ident, &ast::Expr)> = entries[index..]
                    .iter()
                    .take_while(|(n, _)| JOIN_PARTS.contains(&n.name.as_str()))
                    .copied()
                    .collect();
                index += parts.len();
                join_step(
                    block.module,
                    setting,
                    value,
                    &parts,
                    &mut stream,
                    topics,
                    &mut tables,
                    cx,
                )
            }
            _ => None,
        };
        match step {
            Some(step) => {
                steps.push(step);
                types.push(stream.ty.clone());
            }
            None => ok = false,
        }
    }
    for (setting, _) in &entries {
        if JOIN_PARTS.contains(&setting.name.as_str()) {
            let after_join = entries
                .iter()
                .position(|(n, _)| std::ptr::eq(*n, *setting))
                .and_then(|i| {
                    entries[..i]
                        .iter()
                        .rev()
                        .find(|(n, _)| !JOIN_PARTS.contains(&n.name.as_str()))
                })
                .is_some_and(|(n, _)| n.name == "join");
            if !after_join {
                cx.error(
                    Diagnostic::error(
                        codes::PIPELINE_SETTING,
                        setting.span,
                        format!("`{}` goes right after a `join`", setting.name),
                    )
                    .with_label("not after a `join`")
                    .with_help("write `join: TABLE, join_key: …, join_with: …,` together"),
                );
                ok = false;
            }
        }
    }
    let windowed = windowed(block, name, &stream, topics[to].message, cx);
    let windowed = match windowed {
        Ok(windowed) => windowed,
        Err(()) => return None,
    };
    if windowed.is_none() {
        // Without a window the stream itself goes to `to`.
        let wanted = Ty::Named(topics[to].message);
        if ok && stream.ty != wanted {
            let shown = cx.show(&stream.ty);
            let wanted_shown = cx.show(&wanted);
            let span = block.setting("to").map_or(name.span, |(_, v)| v.span);
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_OUTPUT,
                    span,
                    format!(
                        "topic `{}` carries `{wanted_shown}`, but the stream is `{shown}` here",
                        topics[to].name
                    ),
                )
                .with_label(format!("expects `{wanted_shown}`"))
                .with_note(format!("the stream's type comes from {}", stream.from))
                .with_help(format!(
                    "add `map: NAME,` with a function `(message: {shown}) returns {wanted_shown}`"
                )),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let wanted = run_function_name(&name.name);
    let run = cx.declared_function(block.module, &wanted)?;
    Some(Pipeline {
        module: block.module,
        name: name.name.to_string(),
        from,
        to,
        steps,
        tables,
        types,
        windowed,
        run,
    })
}

/// The keyed and windowed settings: all of `key_by`, `event_time`,
/// `window`, `aggregate` and `emit`, or none of them.
fn windowed(
    block: BlockRef<'_>,
    name: &ast::Ident,
    stream: &Stream,
    output: parseltongue_core::ir::TypeId,
    cx: &mut ExtensionCx<'_, '_>,
) -> Result<Option<Windowed>, ()> {
    let parts = ["key_by", "event_time", "window", "aggregate", "emit"];
    let present: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| block.setting(p).is_some())
        .collect();
    if present.is_empty() {
        if let Some((setting, _)) = block.setting("allowed_lateness_seconds") {
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_WINDOW,
                    setting.span,
                    "`allowed_lateness_seconds` without a `window`",
                )
                .with_label("nothing to be late for"),
            );
            return Err(());
        }
        return Ok(None);
    }
    if present.len() < parts.len() {
        let missing: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| !present.contains(p))
            .collect();
        let (anchor, _) = block.setting(present[0]).expect("present");
        let explain = if missing.contains(&"key_by") && present.contains(&"window") {
            format!(
                "a window without a key: pipeline `{}` has `window` but no `key_by`",
                name.name
            )
        } else {
            format!(
                "pipeline `{}` aggregates, so it needs {}",
                name.name,
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        cx.error(
            Diagnostic::error(codes::PIPELINE_WINDOW, anchor.span, explain)
                .with_label(format!("missing: {}", missing.join(", ")))
                .with_note("a keyed aggregation takes `key_by`, `event_time`, `window`, `aggregate` and `emit` together"),
        );
        return Err(());
    }
    let module = block.module;
    let value = |setting: &str| block.setting(setting).map(|(_, v)| v).expect("present");
    let key = step_function(
        module,
        value("key_by"),
        stream,
        &[],
        None,
        "`string` or `i64`",
        cx,
    );
    let key = match key {
        Some((f, ty @ (Ty::Str | Ty::I64))) => Some((f, ty)),
        Some((f, other)) => {
            let shown = cx.show(&other);
            let function = describe_function(cx, f);
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_STEP,
                    value("key_by").span,
                    format!("a key is a `string` or an `i64`; `{function}` returns `{shown}`"),
                )
                .with_label("not a key type"),
            );
            None
        }
        None => None,
    };
    let event_time = step_function(
        module,
        value("event_time"),
        stream,
        &[],
        Some(Ty::I64),
        "`i64`",
        cx,
    );
    let window = window_of(value("window"), cx);
    let lateness = match block.setting("allowed_lateness_seconds") {
        None => Some(0),
        Some((_, v)) => seconds(v, 0, cx),
    };
    let aggregate = aggregate_of(module, value("aggregate"), stream, cx);
    let (
        Some((key_by, key_ty)),
        Some((event_time, _)),
        Some(window),
        Some(lateness),
        Some(aggregate),
    ) = (key, event_time, window, lateness, aggregate)
    else {
        return Err(());
    };
    let emit = resolve_fitting(
        module,
        value("emit"),
        &[key_ty.clone(), Ty::I64, Ty::I64, Ty::I64],
        Some(Ty::Named(output)),
        "(key, window_start_ms: i64, window_end_ms: i64, value: i64)",
        cx,
    )
    .ok_or(())?;
    Ok(Some(Windowed {
        key_by,
        event_time,
        window,
        allowed_lateness_ms: lateness * 1000,
        aggregate,
        emit,
        key_ty,
    }))
}

/// A topic named by a setting, among this file's topics.
fn resolve_topic(
    module: ModuleId,
    value: &ast::Expr,
    topics: &[Topic],
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<usize> {
    let Some(name) = expr_name(value) else {
        cx.error(
            Diagnostic::error(
                codes::UNKNOWN_TOPIC,
                value.span,
                "this setting names a topic",
            )
            .with_label("not a topic name"),
        );
        return None;
    };
    let found = topics
        .iter()
        .position(|t| t.module == module && t.name == name.name);
    if let Some(index) = found {
        cx.refer(name.span, Target::Type(topics[index].producer_type));
        return Some(index);
    }
    let names: Vec<&str> = topics
        .iter()
        .filter(|t| t.module == module)
        .map(|t| t.name.as_str())
        .collect();
    let mut d = Diagnostic::error(
        codes::UNKNOWN_TOPIC,
        name.span,
        format!("no topic `{}` in this file", name.name),
    )
    .with_label("not a topic");
    d = if names.is_empty() {
        d.with_help("declare it: `topic NAME { message: Record, }`")
    } else {
        d.with_note(format!(
            "the topics here: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    if let Some(near) = cx.closest(&name.name, names.iter().copied()) {
        d = d.with_suggestion(
            format!("did you mean `{near}`?"),
            name.span,
            near,
            Applicability::MaybeIncorrect,
        );
    }
    cx.error(d);
    None
}

/// A function of the stream's messages (plus `extra` parameters): its id
/// and return type, if it takes the stream's type and returns `returns`
/// (any type when `None`).
fn step_function(
    module: ModuleId,
    value: &ast::Expr,
    stream: &Stream,
    extra: &[Ty],
    returns: Option<Ty>,
    returns_shown: &str,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<(FunctionId, Ty)> {
    let mut params = vec![stream.ty.clone()];
    params.extend_from_slice(extra);
    let shown = cx.show(&stream.ty);
    let f = resolve_fitting(
        module,
        value,
        &params,
        returns,
        &format!("(message: {shown}) returns {returns_shown}"),
        cx,
    )?;
    Some((f, cx.program().functions[f].returns.clone()))
}

/// The function `value` names, if it has parameters of `params` (read or
/// owned, not `mutable`) and returns `returns` (any when `None`);
/// otherwise PT1011 with the signature it needs.
fn resolve_fitting(
    module: ModuleId,
    value: &ast::Expr,
    params: &[Ty],
    returns: Option<Ty>,
    wanted: &str,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<FunctionId> {
    let f = cx.resolve_function(module, value)?;
    let function = &cx.program().functions[f];
    let fits_params = function.params.len() == params.len()
        && function
            .params
            .iter()
            .zip(params)
            .all(|(p, t)| p.ty == *t && p.mode != ParamMode::Mutable);
    let fits_returns = match &returns {
        Some(wanted) => function.returns == *wanted,
        None => function.returns != Ty::Unit,
    };
    if fits_params && fits_returns {
        return Some(f);
    }
    let name = function.name.to_string();
    let actual = describe_function(cx, f);
    cx.error(
        Diagnostic::error(
            codes::PIPELINE_STEP,
            value.span,
            format!("`{name}` does not fit here: this step needs a function {wanted}"),
        )
        .with_label(format!("`{actual}`"))
        .with_help(format!(
            "declare `function {name}{wanted}`, or name one that fits"
        )),
    );
    None
}

/// `name(param: T, …) returns R` of function `f`, for messages.
fn describe_function(cx: &ExtensionCx<'_, '_>, f: FunctionId) -> String {
    let function = &cx.program().functions[f];
    let params: Vec<String> = function
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, cx.show(&p.ty)))
        .collect();
    match &function.returns {
        Ty::Unit => format!("{}({})", function.name, params.join(", ")),
        returns => format!(
            "{}({}) returns {}",
            function.name,
            params.join(", "),
            cx.show(returns)
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn join_step(
    module: ModuleId,
    setting: &ast::Ident,
    value: &ast::Expr,
    parts: &[(&ast::Ident, &ast::Expr)],
    stream: &mut Stream,
    topics: &[Topic],
    tables: &mut Vec<usize>,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<Step> {
    let table = resolve_topic(module, value, topics, cx)?;
    let Some(key_field) = &topics[table].key else {
        cx.error(
            Diagnostic::error(
                codes::PIPELINE_STEP,
                value.span,
                format!(
                    "topic `{}` has no `key`, so it cannot be read as a table",
                    topics[table].name
                ),
            )
            .with_label("a table needs a key")
            .with_help(
                "give the topic a `key` field: its newest message per key is the table's row",
            ),
        );
        return None;
    };
    let part = |wanted: &str| {
        parts
            .iter()
            .find(|(n, _)| n.name == wanted)
            .map(|(_, v)| *v)
    };
    let (Some(key_expr), Some(with_expr)) = (part("join_key"), part("join_with")) else {
        cx.error(
            Diagnostic::error(
                codes::PIPELINE_SETTING,
                setting.span,
                "a `join` needs `join_key` and `join_with` right after it",
            )
            .with_label("incomplete join")
            .with_help("write `join: TABLE, join_key: KEY_OF_MESSAGE, join_with: COMBINE,`"),
        );
        return None;
    };
    let row = topics[table].message;
    let key_ty = match &cx.program().types[row].kind {
        TypeDefKind::Record(fields) => fields
            .iter()
            .find(|(n, _)| n.as_str() == key_field.as_str())
            .map(|(_, t)| t.clone())?,
        _ => return None,
    };
    let key_shown = cx.show(&key_ty);
    let (key, _) = step_function(module, key_expr, stream, &[], Some(key_ty), &key_shown, cx)?;
    let shown = cx.show(&stream.ty);
    let row_ty = Ty::Option(Box::new(Ty::Named(row)));
    let row_shown = cx.show(&row_ty);
    let with = resolve_fitting(
        module,
        with_expr,
        &[stream.ty.clone(), row_ty],
        None,
        &format!("(message: {shown}, row: {row_shown}) returns a message"),
        cx,
    )?;
    *stream = Stream {
        ty: cx.program().functions[with].returns.clone(),
        from: format!("`join_with: {}`", describe_function(cx, with)),
    };
    let index = match tables.iter().position(|t| *t == table) {
        Some(index) => index,
        None => {
            tables.push(table);
            tables.len() - 1
        }
    };
    Some(Step::Join {
        table: index,
        key,
        with,
    })
}

/// `tumbling_seconds(N)` or `sliding_seconds(SIZE, EVERY)`.
fn window_of(value: &ast::Expr, cx: &mut ExtensionCx<'_, '_>) -> Option<Window> {
    let shape = match &value.kind {
        ExprKind::Call { callee, args } if callee.len() == 1 => {
            Some((callee[0].name.as_str(), args.as_slice()))
        }
        _ => None,
    };
    let wrong = |cx: &mut ExtensionCx<'_, '_>| {
        cx.error(
            Diagnostic::error(
                codes::PIPELINE_WINDOW,
                value.span,
                "a window is `tumbling_seconds(SIZE)` or `sliding_seconds(SIZE, EVERY)`",
            )
            .with_label("not a window"),
        );
        None
    };
    match shape {
        Some(("tumbling_seconds", [size])) => {
            let size = seconds(size, 1, cx)?;
            Some(Window {
                size_ms: size * 1000,
                every_ms: size * 1000,
            })
        }
        Some(("sliding_seconds", [size, every])) => {
            let (size, every) = (seconds(size, 1, cx)?, seconds(every, 1, cx)?);
            if every > size || size % every != 0 {
                cx.error(
                    Diagnostic::error(
                        codes::PIPELINE_WINDOW,
                        value.span,
                        format!("a sliding window of {size} s cannot start every {every} s"),
                    )
                    .with_label("the size is a whole multiple of the step")
                    .with_help("make SIZE a multiple of EVERY, e.g. `sliding_seconds(300, 60)`"),
                );
                return None;
            }
            Some(Window {
                size_ms: size * 1000,
                every_ms: every * 1000,
            })
        }
        _ => wrong(cx),
    }
}

/// A whole number of seconds, at least `low`, at most a year.
fn seconds(value: &ast::Expr, low: i64, cx: &mut ExtensionCx<'_, '_>) -> Option<i64> {
    const YEAR: i64 = 366 * 24 * 3600;
    match &value.kind {
        ExprKind::Int(n) if (low..=YEAR).contains(&i64::try_from(*n).unwrap_or(i64::MAX)) => {
            i64::try_from(*n).ok()
        }
        _ => {
            cx.error(
                Diagnostic::error(
                    codes::PIPELINE_WINDOW,
                    value.span,
                    format!("a number of seconds from {low} to {YEAR}"),
                )
                .with_label("not a whole number of seconds in range"),
            );
            None
        }
    }
}

/// `count`, `sum(f)`, `min(f)` or `max(f)`.
fn aggregate_of(
    module: ModuleId,
    value: &ast::Expr,
    stream: &Stream,
    cx: &mut ExtensionCx<'_, '_>,
) -> Option<Aggregate> {
    if expr_name(value).is_some_and(|n| n.name == "count") {
        return Some(Aggregate::Count);
    }
    if let ExprKind::Call { callee, args } = &value.kind {
        if let ([kind], [function]) = (callee.as_slice(), args.as_slice()) {
            let make = match kind.name.as_str() {
                "sum" => Some(Aggregate::Sum as fn(FunctionId) -> Aggregate),
                "min" => Some(Aggregate::Min as fn(FunctionId) -> Aggregate),
                "max" => Some(Aggregate::Max as fn(FunctionId) -> Aggregate),
                _ => None,
            };
            if let Some(make) = make {
                let (f, _) =
                    step_function(module, function, stream, &[], Some(Ty::I64), "`i64`", cx)?;
                return Some(make(f));
            }
        }
    }
    cx.error(
        Diagnostic::error(
            codes::PIPELINE_WINDOW,
            value.span,
            "an aggregate is `count`, `sum(FUNCTION)`, `min(FUNCTION)` or `max(FUNCTION)`",
        )
        .with_label("not an aggregate"),
    );
    None
}
