//! Why a plan cannot run, said with what the machine has instead.

use std::fmt;

use crate::cores::CoreSet;

/// Where in a TOML plan something was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, when the plan came from one.
    pub file: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub(crate) fn of_offset(text: &str, offset: usize, file: Option<&str>) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            file: file.map(str::to_string),
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a plan was refused. Each message names what is available instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The plan file could not be read.
    Unreadable {
        /// The file.
        path: String,
        /// What the operating system said.
        message: String,
    },
    /// The TOML text is malformed or does not describe a plan.
    Toml {
        /// Where the problem is.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The plan has no partition.
    NoPartitions {
        /// The cores a partition could use.
        usable: CoreSet,
    },
    /// A partition asks for no core.
    EmptyPartition {
        /// The partition.
        partition: String,
        /// The cores no other partition or the system has taken.
        free: CoreSet,
        /// Where it was declared.
        location: Option<Box<Location>>,
    },
    /// Two partitions have the same name.
    DuplicateName {
        /// The name.
        partition: String,
        /// Where the second one was declared.
        location: Option<Box<Location>>,
    },
    /// A partition asks for cores the machine does not have online.
    CoresNotOnline {
        /// The partition.
        partition: String,
        /// The cores that do not exist.
        missing: CoreSet,
        /// The cores that do.
        online: CoreSet,
        /// Where it was declared.
        location: Option<Box<Location>>,
    },
    /// A partition asks for cores this process may not run on.
    CoresNotAllowed {
        /// The partition.
        partition: String,
        /// The cores it may not have.
        forbidden: CoreSet,
        /// What forbids them: the affinity mask, the cgroup cpuset or both.
        forbidden_by: &'static str,
        /// The cores it could have.
        usable: CoreSet,
        /// Where it was declared.
        location: Option<Box<Location>>,
    },
    /// Two partitions claim the same cores.
    Overlap {
        /// The partition declared first.
        first: String,
        /// The partition declared second.
        second: String,
        /// The cores both claim.
        cores: CoreSet,
        /// The usable cores nobody has claimed.
        free: CoreSet,
        /// Where the second was declared.
        location: Option<Box<Location>>,
    },
    /// A partition claims cores left to the operating system.
    SystemCoresTaken {
        /// The partition.
        partition: String,
        /// The system cores it claims.
        cores: CoreSet,
        /// The usable cores nobody has claimed.
        free: CoreSet,
        /// Where it was declared.
        location: Option<Box<Location>>,
    },
    /// A policy option is out of range.
    InvalidOption {
        /// The partition.
        partition: String,
        /// What is wrong and what would be right.
        message: String,
        /// Where it was declared.
        location: Option<Box<Location>>,
    },
    /// The process may not run on any core (nothing to shrink onto).
    NoUsableCores {
        /// What the machine reported.
        machine: String,
    },
}

impl PlanError {
    /// Where in the TOML plan the error is, if the plan came from TOML.
    pub fn location(&self) -> Option<&Location> {
        match self {
            PlanError::Toml { location, .. } => Some(location),
            PlanError::EmptyPartition { location, .. }
            | PlanError::DuplicateName { location, .. }
            | PlanError::CoresNotOnline { location, .. }
            | PlanError::CoresNotAllowed { location, .. }
            | PlanError::Overlap { location, .. }
            | PlanError::SystemCoresTaken { location, .. }
            | PlanError::InvalidOption { location, .. } => location.as_deref(),
            PlanError::Unreadable { .. }
            | PlanError::NoPartitions { .. }
            | PlanError::NoUsableCores { .. } => None,
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        match self {
            PlanError::Unreadable { path, message } => {
                write!(f, "cannot read the plan {path}: {message}")
            }
            PlanError::Toml { message, .. } => write!(f, "{message}"),
            PlanError::NoPartitions { usable } => write!(
                f,
                "the plan has no partition; declare one on the usable cores {usable}"
            ),
            PlanError::EmptyPartition {
                partition, free, ..
            } => write!(
                f,
                "partition `{partition}` has no core; free usable cores: {free}"
            ),
            PlanError::DuplicateName { partition, .. } => write!(
                f,
                "partition `{partition}` is declared twice; give each partition its own name"
            ),
            PlanError::CoresNotOnline {
                partition,
                missing,
                online,
                ..
            } => write!(
                f,
                "partition `{partition}` asks for cores {missing}, which this machine does not have \
                 (online cores: {online}); use fallback `shrink` to run on fewer cores"
            ),
            PlanError::CoresNotAllowed {
                partition,
                forbidden,
                forbidden_by,
                usable,
                ..
            } => write!(
                f,
                "partition `{partition}` asks for cores {forbidden}, which this process may not use \
                 ({forbidden_by}); usable cores: {usable}"
            ),
            PlanError::Overlap {
                first,
                second,
                cores,
                free,
                ..
            } => write!(
                f,
                "partitions `{first}` and `{second}` both claim cores {cores}; a core belongs to \
                 one partition (free usable cores: {free})"
            ),
            PlanError::SystemCoresTaken {
                partition,
                cores,
                free,
                ..
            } => write!(
                f,
                "partition `{partition}` claims cores {cores}, which the plan leaves to the system \
                 (free usable cores: {free})"
            ),
            PlanError::InvalidOption {
                partition, message, ..
            } => write!(f, "partition `{partition}`: {message}"),
            PlanError::NoUsableCores { machine } => {
                write!(f, "this process may not run on any core ({machine})")
            }
        }
    }
}

impl std::error::Error for PlanError {}
