//! A status list for 10.2 million credentials (10 M holders, 1 in 50 with an
//! earlier revoked period; 2 % not valid), built and signed two ways in the
//! same run: streamed (`StatusEncoder`: only the entries that are not valid,
//! in index order, compressed as they come) against the earlier way, every
//! entry loaded, the whole bitstring made, then compressed (`StatusList::sign`).
//! Each way's peak resident set above its start is printed (Linux).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use zhengka_credential::*;

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

const CREDENTIALS: u32 = 10_200_000;

/// The list's size: the highest index in use at about 2/3 density.
fn entries() -> usize {
    list_entries(Some(CREDENTIALS / 2 * 3))
}

/// Credential `i`'s index (spread over the list, ascending) and status.
fn entry(i: u32) -> (u32, Status) {
    let status = match i % 100 {
        0 => Status::Suspended,
        50 => Status::Revoked,
        _ => Status::Valid,
    };
    (i + i / 2, status)
}

fn head() -> StatusListHead {
    StatusListHead {
        uri: "https://zhengka.example/api/v1/status-lists/1".into(),
        iat: 1_780_000_000,
        exp: 1_780_086_400,
        ttl: 300,
    }
}

/// What the server does now: the store hands over only the entries that may
/// not be valid, in index order.
fn streamed(key: &SigningKey) -> Vec<u8> {
    let mut encoder = StatusEncoder::new();
    for i in 0..CREDENTIALS {
        let (idx, status) = entry(i);
        if status != Status::Valid {
            encoder.push(idx, status).unwrap();
        }
    }
    head().sign(encoder.finish(entries()), key)
}

/// What it did before: every entry read into memory, then the bitstring.
fn loaded(key: &SigningKey) -> Vec<u8> {
    let all: Vec<(u32, Status)> = (0..CREDENTIALS).map(entry).collect();
    let h = head();
    StatusList {
        uri: h.uri,
        iat: h.iat,
        exp: h.exp,
        ttl: h.ttl,
        bits: StatusBits::from_entries(entries(), all).unwrap(),
    }
    .sign(key)
}

/// Peak resident set above the start while `f` runs, in KiB: the kernel's
/// high-water mark, reset first (`/proc/self/clear_refs`, Linux).
fn peak(f: impl FnOnce() -> Vec<u8>) -> (usize, usize) {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let start = status_kib("VmRSS:");
    let token = f();
    (status_kib("VmHWM:").saturating_sub(start), token.len())
}

fn lists(c: &mut Criterion) {
    let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
    assert_eq!(
        streamed(&key),
        loaded(&key),
        "the same token, byte for byte"
    );
    for (name, f) in [
        ("streamed", streamed as fn(&SigningKey) -> Vec<u8>),
        ("loaded", loaded),
    ] {
        let (kib, token) = peak(|| f(&key));
        eprintln!(
            "status_list_10m/{name}: {} entries, token {token} B, peak RSS above start {kib} KiB",
            entries()
        );
    }
    let mut g = c.benchmark_group("status_list_10m");
    g.sample_size(10);
    g.bench_function("streamed", |b| b.iter(|| streamed(black_box(&key))));
    g.bench_function("loaded", |b| b.iter(|| loaded(black_box(&key))));
    g.finish();
}

criterion_group!(group, lists);
criterion_main!(group);
