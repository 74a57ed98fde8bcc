//! Work on partitions, lowered to the partition runtime's `program`
//! module: the plan as a constant each module that sends work carries
//! (`__PARTITION_PLAN`), `spawn_on`, `run_every_cycle`, `mailbox_on`,
//! `partition_metrics()`, and the guard that lets `main` finish the
//! runtime's work before the program ends.

use super::expr::{atom, Lowered, Prec, Want};
use super::order::Closure;
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, PartitionId, PartitionPlan, PartitionPolicy};
use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::quote;

/// `const __PARTITION_PLAN: ProgramPlan = …;` for a module that uses it.
pub(super) fn plan_constant(plan: &PartitionPlan) -> TokenStream {
    let partitions = plan.partitions.iter().map(|p| {
        let name = Literal::string(&p.name);
        let cores = match &p.cores {
            Some(cores) => {
                let cores = cores.iter().map(|&c| Literal::usize_unsuffixed(c as usize));
                quote!(Some(&[#(#cores),*]))
            }
            None => quote!(None),
        };
        let policy = match p.policy {
            PartitionPolicy::Api => quote!(::partition::program::ProgramPolicy::Api),
            PartitionPolicy::Messaging { batch } => {
                let batch = Literal::usize_unsuffixed(batch as usize);
                quote!(::partition::program::ProgramPolicy::Messaging(#batch))
            }
            PartitionPolicy::Frame { cycle_ms } => {
                let cycle = Literal::u64_unsuffixed(u64::from(cycle_ms));
                quote!(::partition::program::ProgramPolicy::Frame(#cycle))
            }
            PartitionPolicy::Batch => quote!(::partition::program::ProgramPolicy::Batch),
        };
        let priority = match p.realtime_priority {
            Some(priority) => {
                let priority = Literal::u8_unsuffixed(priority);
                quote!(Some(#priority))
            }
            None => quote!(None),
        };
        quote! {
            ::partition::program::ProgramPartition {
                name: #name,
                cores: #cores,
                policy: #policy,
                realtime_priority: #priority,
            }
        }
    });
    let system = plan
        .system_cores
        .iter()
        .map(|&c| Literal::usize_unsuffixed(c as usize));
    let shrink = plan.shrink;
    quote! {
        /// The program's partition plan: the runtime starts from it when work is first sent to a partition.
        const __PARTITION_PLAN: ::partition::program::ProgramPlan = ::partition::program::ProgramPlan {
            partitions: &[#(#partitions),*],
            system_cores: &[#(#system),*],
            shrink: #shrink,
        };
    }
}

/// `{ let _partitions = main_guard(); … }`: `main`'s body, holding the
/// guard that shuts the runtime down when `main` returns.
pub(super) fn with_main_guard(body: TokenStream) -> TokenStream {
    let mut trees = body.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(TokenTree::Group(group)), None) if group.delimiter() == Delimiter::Brace => {
            let inner = group.stream();
            quote!({
                let _partitions = ::partition::program::main_guard();
                #inner
            })
        }
        _ => body,
    }
}

impl Lowerer<'_> {
    fn partition_name(&mut self, id: PartitionId) -> Literal {
        self.uses.partition_plan = true;
        Literal::string(&self.program.partitions.partitions[id].name)
    }

    /// `spawn_on NAME { … }`: the block as a closure run on the partition;
    /// `clones` are the shared values the block takes its own `Arc` of.
    pub(super) fn spawn_on(
        &mut self,
        id: PartitionId,
        clones: Vec<TokenStream>,
        block: TokenStream,
    ) -> Lowered {
        let name = self.partition_name(id);
        let spawn = quote!(::partition::program::spawn(&__PARTITION_PLAN, #name, move || #block));
        if clones.is_empty() {
            atom(spawn)
        } else {
            Lowered {
                tokens: quote!({ #(#clones)* #spawn }),
                prec: Prec::Range,
            }
        }
    }

    /// `run_every_cycle(NAME, function, budget_ms)`: the slot is named
    /// after the function, so a deadline miss names it.
    pub(super) fn run_every_cycle(&mut self, id: PartitionId, args: &[Expr]) -> Lowered {
        let name = self.partition_name(id);
        let slot = Literal::string(&self.function_argument_name(&args[0]));
        let work = self.function_argument(&args[0], Closure::Owned);
        let budget = self.expr(&args[1], Want::Owned).tokens;
        atom(quote!(::partition::program::run_every_cycle(
            &__PARTITION_PLAN,
            #name,
            #slot,
            #budget,
            #work
        )))
    }

    /// `mailbox_on(NAME, handler)`: the consumer is named after the handler.
    pub(super) fn mailbox_on(&mut self, id: PartitionId, args: &[Expr]) -> Lowered {
        let name = self.partition_name(id);
        let handler_name = Literal::string(&self.function_argument_name(&args[0]));
        let handler = self.function_argument(&args[0], Closure::Owned);
        atom(quote!(::partition::program::mailbox_on(
            &__PARTITION_PLAN,
            #name,
            #handler_name,
            #handler
        )))
    }

    /// `partition_metrics()`
    pub(super) fn partition_metrics(&mut self) -> Lowered {
        self.uses.partition_plan = true;
        atom(quote!(::partition::program::metrics(&__PARTITION_PLAN)))
    }

    /// The name of the function a function argument calls.
    fn function_argument_name(&self, argument: &Expr) -> String {
        let function = match &argument.kind {
            K::FunctionArgument { call, .. } => match &call.kind {
                K::Call { function, .. } | K::MethodCall { function, .. } => Some(*function),
                _ => None,
            },
            _ => None,
        };
        function.map_or_else(String::new, |f| self.program.functions[f].name.to_string())
    }
}
