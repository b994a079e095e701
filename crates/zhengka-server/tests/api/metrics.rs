//! `/metrics`: the jobs (runs, failures, last success, lease held), the outbox
//! lag per subscriber and the age of the status list served.

use std::time::Duration;

use chrono::Utc;
use zhengka_server::{jobs, router};

use crate::helpers::*;

/// The value of the sample `name` (with its labels) in a scrape.
fn sample(scrape: &str, name: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(app: &TestApp, base: &str) -> String {
    let r = app
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_show_outbox_lag_status_list_age_and_jobs() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "MT0000001", None).await;
        app.enrol(&c, &permit).await;
        app.cancel(&c, permit["permit_number"].as_str().unwrap())
            .await;
        let lag = "zhengka_outbox_lag_events{subscriber=\"social_security\"}";
        let before = scrape(&app, &app.base).await;
        assert!(sample(&before, lag).unwrap() >= 1.0, "{before}");
        assert_eq!(
            sample(&before, "zhengka_status_list_age_seconds"),
            None,
            "none served yet"
        );
        app.dispatch().await;
        app.bytes("/api/v1/status-lists/1").await;
        let after = scrape(&app, &app.base).await;
        assert_eq!(sample(&after, lag), Some(0.0), "{after}");
        let age = sample(&after, "zhengka_status_list_age_seconds").unwrap();
        assert!((0.0..=2.0).contains(&age), "{age}");

        // An instance running its jobs reports them.
        let state = app.another_state().await;
        jobs::spawn_event_dispatcher(state.clone(), Duration::from_millis(50));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = router(state.clone());
        tokio::spawn(async move { axum::serve(listener, serving).await.unwrap() });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let m = scrape(&app, &base).await;
        let job = "{job=\"outbox_dispatch\"}";
        assert!(
            sample(&m, &format!("zhengka_job_runs_total{job}")).unwrap() >= 2.0,
            "{m}"
        );
        assert_eq!(
            sample(&m, &format!("zhengka_job_failures_total{job}")),
            Some(0.0)
        );
        let last = sample(
            &m,
            &format!("zhengka_job_last_success_timestamp_seconds{job}"),
        )
        .unwrap();
        assert!(
            (Utc::now().timestamp() as f64 - last).abs() <= 2.0,
            "{last}"
        );
        assert_eq!(
            sample(&m, &format!("zhengka_job_lease_held{job}")),
            Some(1.0)
        );
        // The instance without jobs sees the lease, held by the other.
        let other = scrape(&app, &app.base).await;
        assert_eq!(
            sample(&other, &format!("zhengka_job_lease_held{job}")),
            Some(0.0)
        );
    })
    .await;
}
