//! What cores this process may run on, as the kernel sees it.

use std::fmt;
use std::io;
use std::path::Path;

use crate::cores::CoreSet;

/// The cores a plan can use: those online, those the process's affinity
/// mask allows (`sched_getaffinity`), and those its cgroup's cpuset allows
/// (`cpuset.cpus.effective`).
///
/// Build it with [`Machine::detect`] on the real machine, or with
/// [`Machine::new`] from explicit values so that validation can be tested
/// the same way on any machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    online: CoreSet,
    affinity: CoreSet,
    cgroup: Option<CoreSet>,
}

impl Machine {
    /// A machine with these online cores and this affinity mask, and no
    /// cgroup cpuset.
    pub fn new(online: impl Into<CoreSet>, affinity: impl Into<CoreSet>) -> Self {
        Self {
            online: online.into(),
            affinity: affinity.into(),
            cgroup: None,
        }
    }

    /// The same machine with a cgroup cpuset (`cpuset.cpus.effective`).
    pub fn with_cgroup_cpuset(mut self, cpuset: impl Into<CoreSet>) -> Self {
        self.cgroup = Some(cpuset.into());
        self
    }

    /// Reads this process's machine: `/sys/devices/system/cpu/online`,
    /// `sched_getaffinity`, and the cgroup v2 `cpuset.cpus.effective` of
    /// the process's cgroup where the file exists.
    pub fn detect() -> io::Result<Self> {
        let affinity = current_affinity()?;
        let online = match std::fs::read_to_string("/sys/devices/system/cpu/online") {
            Ok(text) => text
                .parse()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
            // Without sysfs the affinity mask is the best knowledge there is.
            Err(_) => affinity.clone(),
        };
        Ok(Self {
            online,
            affinity,
            cgroup: cgroup_cpuset(),
        })
    }

    /// The cores that exist and are online.
    pub fn online(&self) -> &CoreSet {
        &self.online
    }

    /// The cores the process's affinity mask allows.
    pub fn affinity(&self) -> &CoreSet {
        &self.affinity
    }

    /// The cores the process's cgroup allows, if the machine has a cpuset.
    pub fn cgroup_cpuset(&self) -> Option<&CoreSet> {
        self.cgroup.as_ref()
    }

    /// The cores a partition may use: online, in the affinity mask and in
    /// the cgroup cpuset.
    pub fn usable(&self) -> CoreSet {
        let allowed = self.online.intersection(&self.affinity);
        match &self.cgroup {
            Some(cpuset) => allowed.intersection(cpuset),
            None => allowed,
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "online cores {}, affinity mask {}",
            self.online, self.affinity
        )?;
        if let Some(cpuset) = &self.cgroup {
            write!(f, ", cgroup cpuset {cpuset}")?;
        }
        write!(f, ": usable {}", self.usable())
    }
}

/// The calling thread's affinity mask.
pub(crate) fn current_affinity() -> io::Result<CoreSet> {
    let mask = nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0))?;
    Ok((0..nix::sched::CpuSet::count())
        .filter(|&core| mask.is_set(core).unwrap_or(false))
        .collect())
}

/// Pins the calling thread to `cores` (for threads outside the runtime,
/// such as a program's main thread kept on the system cores).
pub fn pin_current_thread(cores: &CoreSet) -> io::Result<()> {
    let mut mask = nix::sched::CpuSet::new();
    for core in cores.iter() {
        mask.set(core)?;
    }
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &mask)?;
    Ok(())
}

/// The cgroup v2 cpuset of this process, where the kernel exposes one.
fn cgroup_cpuset() -> Option<CoreSet> {
    let cgroups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // cgroup v2 has the single line `0::/path`.
    let path = cgroups.lines().find_map(|line| line.strip_prefix("0::"))?;
    let mut dir = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    // A cgroup without the cpuset controller inherits its parent's cpuset.
    loop {
        if let Ok(text) = std::fs::read_to_string(dir.join("cpuset.cpus.effective")) {
            if let Ok(set) = text.parse::<CoreSet>() {
                if !set.is_empty() {
                    return Some(set);
                }
            }
        }
        if dir == Path::new("/sys/fs/cgroup") || !dir.pop() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_cores_are_allowed_by_every_source() {
        let machine = Machine::new(0..8, [0, 1, 2, 3, 7]).with_cgroup_cpuset(2..=7);
        assert_eq!(machine.usable().to_string(), "2-3,7");
        assert_eq!(
            machine.to_string(),
            "online cores 0-7, affinity mask 0-3,7, cgroup cpuset 2-7: usable 2-3,7"
        );
    }

    #[test]
    fn detects_this_machine() {
        let machine = Machine::detect().expect("the machine can be read");
        assert!(!machine.usable().is_empty(), "{machine}");
    }
}
