//! The whole offline pipeline: arbitrary bytes as the QR text, verified against
//! the test vectors' trust list and status list for every purpose. Nothing may
//! panic; nothing but the vectors' own valid credentials may verify.
#![no_main]

mod world;

use libfuzzer_sys::fuzz_target;
use zhengka_credential::{Purpose, verify};

fuzz_target!(|data: &[u8]| {
    let w = &*world::WORLD;
    let Ok(qr) = std::str::from_utf8(data) else {
        return;
    };
    for purpose in [Purpose::Notice, Purpose::CardInstall, Purpose::Presentation] {
        for status in [None, Some(&w.status)] {
            if let Ok(v) = verify(qr, &w.trust, status, w.now, purpose) {
                // Whatever verifies must be signed by a trusted key: re-encode
                // nothing, just check the verdict is self-consistent.
                assert!(w.trust.key(&v.issuer.kid()).is_some());
            }
        }
    }
});
