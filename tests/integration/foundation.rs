//! Health, readiness, metrics, the OpenAPI document, the start page, error
//! pages and security headers.

use reqwest::{header, StatusCode};

db_test!(
    async fn health_and_readiness(app: TestApp) {
        let health = app.get("/healthz").await;
        assert_eq!(health.status(), StatusCode::OK);
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), StatusCode::OK);
        assert!(ready.headers().contains_key("x-request-id"), "every answer carries a request id");

        // With the database gone, readiness says so while liveness holds.
        app.state.db.clone().close().await.expect("close pool");
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.headers()[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    }
);

db_test!(
    async fn start_page_renders_with_security_headers(app: TestApp) {
        let response = app.get("/").await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(headers[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().contains("max-age="));
        let html = response.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("href=\"/login\""), "a way to log in");
        assert!(html.contains("chronic pain"), "says what icbt is");

        let dutch =
            app.client.get(app.url("/")).header("accept-language", "nl-NL,nl;q=0.9").send().await.unwrap();
        let html = dutch.text().await.unwrap();
        assert!(html.contains("<html lang=\"nl\">") && html.contains("Inloggen"), "{html}");

        let css = app.get(&format!("/static/app.css?v={}", icbt::web::asset_version())).await;
        assert_eq!(css.status(), StatusCode::OK);
        assert!(css.headers()[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));

        // An icon: linked from every page, and at the path browsers guess.
        assert!(html.contains("rel=\"icon\" href=\"/static/icon.svg?v="), "{html}");
        for path in ["/favicon.ico", "/static/icon.svg"] {
            let icon = app.get(path).await;
            assert_eq!(icon.status(), StatusCode::OK, "{path}");
            assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml", "{path}");
            assert!(icon.text().await.unwrap().starts_with("<svg"), "{path}");
        }
    }
);

db_test!(
    async fn errors_are_pages_for_browsers_and_problems_for_the_api(app: TestApp) {
        let page = app.get("/no/such/page").await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("Not found") && html.contains("href=\"/\""), "{html}");

        let api = app.get("/api/v1/no-such-thing").await;
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        assert_eq!(api.headers()[header::CONTENT_TYPE], "application/problem+json");
        let problem: serde_json::Value = api.json().await.unwrap();
        assert_eq!(problem["status"], 404);
        assert!(problem["type"].as_str().unwrap().ends_with("/not-found"));
    }
);

db_test!(
    async fn metrics_count_requests_by_route_and_status(app: TestApp) {
        for _ in 0..3 {
            app.get("/healthz").await;
        }
        let text = app.get("/metrics").await.text().await.unwrap();
        let line = text
            .lines()
            .find(|l| {
                l.starts_with("http_requests_total")
                    && l.contains("route=\"/healthz\"")
                    && l.contains("status=\"200\"")
            })
            .unwrap_or_else(|| panic!("no healthz counter in:\n{text}"));
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(count >= 3.0, "{line}");
        assert!(text.contains("http_request_duration_seconds_bucket"), "latency histogram");
    }
);

db_test!(
    async fn openapi_document_is_published(app: TestApp) {
        let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc["paths"]["/readyz"]["get"].is_object(), "{doc}");
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
);

db_test!(
    async fn bodies_over_one_mebibyte_get_413(app: TestApp) {
        let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(1_100_000));
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
        let fine = app.request_token("nobody@example.org", "not a password", None).await;
        assert_eq!(fine.status(), StatusCode::UNAUTHORIZED, "ordinary bodies pass");
    }
);
