//! A replay cache for presentations: a relying party remembers each nonce (`cti`)
//! for as long as the presentation that carried it could still verify, so the same
//! presentation shown twice inside its window is refused the second time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::error::Rejection;
use crate::verify::Policy;

/// Nonces of recently accepted presentations, each kept until its presentation's
/// window has passed (`iat + presentation_window`), in bounded memory.
///
/// Feed it `Verified::presented` after [`verify`](crate::verify) accepted a
/// presentation. When it holds `capacity` live nonces it refuses new ones (fails
/// closed) rather than forget a live one, which would let that presentation be
/// replayed: size it for the peak rate times the window (e.g. 100 per second for
/// 35 s is 3,500 entries, about 150 bytes each).
#[derive(Debug)]
pub struct ReplayCache {
    window: i64,
    clock_skew: i64,
    capacity: usize,
    /// Nonce to the last second at which its presentation can still verify.
    live: HashMap<Vec<u8>, i64>,
    /// The same entries, soonest expiry first, to purge without a scan.
    by_expiry: BinaryHeap<Reverse<(i64, Vec<u8>)>>,
}

impl ReplayCache {
    /// A cache for presentations accepted under `policy` (its presentation window
    /// and clock skew), holding at most `capacity` nonces.
    pub fn new(policy: &Policy, capacity: usize) -> Self {
        ReplayCache {
            window: policy.presentation_window,
            clock_skew: policy.clock_skew,
            capacity,
            live: HashMap::new(),
            by_expiry: BinaryHeap::new(),
        }
    }

    /// Refuses a presentation outside its window (`now - iat` not within
    /// `[-clock_skew, presentation_window]`) or whose nonce was already accepted
    /// within it; otherwise remembers the nonce until `iat + presentation_window`.
    /// A full cache refuses too (see the type's documentation).
    pub fn check_and_insert(&mut self, nonce: &[u8], iat: i64, now: i64) -> Result<(), Rejection> {
        let age = now.saturating_sub(iat);
        if age > self.window || age < -self.clock_skew {
            return Err(Rejection::ReplayedOrStalePresentation);
        }
        self.purge(now);
        if self.live.contains_key(nonce) || self.live.len() >= self.capacity {
            return Err(Rejection::ReplayedOrStalePresentation);
        }
        let expiry = iat.saturating_add(self.window);
        self.live.insert(nonce.to_vec(), expiry);
        self.by_expiry.push(Reverse((expiry, nonce.to_vec())));
        Ok(())
    }

    /// Forgets every nonce whose presentation can no longer verify at `now`.
    pub fn purge(&mut self, now: i64) {
        while let Some(Reverse((expiry, _))) = self.by_expiry.peek() {
            if *expiry >= now {
                break;
            }
            if let Some(Reverse((_, nonce))) = self.by_expiry.pop() {
                self.live.remove(&nonce);
            }
        }
    }

    /// Takes back a nonce remembered before a restart, until `expiry` (the
    /// last second its presentation could verify); an expired one is dropped.
    pub fn restore(&mut self, nonce: &[u8], expiry: i64, now: i64) {
        if expiry < now || self.live.contains_key(nonce) {
            return;
        }
        self.live.insert(nonce.to_vec(), expiry);
        self.by_expiry.push(Reverse((expiry, nonce.to_vec())));
    }

    /// Every nonce held with its expiry (to persist the cache).
    pub fn live(&self) -> impl Iterator<Item = (&[u8], i64)> {
        self.live.iter().map(|(n, e)| (n.as_slice(), *e))
    }

    /// When a presentation made at `iat` stops verifying.
    pub fn expiry_of(&self, iat: i64) -> i64 {
        iat.saturating_add(self.window)
    }

    /// Number of nonces held.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no nonce is held.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_767_225_600;
    const STALE: Result<(), Rejection> = Err(Rejection::ReplayedOrStalePresentation);

    fn cache(capacity: usize) -> ReplayCache {
        ReplayCache::new(&Policy::default(), capacity)
    }

    #[test]
    fn second_showing_inside_the_window_is_refused() {
        let mut c = cache(10);
        assert_eq!(c.check_and_insert(b"nonce-01", T, T + 1), Ok(()));
        assert_eq!(c.check_and_insert(b"nonce-01", T, T + 2), STALE);
        assert_eq!(c.check_and_insert(b"nonce-01", T, T + 30), STALE);
        assert_eq!(c.check_and_insert(b"nonce-02", T, T + 2), Ok(()));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn outside_the_window_is_stale_whatever_the_cache_holds() {
        let mut c = cache(10);
        assert_eq!(c.check_and_insert(b"nonce-01", T, T + 31), STALE);
        assert_eq!(c.check_and_insert(b"nonce-01", T + 6, T), STALE);
        assert_eq!(c.check_and_insert(b"nonce-01", T + 5, T), Ok(()));
        assert_eq!(c.check_and_insert(b"nonce-02", T, T + 30), Ok(()));
        assert_eq!(c.check_and_insert(b"nonce-03", i64::MIN, i64::MAX), STALE);
        assert_eq!(c.check_and_insert(b"nonce-03", i64::MAX, i64::MIN), STALE);
    }

    #[test]
    fn nonces_are_forgotten_once_their_presentation_is_stale() {
        let mut c = cache(10);
        c.check_and_insert(b"nonce-01", T, T).unwrap();
        c.check_and_insert(b"nonce-02", T + 10, T + 10).unwrap();
        c.purge(T + 30);
        assert_eq!(c.len(), 2, "still verifiable at iat + window");
        c.purge(T + 31);
        assert_eq!(c.len(), 1);
        c.purge(T + 41);
        assert!(c.is_empty());
    }

    #[test]
    fn memory_is_bounded_and_a_full_cache_fails_closed() {
        let mut c = cache(3);
        for i in 0..3u8 {
            c.check_and_insert(&[i; 16], T, T).unwrap();
        }
        assert_eq!(c.check_and_insert(&[9; 16], T, T), STALE);
        assert_eq!(c.len(), 3);
        // Once the first ones are stale there is room again.
        assert_eq!(c.check_and_insert(&[9; 16], T + 31, T + 31), Ok(()));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn many_nonces_over_time_stay_within_the_window_population() {
        let mut c = cache(10_000);
        for second in 0..600i64 {
            for k in 0..20i64 {
                let nonce = (second * 100 + k).to_be_bytes();
                c.check_and_insert(&nonce, T + second, T + second).unwrap();
            }
            assert!(c.len() <= 31 * 20);
        }
        assert_eq!(c.by_expiry.len(), c.live.len());
    }
}
