use chrono::Duration;

/// The waits after each failed webhook attempt: 10 s, 1 min, 10 min, 1 h, 6 h;
/// the attempt after the last wait is the last.
pub const DELIVERY_BACKOFF: [i64; 5] = [10, 60, 600, 3600, 6 * 3600];

/// How long to wait after `attempts` failed attempts, or `None` when that was
/// the last one (the delivery is dead).
pub fn retry_after(attempts: u32) -> Option<Duration> {
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    DELIVERY_BACKOFF.get(i).map(|s| Duration::seconds(*s))
}
