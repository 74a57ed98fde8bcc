//! Holding a plan against a machine, and the `shrink` fallback.

use std::collections::HashSet;
use std::time::Duration;

use super::{Fallback, Plan, PlanError, Policy};
use crate::cores::CoreSet;
use crate::machine::Machine;

/// A partition that fits the machine.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidatedPartition {
    name: String,
    cores: Vec<usize>,
    policy: Policy,
    realtime_priority: Option<u8>,
    shares_cores: bool,
}

impl ValidatedPartition {
    /// The partition's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cores its threads are pinned to, one thread each, ascending.
    pub fn cores(&self) -> &[usize] {
        &self.cores
    }

    /// Its scheduler policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Its `SCHED_FIFO` priority, if it runs real-time.
    pub fn realtime_priority(&self) -> Option<u8> {
        self.realtime_priority
    }

    /// Whether `shrink` made it share a core with another partition.
    pub fn shares_cores(&self) -> bool {
        self.shares_cores
    }
}

/// A plan that fits its machine, ready for [`Runtime::start`](crate::Runtime::start).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidatedPlan {
    partitions: Vec<ValidatedPartition>,
    warnings: Vec<String>,
}

impl ValidatedPlan {
    /// The partitions, in declaration order.
    pub fn partitions(&self) -> &[ValidatedPartition] {
        &self.partitions
    }

