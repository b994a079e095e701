//! Sign-in throttling: after `MAX_FAILURES` failed attempts for one username
//! within `WINDOW`, further attempts are refused until the window has passed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Some(seconds to wait)` when this username is locked out.
    pub fn check(&self, username: &str, now: Instant) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (count, since) = map.get(username)?;
        let elapsed = now.duration_since(*since);
        (*count >= MAX_FAILURES && elapsed < WINDOW).then(|| (WINDOW - elapsed).as_secs().max(1))
    }

    pub fn failed(&self, username: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
        let entry = map.entry(username.to_owned()).or_insert((0, now));
        if now.duration_since(entry.1) >= WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures_and_unlocks_after_the_window() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert_eq!(l.check("a", t0), None);
            l.failed("a", t0);
        }
        assert!(l.check("a", t0).is_some());
        assert_eq!(l.check("b", t0), None, "other users are not affected");
        assert_eq!(l.check("a", t0 + WINDOW), None);
        l.succeeded("a");
        assert_eq!(l.check("a", t0), None);
    }
}
