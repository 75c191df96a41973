//! Work no shopper waits for, on threads at the lowest CPU priority.
//!
//! Embedding a bulk import's products and inserting them into the vector
//! graph take whole cores for minutes. Here (Linux's `SCHED_IDLE` policy)
//! they get only the CPU time nothing else wants: the kernel hands a core
//! to a search, a checkout or any other request the moment it wakes up, so
//! catching up does not slow what shoppers do; it only takes longer while
//! they keep the cores busy. Threads a pool thread starts (the encoder's
//! kernels, rayon's parallel loops inside [`run`]) inherit its policy.
//!
//! Elsewhere than Linux the threads keep the normal priority.
//!
//! The lowest priority keeps a query from waiting for a core, not from
//! sharing the machine: in every moment a query leaves a core free, the
//! background's kernels run there and take the caches and memory bandwidth
//! the query's own kernels need. So while a shopper's query is being
//! embedded ([`QueryInFlight`]), a background thread about to run an
//! encoder kernel waits ([`step_aside`]), for at most [`STEP_ASIDE`] each
//! time, so queries without pause slow a catch-up down but never stop it.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// The longest a background kernel waits for queries to finish, each time.
pub const STEP_ASIDE: Duration = Duration::from_millis(20);

/// Shoppers' queries being embedded now, in this process. (A process-wide
/// count: the encoder's kernels, deep inside candle, have no handle to pass
/// it through.)
static QUERIES_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is one of the background pool's.
    static BACKGROUND: Cell<bool> = const { Cell::new(false) };
}

/// Counts one query being embedded while it lives.
pub struct QueryInFlight(());

impl QueryInFlight {
    pub fn start() -> Self {
        QUERIES_IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for QueryInFlight {
    fn drop(&mut self) {
        QUERIES_IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// On a background thread, waits while any query is being embedded (at
/// most [`STEP_ASIDE`]); elsewhere returns at once.
pub fn step_aside() {
    if !BACKGROUND.get() {
        return;
    }
    let since = Instant::now();
    while QUERIES_IN_FLIGHT.load(Ordering::SeqCst) > 0 && since.elapsed() < STEP_ASIDE {
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// Whether the calling thread is a background one.
pub fn on_background_thread() -> bool {
    BACKGROUND.get()
}

/// Runs `f` on a background thread and waits for its result without
/// blocking the async runtime; `None` if `f` panicked or no thread could be
/// started for it.
pub async fn run<R, F>(f: F) -> Option<R>
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let (reply, result) = oneshot::channel();
    spawn(move || {
        let _ = reply.send(f());
    });
    result.await.ok()
}

/// Starts `f` on a background thread and returns at once. A panic in `f` is
/// logged; it does not end the process.
pub fn spawn(f: impl FnOnce() + Send + 'static) {
    let job = move || {
        if catch_unwind(AssertUnwindSafe(f)).is_err() {
            tracing::error!("a background job panicked");
        }
    };
    match pool() {
        Some(pool) => pool.spawn(job),
        None => {
            // Without the pool the job still runs, at the normal priority.
            if let Err(e) = std::thread::Builder::new()
                .name("souk-background".to_owned())
                .spawn(job)
            {
                tracing::error!(error = %e, "could not start a background job");
            }
        }
    }
}

/// One thread per core, built on first use; `None` if its threads could
/// not be started.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("souk-background-{i}"))
            .start_handler(|_| {
                lower_this_thread();
                BACKGROUND.set(true);
            })
            .build()
            .inspect_err(|e| tracing::error!(error = %e, "could not start the background threads"))
            .ok()
    })
    .as_ref()
}

/// Gives the calling thread the lowest CPU priority: `SCHED_IDLE`, which a
/// thread of any other policy preempts as soon as it wakes (a nice value of
/// 19 only lowers the thread's share, and a woken search can wait for the
/// rest of its time slice).
fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::ThreadPriority;
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if let Err(e) =
            set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle)
        {
            tracing::warn!(error = ?e, "background thread keeps the normal priority");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, thread_schedule_policy,
    };

    fn policy() -> ThreadSchedulePolicy {
        thread_schedule_policy().unwrap()
    }

    #[tokio::test]
    async fn jobs_run_at_the_lowest_priority_and_a_panic_is_contained() {
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        let caller = policy();
        assert_eq!(run(policy).await, Some(idle));
        let started = run(|| std::thread::scope(|s| s.spawn(policy).join().unwrap())).await;
        assert_eq!(started, Some(idle), "threads a job starts inherit it");
        assert_eq!(policy(), caller, "the caller keeps its priority");
        let panicked: Option<()> = run(|| panic!("a bug in a background job")).await;
        assert_eq!(panicked, None);
        assert_eq!(run(|| 7).await, Some(7), "the pool still works");
    }

    #[test]
    fn only_background_threads_step_aside_and_only_while_a_query_runs() {
        let query = QueryInFlight::start();
        // Not a background thread: never waits.
        let started = Instant::now();
        step_aside();
        assert!(started.elapsed() < STEP_ASIDE);

        let started = Instant::now();
        let background = std::thread::spawn(move || {
            BACKGROUND.set(true);
            step_aside();
            Instant::now()
        });
        std::thread::sleep(Duration::from_millis(5));
        let query_done = Instant::now();
        drop(query);
        let returned = background.join().expect("the thread ends");
        assert!(
            returned >= query_done || returned - started >= STEP_ASIDE,
            "a background kernel waits until the query is done, or STEP_ASIDE"
        );
    }
}
