//! Unknown paths and wrong methods under `/api/v1` answer the error envelope.

use reqwest::Method;

use crate::helpers::*;

#[tokio::test]
async fn unknown_api_paths_answer_the_error_envelope() {
    each_backend(|app| async move {
        for path in [
            "/api/v1/nowhere",
            "/api/v1/permits/X1/nowhere",
            "/api/v2/sessions",
        ] {
            for token in ["", app.admin.as_str()] {
                let r = app.get(path, token).await;
                assert_eq!((r.status, r.error()), (404, ("not_found", None)), "{path}");
                assert!(r.body["error"]["message"].is_string(), "{path}");
            }
        }
        let r = app
            .request(Method::DELETE, "/api/v1/nowhere", "", None, &[])
            .await;
        assert_eq!((r.status, r.error().0), (404, "not_found"));
        // Pages are not API: they keep a bare 404.
        let page = app.get("/web/nowhere", "").await;
        assert_eq!(page.status, 404);
        assert!(page.body.get("error").is_none());
    })
    .await;
}

#[tokio::test]
async fn wrong_methods_answer_405_with_the_envelope_and_allow() {
    each_backend(|app| async move {
        for (method, path, allowed) in [
            (Method::DELETE, "/api/v1/applications", "GET,HEAD,POST"),
            (Method::PUT, "/api/v1/sessions", "POST"),
            (Method::GET, "/api/v1/verifications", "POST"),
            (Method::POST, "/api/v1/trust-list", "GET,HEAD"),
            (Method::PATCH, "/api/v1/permits/X00000000", "GET,HEAD"),
            (Method::POST, "/healthz", "GET,HEAD"),
        ] {
            let res = app
                .client
                .request(method.clone(), format!("{}{path}", app.base))
                .bearer_auth(&app.admin)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 405, "{method} {path}");
            let allow = res.headers()["allow"].to_str().unwrap().replace(' ', "");
            let mut allow: Vec<&str> = allow.split(',').collect();
            allow.sort_unstable();
            assert_eq!(allow.join(","), allowed, "{method} {path}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(
                body["error"]["code"], "method_not_allowed",
                "{method} {path}"
            );
            assert!(body["error"]["field"].is_null());
        }
    })
    .await;
}
