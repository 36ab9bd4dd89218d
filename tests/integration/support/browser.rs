//! A real headless Chromium, driven over WebDriver (chromedriver) with
//! fantoccini. Every page visited is checked with axe-core and kept as a
//! screenshot; when a test fails, the screenshots land in `tests/artifacts/`.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    name: String,
    shots: Vec<(String, Vec<u8>)>,
    axe: String,
}

fn require_browser() -> bool {
    std::env::var("ICBT_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

impl Browser {
    /// `None` (with a note) when Chromium is not installed and the run does
    /// not require it; `scripts/test` requires it.
    pub async fn start(name: &str) -> Option<Browser> {
        let installed =
            ["/usr/bin/chromium", "/usr/bin/chromedriver"].iter().all(|p| std::path::Path::new(p).exists());
        let axe_path = std::env::var("ICBT_AXE_JS").map(PathBuf::from).unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
        });
        let axe = std::fs::read_to_string(&axe_path).ok();
        let (true, Some(axe)) = (installed, axe) else {
            assert!(
                !require_browser(),
                "Chromium, chromedriver or axe-core missing ({})",
                axe_path.display()
            );
            eprintln!("note: Chromium or axe-core is not installed: browser test {name} skipped (scripts/test installs them)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // fantoccini speaks plain HTTP to chromedriver, but its rustls build
        // needs a crypto provider chosen once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display())
                ]
            }
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("connect to chromedriver");
        Some(Browser { client, driver, _profile: profile, name: name.to_string(), shots: Vec::new(), axe })
    }

    /// Opens `url`, keeps a screenshot and checks the page with axe-core.
    pub async fn visit(&mut self, url: &str, step: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("{step}: {e}"));
        self.page_loaded(step).await;
    }

    /// After a navigation (a link or a form): screenshot and axe.
    pub async fn page_loaded(&mut self, step: &str) {
        if let Ok(png) = self.client.screenshot().await {
            self.shots.push((step.to_string(), png));
        }
        self.check_accessibility(step).await;
    }

    /// A screenshot with `css` scrolled into view, for what lies below the fold.
    pub async fn shot_of(&mut self, css: &str, step: &str) {
        let script = "document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); return true;";
        self.client.execute(script, vec![json!(css)]).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        if let Ok(png) = self.client.screenshot().await {
            self.shots.push((step.to_string(), png));
        }
    }

    /// Logs in as `email` (with the test password) through the login form.
    pub async fn log_in(&mut self, app: &crate::support::TestApp, email: &str) {
        self.visit(&app.url("/login"), "login").await;
        self.fill("#email", email).await;
        self.fill("#password", crate::support::accounts::PASSWORD).await;
        self.submit("form[action='/login'] button", "logged-in").await;
    }

    /// axe-core: no WCAG 2.2 A/AA violation of any impact.
    pub async fn check_accessibility(&mut self, step: &str) {
        self.client.execute(&self.axe, vec![]).await.expect("inject axe-core");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] })
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                                         nodes: v.nodes.slice(0, 3).map(n => n.html) }))))
               .catch(e => done([{ id: "axe-error", help: String(e) }]));
        "#;
        let violations = self.client.execute_async(script, vec![]).await.expect("run axe-core");
        let list = violations.as_array().cloned().unwrap_or_default();
        assert!(
            list.is_empty(),
            "{step}: accessibility violations:\n{}",
            serde_json::to_string_pretty(&list).unwrap()
        );
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.clear().await.ok();
        element.send_keys(text).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks and waits for the next page to load.
    pub async fn submit(&mut self, css: &str, step: &str) {
        self.click(css).await;
        self.wait_for_load().await;
        self.page_loaded(step).await;
    }

    async fn wait_for_load(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let ready = self.client.execute("return document.readyState", vec![]).await.ok();
            if ready.as_ref().and_then(Value::as_str) == Some("complete") {
                return;
            }
            assert!(Instant::now() < deadline, "page did not load");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn text(&self) -> String {
        self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
    }
}

impl Drop for Browser {
    /// Every page's screenshot is kept in `tests/artifacts/<test>/`, to look
    /// at after a run (CI keeps the folder); a failing test says where.
    fn drop(&mut self) {
        if !self.shots.is_empty() {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts").join(&self.name);
            // Only this run's pages: an earlier run's may have other steps.
            let _ = std::fs::remove_dir_all(&dir);
            let _ = std::fs::create_dir_all(&dir);
            for (n, (step, png)) in self.shots.iter().enumerate() {
                let file = format!("{:02}-{}.png", n, step.replace([' ', '/'], "-"));
                let _ = std::fs::write(dir.join(file), png);
            }
            if std::thread::panicking() {
                eprintln!("screenshots of {} kept in {}", self.name, dir.display());
            }
        }
        let _ = self.driver.kill();
    }
}

/// Fails unless each of `parts` appears in `text`, in this order: what a
/// person reads top to bottom.
pub fn assert_in_order(text: &str, parts: &[&str]) {
    let at: Vec<usize> = parts
        .iter()
        .map(|p| text.find(p).unwrap_or_else(|| panic!("{p:?} is not shown in:\n{text}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "not in the order {parts:?}:\n{text}");
}
