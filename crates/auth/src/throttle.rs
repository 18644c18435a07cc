//! Sign-in throttling. A password check is the one thing an anonymous caller can make us do
//! that costs real CPU and memory (argon2id: about 19 MiB and tens of milliseconds), and
//! each check is a guess. So: attempts are rate-limited per username and per client address
//! (`governor`), a username that keeps failing backs off exponentially, and at most
//! [`max_concurrent_hashes`] checks run at once, each on one of as many dedicated threads
//! (the rest wait briefly, then are told to come back). The dedicated threads matter: on
//! tokio's blocking pool every check could land on a new thread, and the C allocator keeps
//! each thread's freed 19 MiB in that thread's arena (measured: 34 MB idle, 608 MB after
//! 50 concurrent wrong logins, never returned; the server now also runs on mimalloc).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use nuanxin_locale::{Localised, Message, localised_error, msg};
use tokio::sync::{Semaphore, oneshot};

/// Password checks running at once: one per core (at most 8), about 19 MiB each — on this
/// 2-core machine a flood costs at most ~40 MiB of hashing memory. More would not check
/// faster, only hold more memory.
pub fn max_concurrent_hashes() -> usize {
    static N: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8))
    });
    *N
}
/// How long an attempt waits for a free password check before it is told to retry.
const HASH_WAIT: Duration = Duration::from_secs(2);
/// Consecutive failures of one username before it backs off.
const FREE_FAILURES: u32 = 5;
/// The longest back-off.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// Why an attempt is not checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    RetryAfter(Duration),
    Busy,
}

impl Localised for Throttled {
    fn message(&self) -> Message {
        match self {
            Throttled::RetryAfter(_) => {
                msg!("sign-in-throttled", seconds = self.retry_after_secs())
            }
            Throttled::Busy => msg!("sign-in-busy"),
        }
    }
}
localised_error!(Throttled);

impl Throttled {
    /// Seconds for a `Retry-After` header.
    pub fn retry_after_secs(&self) -> u64 {
        match self {
            Throttled::RetryAfter(d) => d.as_secs().max(1),
            Throttled::Busy => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottleSettings {
    pub per_username_per_minute: u32,
    pub per_address_per_minute: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_username_per_minute: 10,
            per_address_per_minute: 30,
        }
    }
}

/// A request budget per key (a partner app): a token bucket of `n` a minute.
#[derive(Clone)]
pub struct KeyedLimit {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl KeyedLimit {
    pub fn per_minute(n: u32) -> Self {
        Self {
            limiter: Arc::new(RateLimiter::keyed(per_minute(n))),
        }
    }

    /// Takes one request from `key`'s budget, or says how long to wait for the next.
    pub fn admit(&self, key: &str) -> Result<(), Throttled> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| {
                Throttled::RetryAfter(not_until.wait_time_from(DefaultClock::default().now()))
            })
    }
}

#[derive(Clone)]
pub struct LoginThrottle {
    by_username: Arc<DefaultKeyedRateLimiter<String>>,
    by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Consecutive failures and when the last one happened, per username (forgotten after
    /// the longest back-off).
    failures: moka::sync::Cache<String, (u32, Instant)>,
    hashing: Arc<Semaphore>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl LoginThrottle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            by_username: Arc::new(RateLimiter::keyed(per_minute(
                settings.per_username_per_minute,
            ))),
            by_address: Arc::new(RateLimiter::keyed(per_minute(
                settings.per_address_per_minute,
            ))),
            failures: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(MAX_BACKOFF)
                .build(),
            hashing: Arc::new(Semaphore::new(max_concurrent_hashes())),
        }
    }

    /// May this attempt be checked now? Counts it against the username and the address.
    pub fn admit(&self, username: &str, address: Option<IpAddr>) -> Result<(), Throttled> {
        let key = normalise(username);
        if let Some((failures, last)) = self.failures.get(&key)
            && let Some(wait) = backoff(failures)
        {
            let elapsed = last.elapsed();
            if elapsed < wait {
                return Err(Throttled::RetryAfter(wait - elapsed));
            }
        }
        let clock = DefaultClock::default();
        if let Some(ip) = address
            && let Err(not_until) = self.by_address.check_key(&ip)
        {
            return Err(Throttled::RetryAfter(not_until.wait_time_from(clock.now())));
        }
        if let Err(not_until) = self.by_username.check_key(&key) {
            return Err(Throttled::RetryAfter(not_until.wait_time_from(clock.now())));
        }
        Ok(())
    }

    /// Checks `password` against the PHC string `hash` on one of the hashing threads,
    /// waiting at most two seconds for a free one.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Throttled> {
        let _slot = match tokio::time::timeout(HASH_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(Throttled::Busy),
        };
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(crate::verify_password(&password, &hash));
        });
        if HASHERS.send(job).is_err() {
            return Err(Throttled::Busy);
        }
        rx.await.map_err(|_| Throttled::Busy)
    }

    pub fn failed(&self, username: &str) {
        let key = normalise(username);
        let n = self.failures.get(&key).map_or(0, |(n, _)| n);
        self.failures
            .insert(key, (n.saturating_add(1), Instant::now()));
    }

    pub fn succeeded(&self, username: &str) {
        self.failures.invalidate(&normalise(username));
    }
}

