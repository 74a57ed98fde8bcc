//! Core lists as `taskset` writes them (`1`, `0,2`, `2-3`), and pinning the
//! load generator to one.

use anyhow::{bail, Context, Result};

/// The cores a list names, in order.
pub fn parse(list: &str) -> Result<Vec<usize>> {
    let mut cores = Vec::new();
    for part in list.split(',').map(str::trim) {
        let number = |text: &str| {
            text.trim()
                .parse::<usize>()
                .with_context(|| format!("{text:?} in the core list {list:?} is not a core number"))
        };
        match part.split_once('-') {
            Some((low, high)) => {
                let (low, high) = (number(low)?, number(high)?);
                if high < low {
                    bail!("{part:?} in the core list {list:?} runs backwards");
                }
                cores.extend(low..=high);
            }
            None => cores.push(number(part)?),
        }
    }
    Ok(cores)
}

/// Pins the calling thread (the load generator's only one) to `cores`.
pub fn pin_current_thread(cores: &[usize]) -> Result<()> {
    let mut set = nix::sched::CpuSet::new();
    for &core in cores {
        set.set(core)
            .with_context(|| format!("core {core} is beyond what this system can name"))?;
    }
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
        .with_context(|| format!("cannot pin the load generator to cores {cores:?}"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn core_lists_are_read_as_taskset_writes_them() {
        assert_eq!(parse("1").ok(), Some(vec![1]));
        assert_eq!(parse("0,2").ok(), Some(vec![0, 2]));
        assert_eq!(parse("2-4").ok(), Some(vec![2, 3, 4]));
        assert_eq!(parse("0, 2-3").ok(), Some(vec![0, 2, 3]));
        assert!(parse("3-1").is_err());
        assert!(parse("a").is_err());
    }
}
