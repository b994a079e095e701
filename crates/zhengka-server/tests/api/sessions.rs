use serde_json::json;
use zhengka_store::Store;

use crate::helpers::*;

#[tokio::test]
async fn sign_in_sign_out_and_token_checks() {
    each_backend(|app| async move {
        let me = app.get("/api/v1/users/me", &app.admin).await;
        assert_eq!((me.status, me.body["role"].as_str()), (200, Some("admin")));
        assert_eq!(
            app.get("/api/v1/users/me", "").await.error().0,
            "missing_token"
        );
        assert_eq!(
            app.get("/api/v1/users/me", "nonsense").await.error().0,
            "invalid_token"
        );
        let out = app
            .request(
                reqwest::Method::DELETE,
                "/api/v1/sessions/current",
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(out.status, 204);
        let again = app.get("/api/v1/users/me", &app.admin).await;
        assert_eq!((again.status, again.error().0), (401, "invalid_token"));
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited() {
    each_backend(|app| async move {
        let bad = json!({ "username": "admin", "password": "not the password" });
        for _ in 0..5 {
            let r = app.post("/api/v1/sessions", "", &bad).await;
            assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
        }
        let r = app.post("/api/v1/sessions", "", &bad).await;
        assert_eq!((r.status, r.error().0), (429, "too_many_attempts"));
        // Even the right password waits out the lock.
        let good = json!({ "username": "admin", "password": PASSWORD });
        assert_eq!(app.post("/api/v1/sessions", "", &good).await.status, 429);
        // An unknown user gets the same answer as a wrong password.
        let r = app
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": "nobody", "password": "x" }),
            )
            .await;
        assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
    })
    .await;
}

#[tokio::test]
async fn sign_in_accepts_an_idempotency_key_and_is_never_replayed() {
    each_backend(|app| async move {
        let good = json!({ "username": "admin", "password": PASSWORD });
        let key = [("idempotency-key", "sign-in-1")];
        let mut tokens = vec![];
        for _ in 0..2 {
            let res = app
                .client
                .post(format!("{}/api/v1/sessions", app.base))
                .header("idempotency-key", "sign-in-1")
                .json(&good)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 201);
            assert!(res.headers().get("idempotent-replayed").is_none());
            let body: serde_json::Value = res.json().await.unwrap();
            tokens.push(body["token"].as_str().unwrap().to_owned());
        }
        assert_ne!(tokens[0], tokens[1], "each sign-in opens its own session");
        for token in &tokens {
            assert_eq!(app.get("/api/v1/users/me", token).await.status, 200);
        }
        // Nothing was stored under the key: the token is kept nowhere.
        for user in ["u-admin", ""] {
            let stored = app
                .store
                .idempotent_response(user, "sign-in-1", chrono::Utc::now())
                .await;
            assert!(stored.unwrap().is_none());
        }
        // The key is still checked, and a wrong password is still a wrong password.
        let bad_key = [("idempotency-key", "has spaces")];
        let r = app
            .request(
                reqwest::Method::POST,
                "/api/v1/sessions",
                "",
                Some(&good),
                &bad_key,
            )
            .await;
        assert_eq!((r.status, r.error().0), (400, "invalid_idempotency_key"));
        let wrong = json!({ "username": "admin", "password": "not it" });
        let r = app
            .request(
                reqwest::Method::POST,
                "/api/v1/sessions",
                "",
                Some(&wrong),
                &key,
            )
            .await;
        assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
    })
    .await;
}

/// Sign in as `username` with `password` against the server at `base`.
async fn sign_in(client: &reqwest::Client, base: &str, username: &str, password: &str) -> u16 {
    let body = json!({ "username": username, "password": password });
    let res = client
        .post(format!("{base}/api/v1/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test]
async fn parallel_wrong_passwords_are_counted_before_they_are_checked() {
    each_backend(|app| async move {
        let guesses: Vec<_> = (0..40)
            .map(|i| {
                let (client, base) = (app.client.clone(), app.base.clone());
                tokio::spawn(async move {
                    sign_in(&client, &base, "admin", &format!("guess {i}")).await
                })
            })
            .collect();
        let mut statuses = vec![];
        for g in guesses {
            statuses.push(g.await.unwrap());
        }
        let evaluated = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((evaluated, refused), (5, 35), "{statuses:?}");
        // Locked: the right password is refused too, here and after a restart.
        assert_eq!(
            sign_in(&app.client, &app.base, "admin", PASSWORD).await,
            429
        );
        let restarted = app.another_server().await;
        assert_eq!(
            sign_in(&app.client, &restarted, "admin", PASSWORD).await,
            429
        );
        // Another account is not locked, and its success clears only its own count.
        app.user("hr@x", "permit_officer", None, Some("440000"))
            .await;
        assert_eq!(sign_in(&app.client, &restarted, "hr@x", "wrong").await, 401);
        assert_eq!(
            sign_in(&app.client, &restarted, "hr@x", PASSWORD).await,
            201
        );
        assert_eq!(
            sign_in(&app.client, &app.base, "admin", PASSWORD).await,
            429
        );
    })
    .await;
}

#[tokio::test]
async fn a_success_resets_the_count() {
    each_backend(|app| async move {
        for _ in 0..4 {
            assert_eq!(sign_in(&app.client, &app.base, "admin", "wrong").await, 401);
        }
        assert_eq!(
            sign_in(&app.client, &app.base, "admin", PASSWORD).await,
            201
        );
        for _ in 0..5 {
            assert_eq!(sign_in(&app.client, &app.base, "admin", "wrong").await, 401);
        }
        assert_eq!(sign_in(&app.client, &app.base, "admin", "wrong").await, 429);
    })
    .await;
}
