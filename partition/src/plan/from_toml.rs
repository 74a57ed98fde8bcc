//! Plans written in TOML, with line and column on every error.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::{Fallback, Location, PartitionSpec, Plan, PlanError, Policy};
use crate::cores::CoreSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default)]
    fallback: Option<RawFallback>,
    #[serde(default)]
    system: Option<RawCores>,
    #[serde(default)]
    partition: Vec<RawPartition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawFallback {
    Fail,
    Shrink,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawPolicy {
    Api,
    Messaging,
    Frame,
    Batch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartition {
    name: String,
    cores: Spanned<RawCores>,
    policy: RawPolicy,
    cycle: Option<Spanned<RawDuration>>,
    batch: Option<Spanned<usize>>,
    realtime_priority: Option<Spanned<i64>>,
}

struct RawCores(CoreSet);

impl<'de> Deserialize<'de> for RawCores {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CoresVisitor).map(RawCores)
    }
}

struct CoresVisitor;

impl<'de> Visitor<'de> for CoresVisitor {
    type Value = CoreSet;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cores as a list like \"1-3,6\", an array like [1, 2, 3], or one number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<CoreSet, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, core: i64) -> Result<CoreSet, E> {
        let core =
            usize::try_from(core).map_err(|_| E::custom(format!("{core} is not a core number")))?;
        Ok(CoreSet::from([core]))
    }

    fn visit_u64<E: de::Error>(self, core: u64) -> Result<CoreSet, E> {
        let core =
            usize::try_from(core).map_err(|_| E::custom(format!("{core} is not a core number")))?;
        Ok(CoreSet::from([core]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CoreSet, A::Error> {
        let mut cores = CoreSet::new();
        while let Some(core) = seq.next_element::<usize>()? {
            cores.insert(core);
        }
        Ok(cores)
    }
}

struct RawDuration(Duration);

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_duration(&text)
            .map(RawDuration)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "`{text}` is not a duration; write a number with a unit: ns, us, ms or s (\"16ms\")"
                ))
            })
    }
}

/// `"16ms"`, `"1.5ms"`, `"500us"`, `"2s"`, `"16667ns"`.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    let seconds_per_unit = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(number * seconds_per_unit).ok()
}

pub(super) fn parse(text: &str, file: Option<String>) -> Result<Plan, PlanError> {
    let at = |offset: usize| Location::of_offset(text, offset, file.as_deref());
    let raw: RawPlan = toml::from_str(text).map_err(|error| PlanError::Toml {
        location: at(error.span().map_or(0, |span| span.start)),
        message: error.message().trim().to_string(),
    })?;
    let mut plan = Plan {
        fallback: match raw.fallback {
            Some(RawFallback::Shrink) => Fallback::Shrink,
            Some(RawFallback::Fail) | None => Fallback::Fail,
        },
        system: raw.system.map(|cores| cores.0).unwrap_or_default(),
        partitions: Vec::new(),
    };
    for raw in raw.partition {
        let option_error = |offset: usize, message: String| PlanError::Toml {
            location: at(offset),
            message: format!("partition `{}`: {message}", raw.name),
        };
        if let (Some(cycle), false) = (&raw.cycle, matches!(raw.policy, RawPolicy::Frame)) {
            return Err(option_error(
                cycle.span().start,
                "`cycle` is an option of the `frame` policy only".to_string(),
            ));
        }
        if let (Some(batch), false) = (&raw.batch, matches!(raw.policy, RawPolicy::Messaging)) {
            return Err(option_error(
                batch.span().start,
                "`batch` is an option of the `messaging` policy only".to_string(),
            ));
        }
        let policy = match raw.policy {
            RawPolicy::Api => Policy::Api,
            RawPolicy::Batch => Policy::Batch,
            RawPolicy::Messaging => match &raw.batch {
                Some(batch) if *batch.get_ref() == 0 => {
                    return Err(option_error(
                        batch.span().start,
                        "the batch budget must be at least 1".to_string(),
                    ));
                }
                Some(batch) => Policy::Messaging {
                    batch_budget: *batch.get_ref(),
                },
                None => Policy::messaging(),
            },
            RawPolicy::Frame => match &raw.cycle {
                Some(cycle) if cycle.get_ref().0 < Duration::from_micros(10) => {
                    return Err(option_error(
                        cycle.span().start,
                        format!(
                            "a frame cycle of {:?} is too short; use 10us or more",
                            cycle.get_ref().0
                        ),
                    ));
                }
                Some(cycle) => Policy::frame(cycle.get_ref().0),
                None => {
                    return Err(option_error(
                        raw.cores.span().start,
                        "the `frame` policy needs a `cycle`, such as cycle = \"16ms\"".to_string(),
                    ));
                }
            },
        };
        let realtime_priority = match &raw.realtime_priority {
            None => None,
            Some(priority) => match u8::try_from(*priority.get_ref()) {
                Ok(value @ 1..=99) if !matches!(policy, Policy::Batch) => Some(value),
                Ok(1..=99) => {
                    return Err(option_error(
                        priority.span().start,
                        "a `batch` partition yields to the others; it cannot be real-time"
                            .to_string(),
                    ));
                }
                _ => {
                    return Err(option_error(
                        priority.span().start,
                        format!(
                            "a real-time priority is 1 to 99, not {}",
                            priority.get_ref()
                        ),
                    ));
                }
            },
        };
        plan.partitions.push(PartitionSpec {
            realtime_priority,
            location: Some(at(raw.cores.span().start)),
            cores: raw.cores.into_inner().0,
            name: raw.name,
            policy,
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_units() {
        assert_eq!(parse_duration("16ms"), Some(Duration::from_millis(16)));
        assert_eq!(parse_duration("1.5ms"), Some(Duration::from_micros(1500)));
        assert_eq!(parse_duration("500us"), Some(Duration::from_micros(500)));
        assert_eq!(parse_duration("16"), None);
        assert_eq!(parse_duration("3 parsecs"), None);
    }
}