    /// The partition of this name.
    pub fn partition(&self, name: &str) -> Option<&ValidatedPartition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    /// What the `shrink` fallback changed, one sentence each; empty when the
    /// plan fit as written. The runtime prints them when it starts.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

pub(super) fn validate(plan: &Plan, machine: &Machine) -> Result<ValidatedPlan, PlanError> {
    let usable = machine.usable();
    if usable.is_empty() {
        return Err(PlanError::NoUsableCores {
            machine: machine.to_string(),
        });
    }
    if plan.partitions.is_empty() {
        return Err(PlanError::NoPartitions { usable });
    }
    check_names_and_options(plan)?;
    check_claims(plan, &usable)?;

    let mut warnings = Vec::new();
    let mut kept: Vec<CoreSet> = Vec::new();
    for spec in &plan.partitions {
        let missing = spec.cores.difference(&usable);
        if !missing.is_empty() && plan.fallback == Fallback::Fail {
            return Err(missing_cores_error(spec, &missing, machine));
        }
        kept.push(spec.cores.intersection(&usable));
    }

    // Shrink: a partition left with no usable core of its own takes a free
    // one, or else shares one with another partition, round-robin, so that
    // every partition still has a thread and the load spreads.
    let mut claimed: CoreSet = kept.iter().flat_map(CoreSet::iter).collect();
    claimed = claimed.union_with(&plan.system);
    let mut spare = usable.difference(&claimed);
    let shareable: Vec<usize> = {
        let beyond_system = usable.difference(&plan.system);
        if beyond_system.is_empty() {
            usable.to_vec()
        } else {
            beyond_system.to_vec()
        }
    };
    let mut next_shared = 0;
    let mut partitions = Vec::new();
    for (spec, kept) in plan.partitions.iter().zip(&kept) {
        let mut cores = kept.clone();
        if cores.is_empty() {
            let first_spare = spare.iter().next();
            let core = match first_spare {
                Some(core) => {
                    spare = spare.difference(&CoreSet::from([core]));
                    core
                }
                None => {
                    let core = shareable[next_shared % shareable.len()];
                    next_shared += 1;
                    core
                }
            };
            cores.insert(core);
        }
        if cores != spec.cores {
            warnings.push(format!(
                "partition `{}` asked for cores {} but this process may use only {}: \
                 fallback `shrink` runs it on {} {}",
                spec.name,
                spec.cores,
                usable,
                if cores.len() == 1 { "core" } else { "cores" },
                cores,
            ));
        }
        partitions.push(ValidatedPartition {
            name: spec.name.clone(),
            cores: cores.to_vec(),
            policy: spec.policy,
            realtime_priority: spec.realtime_priority,
            shares_cores: false,
        });
    }
    note_sharing(&partitions, &plan.system, &mut warnings);
    let all = partitions.clone();
    for (index, partition) in partitions.iter_mut().enumerate() {
        partition.shares_cores = all.iter().enumerate().any(|(other, p)| {
            other != index && p.cores.iter().any(|core| partition.cores.contains(core))
        });
    }
    Ok(ValidatedPlan {
        partitions,
        warnings,
    })
}

fn check_names_and_options(plan: &Plan) -> Result<(), PlanError> {
    let mut names = HashSet::new();
    for spec in &plan.partitions {
        if !names.insert(spec.name.as_str()) {
            return Err(PlanError::DuplicateName {
                partition: spec.name.clone(),
                location: spec.location.clone().map(Box::new),
            });
        }
        let invalid = |message: String| PlanError::InvalidOption {
            partition: spec.name.clone(),
            message,
            location: spec.location.clone().map(Box::new),
        };
        match spec.policy {
            Policy::Frame { cycle } if cycle < Duration::from_micros(10) => {
                return Err(invalid(format!(
                    "a frame cycle of {cycle:?} is too short; use 10us or more"
                )));
            }
            Policy::Messaging { batch_budget: 0 } => {
                return Err(invalid("the batch budget must be at least 1".to_string()));
            }
            _ => {}
        }
        match (spec.realtime_priority, spec.policy) {
            (Some(0 | 100..), _) => {
                return Err(invalid("a real-time priority is 1 to 99".to_string()));
            }
            (Some(_), Policy::Batch) => {
                return Err(invalid(
                    "a `batch` partition yields to the others; it cannot be real-time".to_string(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Empty partitions, overlaps and system cores are plan mistakes that no
/// fallback repairs.
fn check_claims(plan: &Plan, usable: &CoreSet) -> Result<(), PlanError> {
    let all_claimed: CoreSet = plan
        .partitions
        .iter()
        .flat_map(|p| p.cores.iter())
        .chain(plan.system.iter())
        .collect();
    let free = usable.difference(&all_claimed);
    for (index, spec) in plan.partitions.iter().enumerate() {
        if spec.cores.is_empty() {
            return Err(PlanError::EmptyPartition {
                partition: spec.name.clone(),
                free,
                location: spec.location.clone().map(Box::new),
            });
        }
        let system = spec.cores.intersection(&plan.system);
        if !system.is_empty() {
            return Err(PlanError::SystemCoresTaken {
                partition: spec.name.clone(),
                cores: system,
                free,
                location: spec.location.clone().map(Box::new),
            });
        }
        for earlier in &plan.partitions[..index] {
            let both = spec.cores.intersection(&earlier.cores);
            if !both.is_empty() {
                return Err(PlanError::Overlap {
                    first: earlier.name.clone(),
                    second: spec.name.clone(),
                    cores: both,
                    free,
                    location: spec.location.clone().map(Box::new),
                });
            }
        }
    }
    Ok(())
}

fn missing_cores_error(
    spec: &super::PartitionSpec,
    missing: &CoreSet,
    machine: &Machine,
) -> PlanError {
    let offline = missing.difference(machine.online());
    if !offline.is_empty() {
        return PlanError::CoresNotOnline {
            partition: spec.name.clone(),
            missing: offline,
            online: machine.online().clone(),
            location: spec.location.clone().map(Box::new),
        };
    }
    let by_affinity = !missing.difference(machine.affinity()).is_empty();
    let by_cgroup = machine
        .cgroup_cpuset()
        .is_some_and(|cpuset| !missing.difference(cpuset).is_empty());
    let forbidden_by = match (by_affinity, by_cgroup) {
        (true, true) => "not in its affinity mask nor in its cgroup's cpuset.cpus.effective",
        (false, true) => "not in its cgroup's cpuset.cpus.effective",
        _ => "not in its affinity mask (sched_getaffinity)",
    };
    PlanError::CoresNotAllowed {
        partition: spec.name.clone(),
        forbidden: missing.clone(),
        forbidden_by,
        usable: machine.usable(),
        location: spec.location.clone().map(Box::new),
    }
}

fn note_sharing(partitions: &[ValidatedPartition], system: &CoreSet, warnings: &mut Vec<String>) {
    for (index, partition) in partitions.iter().enumerate() {
        for &core in &partition.cores {
            let others: Vec<&str> = partitions[..index]
                .iter()
                .filter(|p| p.cores.contains(&core))
                .map(|p| p.name.as_str())
                .collect();
            if !others.is_empty() {
                warnings.push(format!(
                    "core {core} is shared by partitions `{}` and `{}`: they no longer isolate \
                     each other",
                    others.join("`, `"),
                    partition.name
                ));
            }
            if system.contains(core) {
                warnings.push(format!(
                    "partition `{}` runs on core {core}, which the plan leaves to the system",
                    partition.name
                ));
            }
        }
    }
}