/// A budget of refusals per caller: a clerk whose registrations keep hitting people already
/// on file elsewhere (each refusal says "this ID number is registered") is stopped for a
/// while once the budget is spent — probing the registry by registering is slowed like
/// password guessing.
#[derive(Clone)]
pub struct RefusalBudget {
    spent: Arc<DefaultKeyedRateLimiter<String>>,
    blocked: moka::sync::Cache<String, Instant>,
}

impl RefusalBudget {
    /// `per_hour` refusals an hour, all usable at once: the one that spends the budget
    /// still answers, and blocks what follows until the budget refills (one an
    /// `1 h / per_hour`).
    pub fn per_hour(per_hour: u32) -> Self {
        let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_hour(n(per_hour)).allow_burst(n(per_hour.saturating_sub(1)));
        Self {
            spent: Arc::new(RateLimiter::keyed(quota)),
            blocked: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        }
    }

    /// May `key` try now?
    pub fn admit(&self, key: &str) -> Result<(), Throttled> {
        match self.blocked.get(key) {
            Some(until) if until > Instant::now() => {
                Err(Throttled::RetryAfter(until - Instant::now()))
            }
            _ => Ok(()),
        }
    }

    /// Counts a refusal; the one that spends the budget blocks the key until it refills.
    pub fn refused(&self, key: &str) {
        let key = key.to_owned();
        if let Err(not_until) = self.spent.check_key(&key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.blocked.insert(key, Instant::now() + wait);
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads: as many as may hash at once, started on first use. The semaphore
/// in [`LoginThrottle::verify`] keeps the queue no longer than the threads.
static HASHERS: std::sync::LazyLock<std::sync::mpsc::SyncSender<Job>> =
    std::sync::LazyLock::new(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(max_concurrent_hashes());
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..max_concurrent_hashes() {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        tx
    });

/// Usernames are matched trimmed and case-folded, so `Admin ` and `admin` share a budget.
fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

/// The wait after `failures` consecutive failures: none for the first few, then 1 s, 2 s,
/// 4 s, … up to fifteen minutes.
fn backoff(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    let secs = 1u64.checked_shl(over).unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_BACKOFF))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_are_checked_on_the_hashing_threads() {
        let t = LoginThrottle::new(ThrottleSettings::default());
        let hash = crate::hash_password("correct horse battery").expect("hash");
        assert_eq!(
            t.verify("correct horse battery".into(), hash.clone()).await,
            Ok(true)
        );
        assert_eq!(
            t.verify("wrong horse battery".into(), hash).await,
            Ok(false)
        );
    }

    #[test]
    fn a_spent_refusal_budget_blocks_the_caller_only() {
        let b = RefusalBudget::per_hour(3);
        for _ in 0..3 {
            assert_eq!(b.admit("clerk"), Ok(()), "three refusals are the budget");
            b.refused("clerk");
        }
        assert!(matches!(b.admit("clerk"), Err(Throttled::RetryAfter(_))));
        assert_eq!(b.admit("other"), Ok(()));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(4), None);
        assert_eq!(backoff(5), Some(Duration::from_secs(1)));
        assert_eq!(backoff(7), Some(Duration::from_secs(4)));
        assert_eq!(backoff(200), Some(MAX_BACKOFF));
    }

    #[test]
    fn a_failing_username_backs_off_and_others_do_not() {
        let t = LoginThrottle::new(ThrottleSettings::default());
        for _ in 0..FREE_FAILURES {
            assert_eq!(t.admit("clerk", None), Ok(()));
            t.failed("clerk");
        }
        assert!(matches!(
            t.admit(" Clerk", None),
            Err(Throttled::RetryAfter(_))
        ));
        assert_eq!(
            t.admit("other", None),
            Ok(()),
            "another username is not slowed"
        );
        t.succeeded("clerk");
        assert_eq!(
            t.admit("clerk", None),
            Ok(()),
            "a success clears the back-off"
        );
    }

    #[test]
    fn attempts_are_limited_per_username_and_per_address() {
        let t = LoginThrottle::new(ThrottleSettings {
            per_username_per_minute: 3,
            per_address_per_minute: 5,
        });
        for _ in 0..3 {
            assert_eq!(t.admit("a", None), Ok(()));
        }
        assert!(t.admit("a", None).is_err());
        let ip: IpAddr = [192, 0, 2, 1].into();
        for i in 0..5 {
            assert_eq!(t.admit(&format!("u{i}"), Some(ip)), Ok(()));
        }
        assert!(t.admit("u9", Some(ip)).is_err(), "the address is spent");
        assert_eq!(t.admit("u9", Some([192, 0, 2, 2].into())), Ok(()));
    }
}
