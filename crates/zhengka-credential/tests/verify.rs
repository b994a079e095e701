//! The verifier's verdicts, one test per reason.
mod common;

use common::*;
use zhengka_credential::*;

#[test]
fn notice_verifies_for_every_algorithm() {
    let world = World::new();
    let list = world.status_list(NOW - 60);
    for (i, alg) in Algorithm::ALL.into_iter().enumerate() {
        let qr = world.notice(i, 7).qr;
        let v = verify(&qr, &world.trust, Some(&list), NOW, Purpose::Notice).unwrap();
        assert_eq!(v.issuer.public_key.alg(), alg);
        assert_eq!(v.status, StatusCheck::Valid);
        assert!(
            matches!(v.claims.body, Body::Notice { ref facts, .. } if *facts == common::facts())
        );
    }
}

#[test]
fn revoked_and_suspended_follow_the_status_list() {
    let mut world = World::new();
    let qr = world.notice(0, 7).qr;
    world.bits.set(7, Status::Revoked);
    let list = world.status_list(NOW - 60);
    assert_eq!(
        verify(&qr, &world.trust, Some(&list), NOW, Purpose::Notice),
        Err(Rejection::Revoked)
    );
    world.bits.set(7, Status::Suspended);
    let list = world.status_list(NOW - 60);
    assert_eq!(
        verify(&qr, &world.trust, Some(&list), NOW, Purpose::Notice),
        Err(Rejection::Suspended)
    );
}

#[test]
fn stale_status_list_is_refused() {
    let world = World::new();
    let qr = world.notice(0, 7).qr;
    let old = world.status_list(NOW - 2 * 3600);
    assert_eq!(
        verify(&qr, &world.trust, Some(&old), NOW, Purpose::Notice),
        Err(Rejection::StaleStatus)
    );
}

#[test]
fn expiry_and_not_yet_valid() {
    let world = World::new();
    let qr = world.notice(0, 7).qr;
    let later = NOW + 91 * DAY;
    assert_eq!(
        verify(&qr, &world.trust, None, later, Purpose::Notice),
        Err(Rejection::Expired)
    );
    let earlier = NOW - 2 * DAY;
    assert_eq!(
        verify(&qr, &world.trust, None, earlier, Purpose::Notice),
        Err(Rejection::NotYetValid)
    );
}

#[test]
fn wrong_kind_for_purpose() {
    let world = World::new();
    let qr = world.notice(0, 7).qr;
    assert_eq!(
        verify(&qr, &world.trust, None, NOW, Purpose::CardInstall),
        Err(Rejection::WrongKindForPurpose)
    );
    assert_eq!(
        verify(&qr, &world.trust, None, NOW, Purpose::Presentation),
        Err(Rejection::WrongKindForPurpose)
    );
}

#[test]
fn presentation_verifies_then_goes_stale() {
    let world = World::new();
    for device_alg in Algorithm::ALL {
        let device = SigningKey::generate(device_alg).unwrap();
        let card = world.card(1, &device);
        let shown = present(&card.cose, &device, NOW).unwrap();
        let v = verify(
            &shown.qr,
            &world.trust,
            None,
            NOW + 10,
            Purpose::Presentation,
        )
        .unwrap();
        assert_eq!(v.presented.unwrap().0, NOW);
        let late = verify(
            &shown.qr,
            &world.trust,
            None,
            NOW + 31,
            Purpose::Presentation,
        );
        assert_eq!(late, Err(Rejection::ReplayedOrStalePresentation));
        let early = verify(
            &shown.qr,
            &world.trust,
            None,
            NOW - 60,
            Purpose::Presentation,
        );
        assert_eq!(early, Err(Rejection::ReplayedOrStalePresentation));
    }
}

