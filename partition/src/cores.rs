//! Sets of CPU core numbers, written the way Linux writes them (`0-3,6`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A set of CPU core numbers, kept sorted.
///
/// It reads and prints the kernel's list format (`0-3,6`), the one in
/// `/sys/devices/system/cpu/online`, `cpuset.cpus.effective` and
/// `Cpus_allowed_list`, so errors can quote exactly what the machine says.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct CoreSet(BTreeSet<usize>);

impl CoreSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `core` is in the set.
    pub fn contains(&self, core: usize) -> bool {
        self.0.contains(&core)
    }

    /// Adds `core`; returns false if it was already there.
    pub fn insert(&mut self, core: usize) -> bool {
        self.0.insert(core)
    }

    /// How many cores the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set holds no core.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The cores in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().copied()
    }

    /// The cores in both sets.
    pub fn intersection(&self, other: &CoreSet) -> CoreSet {
        CoreSet(self.0.intersection(&other.0).copied().collect())
    }

    /// The cores of `self` that are not in `other`.
    pub fn difference(&self, other: &CoreSet) -> CoreSet {
        CoreSet(self.0.difference(&other.0).copied().collect())
    }

    /// The cores in either set.
    pub fn union_with(&self, other: &CoreSet) -> CoreSet {
        CoreSet(self.0.union(&other.0).copied().collect())
    }

    /// The cores as a sorted vector.
    pub fn to_vec(&self) -> Vec<usize> {
        self.0.iter().copied().collect()
    }
}

impl FromIterator<usize> for CoreSet {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        CoreSet(iter.into_iter().collect())
    }
}

impl<const N: usize> From<[usize; N]> for CoreSet {
    fn from(cores: [usize; N]) -> Self {
        cores.into_iter().collect()
    }
}

impl From<std::ops::RangeInclusive<usize>> for CoreSet {
    fn from(cores: std::ops::RangeInclusive<usize>) -> Self {
        cores.collect()
    }
}

impl From<std::ops::Range<usize>> for CoreSet {
    fn from(cores: std::ops::Range<usize>) -> Self {
        cores.collect()
    }
}

impl From<Vec<usize>> for CoreSet {
    fn from(cores: Vec<usize>) -> Self {
        cores.into_iter().collect()
    }
}

/// Why a core list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreListError {
    /// The piece of the list that is wrong.
    pub piece: String,
}

impl fmt::Display for CoreListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a core number or range; write cores like `0-3,6`",
            self.piece
        )
    }
}

impl std::error::Error for CoreListError {}

impl FromStr for CoreSet {
    type Err = CoreListError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut set = CoreSet::new();
        for piece in text.trim().split(',').map(str::trim) {
            if piece.is_empty() {
                // The kernel writes an empty list for an empty set.
                continue;
            }
            let wrong = || CoreListError {
                piece: piece.to_string(),
            };
            let number = |s: &str| s.trim().parse::<usize>().map_err(|_| wrong());
            match piece.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (number(first)?, number(last)?);
                    if first > last {
                        return Err(wrong());
                    }
                    set.0.extend(first..=last);
                }
                None => {
                    set.insert(number(piece)?);
                }
            }
        }
        Ok(set)
    }
}

impl fmt::Display for CoreSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut cores = self.iter().peekable();
        let mut first = true;
        while let Some(start) = cores.next() {
            let mut end = start;
            while cores.peek() == Some(&(end + 1)) {
                end += 1;
                cores.next();
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if start == end {
                write!(f, "{start}")?;
            } else {
                write!(f, "{start}-{end}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for CoreSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CoreSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_the_kernel_format() {
        let set: CoreSet = "0-3, 6,8-9".parse().expect("a list");
        assert_eq!(set.to_vec(), vec![0, 1, 2, 3, 6, 8, 9]);
        assert_eq!(set.to_string(), "0-3,6,8-9");
        assert_eq!(
            "".parse::<CoreSet>().expect("empty list").to_string(),
            "none"
        );
    }

    #[test]
    fn rejects_what_is_not_a_list() {
        assert_eq!(
            "1-x".parse::<CoreSet>().expect_err("not a list").piece,
            "1-x"
        );
        assert_eq!(
            "3-1".parse::<CoreSet>().expect_err("not a list").piece,
            "3-1"
        );
    }
}
