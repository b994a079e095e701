//! The status lists read for publication: only the entries that may not be
//! valid, streamed, give the same list as loading every entry (list 1), on
//! both backends; and what a new index needs (highest, taken).

use std::collections::BTreeMap;

use zhengka_domain::cards::CredentialState;
use zhengka_domain::permits::application::ApplicationKind;
use zhengka_domain::permits::permit::{Permit, PermitNumber, PermitStatus};
use zhengka_store::StatusListId;
use zhengka_store::prelude::*;

use crate::backends::for_each_backend;
use crate::fixtures::*;

/// Every entry's state, read by loading them all (the old way).
async fn loaded(s: &dyn Store) -> BTreeMap<u32, CredentialState> {
    s.status_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.idx, e.credential_state()))
        .collect()
}

/// The entries the stream hands over; every other index is valid.
async fn streamed(s: &dyn Store) -> BTreeMap<u32, CredentialState> {
    let mut got = BTreeMap::new();
    let mut last = None;
    let n = s
        .for_each_status(StatusListId::Permits, &mut |idx, state| {
            assert!(last < Some(idx), "in index order");
            last = Some(idx);
            got.insert(idx, state);
        })
        .await
        .unwrap();
    assert_eq!(n as usize, got.len());
    got
}

async fn assert_same_list(s: &dyn Store, what: &str) {
    let all = loaded(s).await;
    let not_valid: BTreeMap<u32, CredentialState> = all
        .iter()
        .filter(|(_, st)| **st != CredentialState::Valid)
        .map(|(i, st)| (*i, *st))
        .collect();
    assert_eq!(streamed(s).await, not_valid, "{what}");
}

async fn change(s: &dyn Store, number: &PermitNumber, f: fn(&mut Permit)) {
    let mut p = s.get_permit(number).await.unwrap();
    f(&mut p);
    s.update_permit(&p, write("permit.changed", "permit", number.as_str()))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_streamed_list_equals_the_loaded_one() {
    for_each_backend(|db| async move {
        let s: &dyn Store = &db.store;
        assert_eq!(
            s.status_index_max(StatusListId::Permits).await.unwrap(),
            None
        );
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.created", "employer", &e.id))
            .await
            .unwrap();
        let mut numbers = vec![];
        for i in 0..12u32 {
            let id = format!("a{i}");
            let mut a = application(&id, &e, at(0));
            a.form = form(
                ApplicationKind::NewFromAbroad,
                &format!("Holder {}", char::from(b'A' + i as u8)),
                &format!("E{:08}", 10_000 + i),
            );
            s.insert_application(&a, write("application.created", "application", &id))
                .await
                .unwrap();
            let (approved, mut permit) = approve(&a, u64::from(i) + 1);
            permit.status_index = Some(1000 + 37 * i);
            s.update_application(
                &approved,
                Some(&permit),
                write("decided", "application", &id),
            )
            .await
            .unwrap();
            numbers.push(permit.permit_number.clone());
        }
        assert_same_list(s, "all valid").await;
        assert!(streamed(s).await.is_empty(), "no valid entry is read");

        // Suspend one, cancel one, give one a second period (its first one
        // is revoked), then reinstate the suspended one.
        change(s, &numbers[2], |p| p.status = PermitStatus::Suspended).await;
        change(s, &numbers[5], |p| p.status = PermitStatus::Cancelled).await;
        change(s, &numbers[7], |p| p.status_index = Some(90_000)).await;
        assert_same_list(s, "after changes").await;
        let got = streamed(s).await;
        assert_eq!(got.get(&(1000 + 37 * 2)), Some(&CredentialState::Suspended));
        assert_eq!(got.get(&(1000 + 37 * 5)), Some(&CredentialState::Revoked));
        assert_eq!(got.get(&(1000 + 37 * 7)), Some(&CredentialState::Revoked));
        assert_eq!(got.get(&90_000), None, "the new period is valid");
        assert_eq!(got.len(), 3);
        change(s, &numbers[2], |p| p.status = PermitStatus::Valid).await;
        assert_same_list(s, "reinstated").await;
        assert_eq!(streamed(s).await.len(), 2);

        assert_eq!(
            s.status_index_max(StatusListId::Permits).await.unwrap(),
            Some(90_000)
        );
        assert!(
            s.status_index_taken(StatusListId::Permits, 1037)
                .await
                .unwrap()
        );
        assert!(
            !s.status_index_taken(StatusListId::Permits, 1038)
                .await
                .unwrap()
        );
        assert_eq!(s.status_index_max(StatusListId::Cards).await.unwrap(), None);
        assert_eq!(
            s.status_index_max(StatusListId::Devices).await.unwrap(),
            None
        );
        let none = s
            .for_each_status(StatusListId::Devices, &mut |_, _| panic!("no devices"))
            .await;
        assert!(matches!(none, Ok(0)), "{none:?}");
    })
    .await;
}

/// The lists' counter moves with a permit's period and status, and not with
/// other writes (an employer, an application): those must not make every
/// instance rebuild its lists.
#[tokio::test]
async fn the_status_counter_moves_with_the_lists_only() {
    for_each_backend(|db| async move {
        let s: &dyn Store = &db.store;
        let seq = || async { s.status_seq().await.unwrap() };
        let start = seq().await;
        assert_eq!(seq().await, start, "reads change nothing");
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.created", "employer", &e.id))
            .await
            .unwrap();
        let a = application("a1", &e, at(0));
        s.insert_application(&a, write("application.created", "application", "a1"))
            .await
            .unwrap();
        assert_eq!(seq().await, start, "no status changed");
        let (approved, mut permit) = approve(&a, 1);
        permit.status_index = Some(77);
        s.update_application(
            &approved,
            Some(&permit),
            write("decided", "application", "a1"),
        )
        .await
        .unwrap();
        let issued = seq().await;
        assert!(issued > start, "a new entry");
        change(s, &permit.permit_number, |p| {
            p.status = PermitStatus::Suspended
        })
        .await;
        assert!(seq().await > issued, "a suspension");
    })
    .await;
}

/// Two approvals that drew the same free index: the second is refused as
/// "index taken" (so the server draws again) and leaves nothing behind.
#[tokio::test]
async fn a_drawn_index_another_permit_holds_is_refused_as_taken() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.created", "employer", &e.id))
            .await
            .unwrap();
        let mut numbers = Vec::new();
        for (i, passport) in ["E1111111", "E2222222"].into_iter().enumerate() {
            let id = format!("a{i}");
            let mut a = application(&id, &e, at(0));
            a.form = form(ApplicationKind::NewFromAbroad, "Ada Example", passport);
            s.insert_application(&a, write("application.created", "application", &id))
                .await
                .unwrap();
            let (approved, mut permit) = approve(&a, 10 + i as u64);
            permit.status_index = Some(4242);
            let done = s
                .update_application(
                    &approved,
                    Some(&permit),
                    write("decided", "application", &id),
                )
                .await;
            numbers.push((id, permit.permit_number, done));
        }
        assert!(numbers[0].2.is_ok());
        let refused = numbers[1].2.as_ref().unwrap_err();
        assert!(refused.is_status_index_taken(), "{refused:?}");
        let (id, number, _) = &numbers[1];
        let unchanged = application(id, &e, at(0)).version;
        assert_eq!(s.get_application(id).await.unwrap().version, unchanged);
        assert!(matches!(
            s.get_permit(number).await,
            Err(zhengka_store::StoreError::NotFound)
        ));
    })
    .await;
}