#[test]
fn replay_cache_refuses_a_presentation_shown_twice_in_its_window() {
    let world = World::new();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let card = world.card(0, &device);
    let mut seen = ReplayCache::new(&Policy::default(), 1_000);
    let gate = |qr: &str, now: i64, seen: &mut ReplayCache| {
        let v = verify(qr, &world.trust, None, now, Purpose::Presentation)?;
        let (iat, nonce) = v.presented.expect("a presentation");
        seen.check_and_insert(&nonce, iat, now)
    };
    let first = present(&card.cose, &device, NOW).unwrap();
    assert_eq!(gate(&first.qr, NOW + 1, &mut seen), Ok(()));
    // The screenshot shown again 5 s later at the next gate.
    assert_eq!(
        gate(&first.qr, NOW + 6, &mut seen),
        Err(Rejection::ReplayedOrStalePresentation)
    );
    // A fresh presentation from the same card is fine.
    let second = present(&card.cose, &device, NOW + 6).unwrap();
    assert_eq!(gate(&second.qr, NOW + 7, &mut seen), Ok(()));
    assert_eq!(seen.len(), 2);
    seen.purge(NOW + 40);
    assert!(seen.is_empty());
}

#[test]
fn presentation_signed_by_another_device_is_refused() {
    let world = World::new();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let thief = SigningKey::generate(Algorithm::Es256).unwrap();
    let card = world.card(0, &device);
    let shown = present(&card.cose, &thief, NOW).unwrap();
    assert_eq!(
        verify(&shown.qr, &world.trust, None, NOW, Purpose::Presentation),
        Err(Rejection::BadSignature)
    );
    let sm2_thief = SigningKey::generate(Algorithm::Sm2Sm3).unwrap();
    let shown = present(&card.cose, &sm2_thief, NOW).unwrap();
    let verdict = verify(&shown.qr, &world.trust, None, NOW, Purpose::Presentation);
    assert_eq!(verdict, Err(Rejection::AlgorithmMismatch));
}

#[test]
fn card_installs_and_revoked_card_fails_presentation() {
    let mut world = World::new();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let card = world.card(0, &device);
    assert!(verify(&card.qr, &world.trust, None, NOW, Purpose::CardInstall).is_ok());
    world.bits.set(42, Status::Revoked);
    let list = world.status_list(NOW - 60);
    let shown = present(&card.cose, &device, NOW).unwrap();
    let verdict = verify(
        &shown.qr,
        &world.trust,
        Some(&list),
        NOW,
        Purpose::Presentation,
    );
    assert_eq!(verdict, Err(Rejection::Revoked));
}

#[test]
fn status_list_of_another_uri_is_a_mismatch() {
    let world = World::new();
    let token = StatusList {
        uri: "other".into(),
        iat: NOW,
        exp: NOW + DAY,
        ttl: 60,
        bits: StatusBits::new(8),
    }
    .sign(&world.status_key);
    let list = StatusList::from_token(&token, &world.trust).unwrap();
    let qr = world.notice(0, 1).qr;
    let verdict = verify(&qr, &world.trust, Some(&list), NOW, Purpose::Notice);
    assert_eq!(verdict, Err(Rejection::StatusListMismatch));
}

#[test]
fn trust_list_round_trips_and_checks_anchor() {
    let world = World::new();
    let signed = world.trust.sign(&world.anchor);
    let back = TrustList::from_signed(&signed, world.anchor.public_key(), NOW).unwrap();
    assert_eq!(back, world.trust);
    let other = SigningKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        TrustList::from_signed(&signed, other.public_key(), NOW),
        Err(Rejection::UnknownKey)
    );
    let late = NOW + 31 * DAY;
    assert_eq!(
        TrustList::from_signed(&signed, world.anchor.public_key(), late),
        Err(Rejection::Expired)
    );
}

#[test]
fn keys_round_trip_through_pkcs8() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg).unwrap();
        let back = SigningKey::from_pkcs8(alg, key.to_pkcs8()).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let sig = back.sign(b"m");
        assert_eq!(sig.len(), 64);
        assert!(key.public_key().verify(b"m", &sig));
        assert!(!key.public_key().verify(b"n", &sig));
    }
}

#[test]
fn status_key_cannot_sign_notices() {
    let world = World::new();
    let rogue = Issuer::new(
        SigningKey::from_pkcs8(Algorithm::Es256, world.status_key.to_pkcs8()).unwrap(),
        REGION,
    );
    let v = Validity {
        iat: NOW,
        exp: NOW + DAY,
    };
    let qr = rogue.notice(facts(), "N".into(), v, None).qr;
    assert_eq!(
        verify(&qr, &world.trust, None, NOW, Purpose::Notice),
        Err(Rejection::KeyNotValidForPurpose)
    );
}
