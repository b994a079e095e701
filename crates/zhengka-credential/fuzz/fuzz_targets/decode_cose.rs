//! The COSE/CBOR layer directly: arbitrary bytes as a COSE_Sign1, as CWT claims,
//! as a status list token and as a trust list. Nothing may panic.
#![no_main]

mod world;

use libfuzzer_sys::fuzz_target;
use zhengka_credential::claims::Claims;
use zhengka_credential::codec::cbor_guard;
use zhengka_credential::{StatusList, TrustList, cose};

fuzz_target!(|data: &[u8]| {
    let w = &*world::WORLD;
    let _ = cbor_guard::check(data);
    if let Ok(parsed) = cose::parse(data) {
        let _ = parsed.kid();
        let _ = Claims::from_cbor(&parsed.payload);
        if let Some(key) = parsed.kid().and_then(|k| w.trust.key(&k)) {
            let _ = parsed.verify(&key.public_key);
        }
    }
    let _ = Claims::from_cbor(data);
    let _ = StatusList::from_token(data, &w.trust);
    let _ = TrustList::from_signed(data, &w.anchor, w.now);
});
