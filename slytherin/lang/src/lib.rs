//! Slytherin's part of the Parseltongue language, at compile time: the
//! `topic` block kind, its checks (codes PT1000-1999) and its lowering onto
//! the run-time crate `slytherin-runtime`. `plc`, the language server and
//! `slytherin!{}` take it as [`extension`]; a built program never links
//! this crate.
//!
//! A `topic NAME { message: Record, … }` block gives ordinary code the
//! types `NameProducer`/`NameConsumer` and the functions
//! `connect_NAME_producer`, `send_NAME`, `send_all_NAME`,
//! `connect_NAME_consumer`, `receive_NAME` and `commit_NAME`, checked at
//! every call as written functions are.

mod blocks;
mod codes;
mod kinds;
mod lower;
mod pipeline;
mod topic;

use std::sync::Arc;

use parseltongue_core::diagnostics::codes::CodeInfo;
use parseltongue_core::extension::{
    BlockKind, BlockRef, Declarations, Extension, ExtensionCx, ExtensionIr, LowerCx, Lowered,
};
use parseltongue_core::ir::TypeId;
use proc_macro2::TokenStream;

pub use codes::ALL as CODES;

/// The blocks of one kind.
fn of_kind<'a>(blocks: &[BlockRef<'a>], keyword: &str) -> Vec<BlockRef<'a>> {
    blocks
        .iter()
        .filter(|b| b.keyword() == keyword)
        .copied()
        .collect()
}

/// The Slytherin extension.
pub struct Slytherin;

/// The Slytherin extension, as registries take it.
pub fn extension() -> Arc<dyn Extension> {
    Arc::new(Slytherin)
}

/// What the check hands the lowering.
struct Checked {
    topics: Vec<topic::Topic>,
    pipelines: Vec<pipeline::Pipeline>,
    /// Every record and enum a message holds: they derive the encoding.
    encoded: Vec<TypeId>,
}

impl Extension for Slytherin {
    fn name(&self) -> &'static str {
        "slytherin"
    }

    fn block_kinds(&self) -> &'static [BlockKind] {
        kinds::ALL
    }

    fn codes(&self) -> &'static [CodeInfo] {
        codes::ALL
    }

    fn declare(&self, blocks: &[BlockRef<'_>], declarations: &mut Declarations) {
        topic::declare(&of_kind(blocks, kinds::TOPIC.keyword), declarations);
        pipeline::declare(&of_kind(blocks, kinds::PIPELINE.keyword), declarations);
    }

    fn check(&self, blocks: &[BlockRef<'_>], cx: &mut ExtensionCx<'_, '_>) -> Option<ExtensionIr> {
        let topics = topic::check(&of_kind(blocks, kinds::TOPIC.keyword), cx)?;
        let pipelines = pipeline::check(&of_kind(blocks, kinds::PIPELINE.keyword), &topics, cx)?;
        let mut encoded = Vec::new();
        for topic in &topics {
            topic::encoded_types(cx.program(), topic.message, &mut encoded);
        }
        Some(Arc::new(Checked {
            topics,
            pipelines,
            encoded,
        }))
    }

    fn lower(&self, ir: &ExtensionIr, cx: &mut LowerCx<'_, '_>) -> Lowered {
        let Some(checked) = ir.downcast_ref::<Checked>() else {
            return Lowered::default();
        };
        let mut lowered = lower::topics(&checked.topics, cx);
        let pipelines = lower::pipelines(&checked.pipelines, &checked.topics, cx);
        lowered.items.extend(pipelines.items);
        lowered.dependencies.extend(pipelines.dependencies);
        lowered
    }

    fn type_attributes(&self, ir: &ExtensionIr, ty: TypeId) -> TokenStream {
        match ir.downcast_ref::<Checked>() {
            Some(checked) if checked.encoded.contains(&ty) => lower::encoding_derives(),
            _ => TokenStream::new(),
        }
    }
}
