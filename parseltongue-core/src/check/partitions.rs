//! The partition plan: `partition NAME { … }` blocks (and at most one
//! `partition_plan { … }`) read into [`crate::ir::PartitionPlan`], checked before
//! any body so that `spawn_on`, `run_every_cycle` and `mailbox_on` can name
//! the partitions. Only what can be known without the machine is checked
//! here (names, settings, empty and overlapping core lists); the generated
//! program holds the plan against the machine's cores when it starts.

use super::suggest::closest;
use super::Checker;
use crate::diagnostics::{codes, Applicability, Diagnostic};
use crate::extension::Extensions;
use crate::ir::{PartitionDecl, PartitionPlan, PartitionPolicy};
use crate::source::Span;
use crate::syntax::ast::{self, BlockEntryKind, ExprKind, ExtensionBlock};

/// The block kinds the core reads; every other block kind belongs to an
/// extension.
pub(crate) const BLOCK_KINDS: &[&str] = &["partition", "partition_plan"];

/// The settings a core block kind takes, for the editor's completion.
pub(crate) fn core_block_settings(kind: &str) -> &'static [&'static str] {
    match kind {
        "partition" => PARTITION_SETTINGS,
        "partition_plan" => PLAN_SETTINGS,
        _ => &[],
    }
}

/// What a block kind is, for the editor's hover on its word.
pub(crate) fn describe_block(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "partition" => "**`partition NAME { … }`**: a named set of CPU cores with a scheduler policy; work sent to it (`spawn_on`, `run_every_cycle`, `mailbox_on`) runs only on its cores.\n\nSettings: `cores: list_of(…)`, `policy: api | messaging | frame | batch`, `cycle_ms` (frame), `batch` (messaging), `realtime_priority` (1-99).",
        "partition_plan" => "**`partition_plan { … }`**: settings of the whole plan.\n\nSettings: `system_cores: list_of(…)` (cores left to the operating system), `fallback: fail | shrink` (on a machine with too few cores, share them with a warning instead of stopping).",
        _ => return None,
    })
}

/// What a setting of a block kind means, for the editor's hover on it.
pub(crate) fn describe_setting(kind: &str, setting: &str) -> Option<&'static str> {
    Some(match (kind, setting) {
        ("partition", "cores") => "**`cores`**: the partition's cores, `list_of` core numbers as Linux numbers them; no two partitions share one.",
        ("partition", "policy") => "**`policy`**: `api` (run to completion, first come first served), `messaging` (mailbox handlers in batches), `frame` (slots once per cycle, overruns counted), `batch` (runs when nothing else wants the cores).",
        ("partition", "cycle_ms") => "**`cycle_ms`**: the length of a `frame` partition's cycle in milliseconds (16 when absent).",
        ("partition", "batch") => "**`batch`**: how many messages a `messaging` partition hands a handler in one go (64 when absent).",
        ("partition", "realtime_priority") => "**`realtime_priority`**: run the partition's threads under `SCHED_FIFO` at this priority (1-99); needs the right to.",
        ("partition_plan", "system_cores") => "**`system_cores`**: cores no partition may take, left to the operating system.",
        ("partition_plan", "fallback") => "**`fallback`**: `fail` (the default: a plan that does not fit the machine stops the program) or `shrink` (share the cores there are, with a warning).",
        _ => return None,
    })
}

/// The policies a `partition` block may name.
const POLICIES: &[&str] = &["api", "messaging", "frame", "batch"];

/// The settings of a `partition` block.
const PARTITION_SETTINGS: &[&str] = &["cores", "policy", "cycle_ms", "batch", "realtime_priority"];

/// The settings of the `partition_plan` block.
const PLAN_SETTINGS: &[&str] = &["system_cores", "fallback"];

/// The frame cycle when a `frame` partition names none: 60 cycles a second.
const DEFAULT_CYCLE_MS: u32 = 16;

/// The messaging batch when a `messaging` partition names none.
const DEFAULT_BATCH: u32 = 64;

/// The name of the default plan's one partition.
pub(crate) const DEFAULT_PARTITION: &str = "main";

