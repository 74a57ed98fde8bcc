//! Work split across threads. The front end parses runs of items and checks
//! runs of bodies on the compiler's threads, one per core, started once and
//! kept for the life of the process. Every split is into contiguous runs
//! whose results come back in order, so what the compiler reports never
//! depends on how many threads did the work.

/// The variable that sets into how many runs the front end may split its
/// work (at most one thread each); `1` does all work in one run, on one
/// thread.
pub const THREADS_VARIABLE: &str = "PARSELTONGUE_THREADS";

/// Into how many runs the front end may split its work:
/// `PARSELTONGUE_THREADS` when it holds a positive number, otherwise the
/// machine's available parallelism (the size of the compiler's pool).
pub fn thread_count() -> usize {
    static MACHINE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let configured = std::env::var(THREADS_VARIABLE)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    configured.unwrap_or_else(|| {
        *MACHINE.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
    })
}

/// The compiler's threads: one per core, started once and kept, each with
/// the compiler's stack. Kept threads keep their allocator heaps too, so
/// one check reuses the memory the last one freed instead of faulting in
/// fresh pages. `None` if no thread could be started (a resource limit):
/// the work is then done on the calling thread.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(1, usize::from))
            .stack_size(crate::COMPILER_STACK_BYTES)
            .thread_name(|index| format!("parseltongue-{index}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `work` on one of the compiler's threads (whose stack is the
/// compiler's) and returns its result; on the calling thread if it is one
/// of them already, or if there are none.
pub(crate) fn on_compiler_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    match pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Splits `jobs` into contiguous runs of about equal `weight`, at most one
/// per thread and none lighter than `min_weight_per_run`, runs `work` on
/// each run on the compiler's threads and returns the results in run
/// order. A single run (little work, or one thread) is done on the calling
/// thread.
pub(crate) fn map_runs<J, R>(
    jobs: &[J],
    weight: impl Fn(&J) -> usize,
    min_weight_per_run: usize,
    work: impl Fn(&[J]) -> R + Sync,
) -> Vec<R>
where
    J: Sync,
    R: Send,
{
    use rayon::prelude::*;
    let runs = split_runs(jobs, &weight, min_weight_per_run, thread_count());
    match (runs.len(), pool()) {
        (2.., Some(pool)) => pool.install(|| runs.par_iter().map(|run| work(run)).collect()),
        _ => runs.iter().map(|run| work(run)).collect(),
    }
}

/// Contiguous runs of `jobs`: as many as `threads` allows while each
/// weighs at least `min_weight`, each close to an equal share.
fn split_runs<J>(
    jobs: &[J],
    weight: impl Fn(&J) -> usize,
    min_weight: usize,
    threads: usize,
) -> Vec<&[J]> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let total: usize = jobs.iter().map(&weight).sum();
    let count = threads.min(total / min_weight.max(1)).clamp(1, jobs.len());
    let mut runs = Vec::with_capacity(count);
    let mut start = 0;
    let mut done = 0;
    for (index, job) in jobs.iter().enumerate() {
        done += weight(job);
        // Close a run when its share of the total is reached, leaving at
        // least one job for each run still to come.
        let share = total * (runs.len() + 1) / count;
        let runs_left = count - runs.len() - 1;
        if runs_left > 0 && done >= share && jobs.len() - index > runs_left {
            runs.push(&jobs[start..=index]);
            start = index + 1;
        }
    }
    runs.push(&jobs[start..]);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_every_job_in_order() {
        let jobs: Vec<usize> = (0..1000).map(|i| i % 17 + 1).collect();
        for threads in 1..=8 {
            let runs = split_runs(&jobs, |&w| w, 100, threads);
            assert_eq!(runs.len(), threads);
            let joined: Vec<usize> = runs.iter().flat_map(|r| r.iter().copied()).collect();
            assert_eq!(joined, jobs);
            let total: usize = jobs.iter().sum();
            for run in &runs {
                let weight: usize = run.iter().sum();
                // Each run is within one job's weight of an equal share.
                assert!(
                    weight.abs_diff(total / threads) <= 17,
                    "{weight} of {total}"
                );
            }
        }
    }

    #[test]
    fn light_work_stays_in_one_run() {
        let jobs = [5usize, 5, 5];
        assert_eq!(split_runs(&jobs, |&w| w, 100, 8).len(), 1);
        assert_eq!(split_runs(&jobs, |&w| w, 5, 8).len(), 3);
        assert!(split_runs(&[] as &[usize], |&w| w, 1, 8).is_empty());
        // One heavy job cannot be split.
        assert_eq!(split_runs(&[1000usize], |&w| w, 1, 8).len(), 1);
    }

    #[test]
    fn results_come_back_in_run_order() {
        let jobs: Vec<usize> = (0..10_000).collect();
        let sums = map_runs(&jobs, |_| 1, 1, |run| (run[0], run.iter().sum::<usize>()));
        let starts: Vec<usize> = sums.iter().map(|(start, _)| *start).collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        assert_eq!(starts, sorted);
        assert_eq!(
            sums.iter().map(|(_, s)| s).sum::<usize>(),
            jobs.iter().sum::<usize>()
        );
    }
}
