//! Two people acting on the same record at once: one wins, the other is told,
//! nothing is written twice.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use zhengka_store::prelude::*;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::*;

#[tokio::test]
async fn two_officers_approving_at_once_make_one_permit() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let second = app
            .user("officer2.gd", "permit_officer", None, Some("440000"))
            .await;
        let side = Side {
            agent: agent.clone(),
            officer: officer.clone(),
        };
        let id = reviewed(&app, &side, &new_from_abroad("RACE00001")).await;
        let path = format!("/api/v1/applications/{id}/decisions");
        let body = json!({ "step": "approve", "outcome": "pass" });
        let before = app.audit_count().await;
        let (a, b) = tokio::join!(
            app.post(&path, &officer, &body),
            app.post(&path, &second, &body)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{:?} / {:?}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        // Which check stops the loser depends on timing; each is a 409 that
        // writes nothing.
        let codes = [
            "invalid_transition",
            "concurrent_update",
            "holder_has_active_permit",
        ];
        assert!(codes.contains(&loser.error().0), "{:?}", loser.body);
        assert_eq!(app.audit_count().await, before + 1, "one decision recorded");
        let permits = app.get("/api/v1/permits", &agent).await;
        assert_eq!(permits.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

/// Racing pairs per backend; a soak run sets `ZK_RACE_PAIRS=1000`.
fn race_pairs() -> usize {
    std::env::var("ZK_RACE_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(16)
}

/// Pairs set up or raced at once: enough to overlap, few enough that the
/// connection pools never time out.
const WAVE: usize = 8;

/// One employer's agent and the officer who decides its applications.
#[derive(Clone)]
struct Side {
    agent: String,
    officer: String,
}

/// File, submit, accept and preliminary-review `form`; returns the id.
async fn reviewed(app: &TestApp, side: &Side, form: &Value) -> String {
    let created = app.post("/api/v1/applications", &side.agent, form).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let submitted = app
        .post(
            &format!("/api/v1/applications/{id}/submit"),
            &side.agent,
            &json!(null),
        )
        .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    // A third officer accepts, so that separation of duties lets both racing
    // officers approve.
    let acceptor = app.approver().await;
    for step in ["accept", "preliminary_review"] {
        let who = if step == "accept" {
            &acceptor
        } else {
            &side.officer
        };
        let r = app
            .post(
                &format!("/api/v1/applications/{id}/decisions"),
                who,
                &json!({ "step": step, "outcome": "pass" }),
            )
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    id
}

/// Run `job(i)` for every `i < n`, `WAVE` at a time; results in order of `i`.
async fn in_waves<T, F, Fut>(n: usize, mut job: F) -> Vec<T>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(WAVE) {
        let mut wave = JoinSet::new();
        for i in start..(start + WAVE).min(n) {
            let run = job(i);
            wave.spawn(async move { (i, run.await) });
        }
        out.extend(wave.join_all().await);
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, t)| t).collect()
}

/// Two employers in Guangzhou, each with an agent and its own officer.
async fn two_sides(app: &TestApp) -> (Side, Side) {
    let (_, agent_a, officer_a) = app.cast().await;
    let employer_b = app.employer(&uscc("91440101MA5CXXXX1"), "440106").await;
    let agent_b = app
        .user("hr@b", "employer_agent", Some(&employer_b), None)
        .await;
    let officer_b = app
        .user("officer2.gd", "permit_officer", None, Some("440000"))
        .await;
    let a = Side {
        agent: agent_a,
        officer: officer_a,
    };
    let b = Side {
        agent: agent_b,
        officer: officer_b,
    };
    (a, b)
}

/// What one racing pair ended with.
struct Outcome {
    passport: String,
    statuses: [u16; 2],
    bodies: [Value; 2],
    ids: [String; 2],
}

/// A passport and its two applications, both preliminary-reviewed.
type Pair = (String, [String; 2]);

/// For each of `n` passports, both employers' applications reviewed. A
/// `returning` holder held a permit (now cancelled) before.
async fn prepare(app: &Arc<TestApp>, sides: &(Side, Side), n: usize, returning: bool) -> Vec<Pair> {
    let prefix = if returning { "RH" } else { "RP" };
    in_waves(n, |i| {
        let (app, (a, b)) = (app.clone(), sides.clone());
        async move {
            let passport = format!("{prefix}{i:07}");
            if returning {
                let earlier = app
                    .approve(&a.agent, &a.officer, &new_from_abroad(&passport))
                    .await;
                cancel(&app, &a, earlier["permit_number"].as_str().unwrap()).await;
            }
            let form = new_from_abroad(&passport);
            let ids = [
                reviewed(&app, &a, &form).await,
                reviewed(&app, &b, &form).await,
            ];
            (passport, ids)
        }
    })
    .await
}

/// Both approvals of every pair sent at the same moment, by two officers.
async fn race(app: &Arc<TestApp>, sides: &(Side, Side), pairs: Vec<Pair>) -> Vec<Outcome> {
    let mut pairs = pairs.into_iter();
    in_waves(pairs.len(), |_| {
        let (app, (a, b)) = (app.clone(), sides.clone());
        let (passport, ids) = pairs.next().expect("one pair per race");
        async move {
            let body = json!({ "step": "approve", "outcome": "pass" });
            let [x, y] = ids
                .each_ref()
                .map(|id| format!("/api/v1/applications/{id}/decisions"));
            let (x, y) = tokio::join!(
                app.post(&x, &a.officer, &body),
                app.post(&y, &b.officer, &body)
            );
            Outcome {
                passport,
                statuses: [x.status, y.status],
                bodies: [x.body, y.body],
                ids,
            }
        }
    })
    .await
}

async fn cancel(app: &TestApp, side: &Side, permit: &str) {
    let today = chrono::Utc::now().date_naive();
    let form = json!({ "kind": "cancellation", "permit_number": permit,
                       "cancellation": { "employment_ended_on": today } });
    app.approve(&side.agent, &side.officer, &form).await;
}

/// Permits of `passport` that are not expired, cancelled or revoked.
async fn active_permits(app: &TestApp, passport: &str) -> usize {
    let permits = app.store.permits_of_passport(passport).await.unwrap();
    permits.iter().filter(|p| !p.status.is_terminal()).count()
}

/// The index of the reply that is not a success (the second if both are).
fn loser(o: &Outcome) -> usize {
    usize::from(o.statuses[0] < 300)
}

/// Print the figures: how many pairs ended which way.
async fn figures(app: &TestApp, outcomes: &[Outcome]) -> usize {
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut doubled = 0;
    for o in outcomes {
        let key = match o.statuses {
            [a, b] if a.min(b) < 300 && a.max(b) == 409 => {
                format!("409 {}", o.bodies[loser(o)]["error"]["code"])
            }
            other => format!("{other:?}"),
        };
        *tally.entry(key).or_default() += 1;
        doubled += usize::from(active_permits(app, &o.passport).await > 1);
    }
    eprintln!(
        "race figures ({}): {} pairs, {doubled} passports with two active permits, {tally:?}",
        app.backend,
        outcomes.len()
    );
    doubled
}

/// Every pair: one approval, one 409 with a code in `codes` that left its
/// application as it was, one active permit, one audit event.
async fn check(
    app: &TestApp,
    sides: &(Side, Side),
    outcomes: &[Outcome],
    codes: &[&str],
    audit_before: usize,
) {
    assert_eq!(
        figures(app, outcomes).await,
        0,
        "two active permits for one passport"
    );
    for o in outcomes {
        let mut sorted = o.statuses;
        sorted.sort();
        assert_eq!(sorted, [200, 409], "{}: {:?}", o.passport, o.bodies);
        let loser = loser(o);
        let code = o.bodies[loser]["error"]["code"].as_str().unwrap_or("?");
        assert!(
            codes.contains(&code),
            "{}: {:?}",
            o.passport,
            o.bodies[loser]
        );
        assert_eq!(active_permits(app, &o.passport).await, 1, "{}", o.passport);
        let agent = if loser == 0 {
            &sides.0.agent
        } else {
            &sides.1.agent
        };
        let untouched = app
            .get(&format!("/api/v1/applications/{}", o.ids[loser]), agent)
            .await;
        assert_eq!(
            untouched.body["status"], "preliminary_reviewed",
            "{}",
            o.passport
        );
    }
    assert_eq!(
        app.audit_count().await,
        audit_before + outcomes.len(),
        "one decision recorded per pair"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_employers_approved_at_once_leave_one_active_permit_per_passport() {
    each_backend(|app| async move {
        let app = Arc::new(app);
        let sides = two_sides(&app).await;
        let pairs = prepare(&app, &sides, race_pairs(), false).await;
        let before = app.audit_count().await;
        let outcomes = race(&app, &sides, pairs).await;
        check(
            &app,
            &sides,
            &outcomes,
            &["holder_has_active_permit"],
            before,
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_holder_approved_twice_at_once_gets_one_permit() {
    each_backend(|app| async move {
        let app = Arc::new(app);
        let sides = two_sides(&app).await;
        let pairs = prepare(&app, &sides, race_pairs().div_ceil(4), true).await;
        let before = app.audit_count().await;
        let outcomes = race(&app, &sides, pairs).await;
        // Both reuse the holder's number and update the old record at its
        // version: the version check or the index stops the second.
        let codes = ["concurrent_update", "holder_has_active_permit"];
        check(&app, &sides, &outcomes, &codes, before).await;
    })
    .await;
}

/// A permit issued before the integration, as an officer records it.
fn legacy(employer: &str, number: &str, passport: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({ "employer_id": employer, "permit_number": number, "class": "B", "position": "Engineer",
            "valid_from": today - chrono::Days::new(300), "valid_to": today + chrono::Days::new(200),
            "foreigner": { "name": "Kenji Tanaka", "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": passport } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_recording_old_permits_of_one_holder_at_once_record_one() {
    each_backend(|app| async move {
        let app = Arc::new(app);
        let (employer, _, officer) = app.cast().await;
        let second = app
            .user("officer2.gd", "permit_officer", None, Some("440000"))
            .await;
        let before = app.audit_count().await;
        let n = race_pairs();
        let outcomes = in_waves(n, |i| {
            let (app, employer) = (app.clone(), employer.clone());
            let (officer, second) = (officer.clone(), second.clone());
            async move {
                let passport = format!("LP{i:07}");
                let [x, y] = [1, 2]
                    .map(|k| legacy(&employer, &format!("4401062019{i:06}{k:02}"), &passport));
                let (x, y) = tokio::join!(
                    app.post("/api/v1/permits", &officer, &x),
                    app.post("/api/v1/permits", &second, &y)
                );
                Outcome {
                    passport,
                    statuses: [x.status, y.status],
                    bodies: [x.body, y.body],
                    ids: Default::default(),
                }
            }
        })
        .await;
        assert_eq!(
            figures(&app, &outcomes).await,
            0,
            "two active permits for one passport"
        );
        for o in &outcomes {
            let loser = loser(o);
            let mut sorted = o.statuses;
            sorted.sort();
            assert_eq!(sorted, [201, 409], "{}: {:?}", o.passport, o.bodies);
            assert_eq!(
                o.bodies[loser]["error"]["code"], "holder_has_active_permit",
                "{}",
                o.passport
            );
        }
        assert_eq!(
            app.audit_count().await,
            before + n,
            "one recording per holder"
        );
    })
    .await;
}