/// A `partition` block's settings as read, before defaults.
#[derive(Default)]
struct Settings {
    cores: Option<(Vec<u32>, Span)>,
    policy: Option<(&'static str, Span)>,
    cycle_ms: Option<(u32, Span)>,
    batch: Option<(u32, Span)>,
    realtime_priority: Option<(u8, Span)>,
}

impl Checker<'_> {
    /// Reads every block of the program: the partition plan into the
    /// program's tables, and an error for each block of a kind nothing
    /// provides.
    pub(crate) fn check_blocks(&mut self, modules: &[ast::Module], extensions: &Extensions) {
        let mut plan = PartitionPlan::default();
        let mut plan_block: Option<Span> = None;
        for item in modules.iter().flat_map(|m| &m.items) {
            let ast::ItemKind::Block(block) = &item.kind else {
                continue;
            };
            match block.keyword.name.as_str() {
                "partition" => self.partition_block(block, &mut plan),
                "partition_plan" => {
                    if let Some(first) = plan_block {
                        self.error(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                block.keyword.span,
                                "a program has one `partition_plan` block",
                            )
                            .with_label("a second `partition_plan`")
                            .with_secondary(first, "the first is here")
                            .with_help("put every plan setting in the first block"),
                        );
                        continue;
                    }
                    plan_block = Some(block.keyword.span);
                    self.plan_block(block, &mut plan);
                }
                word if extensions.block_kind(word).is_some() => {}
                _ => self.unknown_block(block, extensions),
            }
        }
        plan.declared = !plan.partitions.is_empty() || plan_block.is_some();
        if plan.partitions.is_empty() {
            plan.partitions.push(PartitionDecl {
                name: DEFAULT_PARTITION.into(),
                cores: None,
                policy: PartitionPolicy::Api,
                realtime_priority: None,
                span: Span::default(),
            });
        }
        self.check_overlaps(&plan);
        self.tables.program.partitions = plan;
    }

    fn unknown_block(&mut self, block: &ExtensionBlock, extensions: &Extensions) {
        let word = block.keyword.name.as_str();
        let kinds: Vec<&str> = BLOCK_KINDS
            .iter()
            .copied()
            .chain(extensions.block_kinds().map(|kind| kind.keyword))
            .collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_BLOCK,
            block.keyword.span,
            format!("no block kind `{word}`"),
        )
        .with_label("not a block kind this program can use")
        .with_note(format!(
            "the block kinds are: {}",
            kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(near) = closest(word, kinds.iter().copied()) {
            d = d.with_suggestion(
                format!("did you mean `{near}`?"),
                block.keyword.span,
                near,
                Applicability::MaybeIncorrect,
            );
        }
        self.error(d);
    }

    fn partition_block(&mut self, block: &ExtensionBlock, plan: &mut PartitionPlan) {
        let Some(name) = &block.name else {
            self.error(
                Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    block.keyword.span,
                    "a `partition` block needs a name",
                )
                .with_label("no name after `partition`")
                .with_help("name it, as in `partition app { cores: list_of(1), policy: api, }`"),
            );
            return;
        };
        self.check_name(name);
        if let Some(first) = plan.find(&name.name) {
            let first = first.span;
            self.error(
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    name.span,
                    format!("the partition `{}` is declared twice", name.name),
                )
                .with_label("declared again here")
                .with_secondary(first, "first declared here"),
            );
            return;
        }
        let mut settings = Settings::default();
        for (name, value) in self.settings_of(block) {
            match name.name.as_str() {
                "cores" => {
                    let free = first_free_core(plan);
                    settings.cores = self.core_list(value, free).map(|c| (c, value.span));
                }
                "policy" => {
                    settings.policy = self
                        .one_of(value, POLICIES, "policy")
                        .map(|p| (p, value.span));
                }
                "cycle_ms" => {
                    settings.cycle_ms = self
                        .whole_number(value, 1, 60_000, "a cycle in milliseconds")
                        .map(|n| (n as u32, value.span));
                }
                "batch" => {
                    settings.batch = self
                        .whole_number(value, 1, 1_000_000, "a batch size")
                        .map(|n| (n as u32, value.span));
                }
                "realtime_priority" => {
                    settings.realtime_priority = self
                        .whole_number(value, 1, 99, "a `SCHED_FIFO` priority")
                        .map(|n| (n as u8, value.span));
                }
                _ => self.unknown_setting(name, "partition", PARTITION_SETTINGS),
            }
        }
        let mut missing = Vec::new();
        if settings.cores.is_none() && !self.has_setting(block, "cores") {
            missing.push("cores: list_of(1),");
        }
        if settings.policy.is_none() && !self.has_setting(block, "policy") {
            missing.push("policy: api,");
        }
        if !missing.is_empty() {
            self.error(
                Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    name.span,
                    format!(
                        "the partition `{}` needs `{}`",
                        name.name,
                        missing
                            .iter()
                            .map(|m| m.split(':').next().unwrap_or(m))
                            .collect::<Vec<_>>()
                            .join("` and `")
                    ),
                )
                .with_label("declared without it")
                .with_help(format!(
                    "every partition says which cores it runs on and how they schedule, e.g. `{}`",
                    missing.join(" ")
                )),
            );
        }
        let policy_name = settings.policy.map(|(p, _)| p);
        if let Some((_, span)) = settings.cycle_ms {
            if policy_name.is_some_and(|p| p != "frame") {
                self.policy_only_setting(span, "cycle_ms", "frame");
            }
        }
        if let Some((_, span)) = settings.batch {
            if policy_name.is_some_and(|p| p != "messaging") {
                self.policy_only_setting(span, "batch", "messaging");
            }
        }
        if let (Some((_, span)), Some("batch")) = (settings.realtime_priority, policy_name) {
            self.error(
                Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    span,
                    "a `batch` partition cannot have a real-time priority",
                )
                .with_label("`batch` runs when nothing else wants its cores")
                .with_help("remove `realtime_priority`, or choose another policy"),
            );
        }
        let policy = match policy_name.unwrap_or("api") {
            "messaging" => PartitionPolicy::Messaging {
                batch: settings.batch.map_or(DEFAULT_BATCH, |(b, _)| b),
            },
            "frame" => PartitionPolicy::Frame {
                cycle_ms: settings.cycle_ms.map_or(DEFAULT_CYCLE_MS, |(c, _)| c),
            },
            "batch" => PartitionPolicy::Batch,
            _ => PartitionPolicy::Api,
        };
        plan.partitions.push(PartitionDecl {
            name: name.name.clone(),
            cores: Some(settings.cores.map(|(c, _)| c).unwrap_or_default()),
            policy,
            realtime_priority: settings.realtime_priority.map(|(p, _)| p),
            span: name.span,
        });
    }

    fn plan_block(&mut self, block: &ExtensionBlock, plan: &mut PartitionPlan) {
        if let Some(name) = &block.name {
            self.error(
                Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    name.span,
                    "the `partition_plan` block has no name",
                )
                .with_label("not needed")
                .with_suggestion(
                    "remove the name",
                    name.span,
                    "",
                    Applicability::MachineApplicable,
                ),
            );
        }
        for (name, value) in self.settings_of(block) {
            match name.name.as_str() {
                "system_cores" => {
                    if let Some(cores) = self.core_list(value, 0) {
                        plan.system_cores = cores;
                    }
                }
                "fallback" => {
                    plan.shrink =
                        self.one_of(value, &["shrink", "fail"], "fallback") == Some("shrink");
                }
                _ => self.unknown_setting(name, "partition_plan", PLAN_SETTINGS),
            }
        }
    }

    /// The block's settings in order, each name once: a repeat, and an
    /// entry that is not a setting, is reported and left out.
    fn settings_of<'b>(
        &mut self,
        block: &'b ExtensionBlock,
    ) -> Vec<(&'b ast::Ident, &'b ast::Expr)> {
        let mut first: rustc_hash::FxHashMap<&str, Span> = rustc_hash::FxHashMap::default();
        let mut settings = Vec::new();
        for entry in &block.entries {
            let BlockEntryKind::Setting { name, value } = &entry.kind else {
                self.settings_only(entry, block.keyword.name.as_str());
                continue;
            };
            if let Some(&earlier) = first.get(name.name.as_str()) {
                self.error(
                    Diagnostic::error(
                        codes::INVALID_PARTITION_PLAN,
                        name.span,
                        format!("`{}` is set twice", name.name),
                    )
                    .with_label("set again here")
                    .with_secondary(earlier, "first set here"),
                );
                continue;
            }
            first.insert(name.name.as_str(), name.span);
            settings.push((name, value));
        }
        settings
    }

    fn has_setting(&self, block: &ExtensionBlock, wanted: &str) -> bool {
        block
            .entries
            .iter()
            .any(|e| matches!(&e.kind, BlockEntryKind::Setting { name, .. } if name.name == wanted))
    }

    fn settings_only(&mut self, entry: &ast::BlockEntry, kind: &str) {
        if matches!(entry.kind, BlockEntryKind::Error) {
            return;
        }
        self.error(
            Diagnostic::error(
                codes::INVALID_PARTITION_PLAN,
                entry.span,
                format!("a `{kind}` block holds settings only"),
            )
            .with_label("not a setting")
            .with_help("write each setting as `name: value,`"),
        );
    }

    fn unknown_setting(&mut self, name: &ast::Ident, kind: &str, known: &[&str]) {
        let mut d = Diagnostic::error(
            codes::INVALID_PARTITION_PLAN,
            name.span,
            format!("a `{kind}` block has no setting `{}`", name.name),
        )
        .with_label("unknown setting")
        .with_note(format!(
            "its settings are: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(near) = closest(&name.name, known.iter().copied()) {
            d = d.with_suggestion(
                format!("did you mean `{near}`?"),
                name.span,
                near,
                Applicability::MachineApplicable,
            );
        }
        self.error(d);
    }

    fn policy_only_setting(&mut self, span: Span, setting: &str, policy: &str) {
        self.error(
            Diagnostic::error(
                codes::INVALID_PARTITION_PLAN,
                span,
                format!("`{setting}` is a setting of `{policy}` partitions"),
            )
            .with_label(format!("only `policy: {policy}` uses it"))
            .with_help(format!(
                "remove `{setting}`, or make the partition `policy: {policy}`"
            )),
        );
    }

    /// A bare name among `known` (`api`, `shrink`).
    fn one_of(
        &mut self,
        value: &ast::Expr,
        known: &[&'static str],
        what: &str,
    ) -> Option<&'static str> {
        let listed = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if let ExprKind::Path(path) = &value.kind {
            if let [word] = path.as_slice() {
                if let Some(found) = known.iter().find(|k| **k == word.name) {
                    return Some(found);
                }
                let mut d = Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    word.span,
                    format!("no {what} `{}`", word.name),
                )
                .with_label(format!("not a {what}"))
                .with_note(format!("the choices are: {listed}"));
                if let Some(near) = closest(&word.name, known.iter().copied()) {
                    d = d.with_suggestion(
                        format!("did you mean `{near}`?"),
                        word.span,
                        near,
                        Applicability::MachineApplicable,
                    );
                }
                self.error(d);
                return None;
            }
        }
        if !matches!(value.kind, ExprKind::Error) {
            self.error(
                Diagnostic::error(
                    codes::INVALID_PARTITION_PLAN,
                    value.span,
                    format!("the {what} is one of {listed}"),
                )
                .with_label(format!("not a {what}"))
                .with_help(format!(
                    "write the {what}'s name alone, as in `{}`",
                    known[0]
                )),
            );
        }
        None
    }

    /// A whole number written as a literal, within `low..=high`.
    fn whole_number(&mut self, value: &ast::Expr, low: u64, high: u64, what: &str) -> Option<u64> {
        match value.kind {
            ExprKind::Int(n) if (low..=high).contains(&n) => Some(n),
            ExprKind::Int(_) => {
                self.error(
                    Diagnostic::error(
                        codes::INVALID_PARTITION_PLAN,
                        value.span,
                        format!("{what} is from {low} to {high}"),
                    )
                    .with_label("out of range"),
                );
                None
            }
            ExprKind::Error => None,
            _ => {
                self.error(
                    Diagnostic::error(
                        codes::INVALID_PARTITION_PLAN,
                        value.span,
                        format!("expected {what}: a whole number written out"),
                    )
                    .with_label("not a number literal")
                    .with_note(
                        "the plan is read before the program runs, so its values are literals",
                    ),
                );
                None
            }
        }
    }

    /// `list_of(0, 2, 3)`: core numbers, each written once. An empty list
    /// is reported with the first free core as the fix.
    fn core_list(&mut self, value: &ast::Expr, free: u32) -> Option<Vec<u32>> {
        let args = match &value.kind {
            ExprKind::Builtin {
                keyword: crate::syntax::token::Keyword::ListOf,
                args,
                ..
            } => args,
            ExprKind::Error => return None,
            _ => {
                self.error(
                    Diagnostic::error(
                        codes::INVALID_PARTITION_PLAN,
                        value.span,
                        "cores are written as a list of core numbers",
                    )
                    .with_label("not a `list_of(…)` of numbers")
                    .with_help("write them as in `cores: list_of(1, 2),`"),
                );
                return None;
            }
        };
        if args.is_empty() {
            self.error(
                Diagnostic::error(
                    codes::EMPTY_PARTITION,
                    value.span,
                    "a partition needs at least one core",
                )
                .with_label("no cores")
                .with_note("a partition's work runs on its cores; with none it could never run")
                .with_suggestion(
                    "give it a core",
                    value.span,
                    format!("list_of({free})"),
                    Applicability::MaybeIncorrect,
                ),
            );
            return Some(Vec::new());
        }
        let mut cores: Vec<u32> = Vec::new();
        for arg in args {
            match arg.kind {
                ExprKind::Int(n) if n <= 4095 => {
                    if cores.contains(&(n as u32)) {
                        self.error(
                            Diagnostic::error(
                                codes::INVALID_PARTITION_PLAN,
                                arg.span,
                                format!("core {n} is listed twice"),
                            )
                            .with_label("listed again"),
                        );
                    } else {
                        cores.push(n as u32);
                    }
                }
                ExprKind::Error => {}
                _ => self.error(
                    Diagnostic::error(
                        codes::INVALID_PARTITION_PLAN,
                        arg.span,
                        "a core is a number from 0 to 4095, written out",
                    )
                    .with_label("not a core number")
                    .with_note(
                        "the plan is read before the program runs, so its values are literals",
                    ),
                ),
            }
        }
        Some(cores)
    }

    /// Two partitions, or a partition and the system cores, that name the
    /// same core.
    fn check_overlaps(&mut self, plan: &PartitionPlan) {
        let mut taken: Vec<(u32, &PartitionDecl)> = Vec::new();
        for partition in &plan.partitions {
            let Some(cores) = &partition.cores else {
                continue;
            };
            if cores.is_empty() && plan.partitions.len() == 1 {
                continue;
            }
            for &core in cores {
                if plan.system_cores.contains(&core) {
                    self.error(
                        Diagnostic::error(
                            codes::INVALID_PARTITION_PLAN,
                            partition.span,
                            format!(
                                "the partition `{}` takes core {core}, which the plan leaves to the system",
                                partition.name
                            ),
                        )
                        .with_label(format!("takes core {core}"))
                        .with_help("take it out of `system_cores` or out of the partition"),
                    );
                } else if let Some((_, other)) = taken.iter().find(|(c, _)| *c == core) {
                    self.error(
                        Diagnostic::error(
                            codes::INVALID_PARTITION_PLAN,
                            partition.span,
                            format!(
                                "the partitions `{}` and `{}` both take core {core}",
                                other.name, partition.name
                            ),
                        )
                        .with_label(format!("takes core {core} too"))
                        .with_secondary(other.span, format!("`{}` takes it first", other.name))
                        .with_help("each core belongs to one partition; to share cores on a small machine, write `partition_plan { fallback: shrink, }`"),
                    );
                } else {
                    taken.push((core, partition));
                }
            }
        }
    }
}

/// The lowest core no partition declared so far takes, nor the system.
fn first_free_core(plan: &PartitionPlan) -> u32 {
    (0..)
        .find(|core| {
            !plan.system_cores.contains(core)
                && !plan
                    .partitions
                    .iter()
                    .any(|p| p.cores.as_ref().is_some_and(|c| c.contains(core)))
        })
        .unwrap_or(0)
}

/// The first partition with `policy` in `plan`, for fixes that name one.
pub(crate) fn partition_with_policy<'p>(
    plan: &'p PartitionPlan,
    policy: &str,
) -> Option<&'p PartitionDecl> {
    plan.partitions.iter().find(|p| p.policy.name() == policy)
}
