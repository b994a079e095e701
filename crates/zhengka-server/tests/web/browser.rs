//! Headless Chromium through chromedriver (Debian's packages), with axe-core.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("vendor/axe.min.js");
/// The decoder the verifier page uses, to read back a QR the page shows.
const JSQR: &str = include_str!("../../static/vendor/jsQR.js");

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Our own child, by its handle; Chromium exits with its driver's pipe.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Chromium, or `None` after saying why. Under `CI` a missing browser fails.
pub async fn start() -> Option<Browser> {
    start_with(&[]).await
}

/// Chromium with extra command-line switches (a fake camera).
pub async fn start_with(extra: &[String]) -> Option<Browser> {
    let missing: Vec<_> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "chromium not installed ({} missing; apt-get install chromium chromium-driver)",
            missing.join(", ")
        );
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs the browser: {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        "--lang=en-US",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("--user-data-dir={}", profile.path().display())])
    .chain(extra.iter().cloned())
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": args }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {}: {e}", self.path().await),
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap()
            .is_empty()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Date inputs take keystrokes in the browser's locale; set them directly.
    pub async fn set(&self, css: &str, value: &str) {
        let e = serde_json::to_value(self.find(css).await).unwrap();
        let script = "arguments[0].value = arguments[1]; \
            arguments[0].dispatchEvent(new Event('input', { bubbles: true }));";
        self.client
            .execute(script, vec![e, json!(value)])
            .await
            .unwrap();
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    /// Click something on the page that does not leave it (a radio button).
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Click a link or button that loads another page, and wait until it has.
    pub async fn go(&self, css: &str) {
        let old = self.find("html").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        // The old document's element goes stale once the new one is in.
        while old.attr("lang").await.is_ok() {
            assert!(Instant::now() < deadline, "{css} did not load a page");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let ready = "return document.readyState === 'complete';";
        while self.client.execute(ready, vec![]).await.ok() != Some(json!(true)) {
            assert!(
                Instant::now() < deadline,
                "{css}: page did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    pub async fn attr(&self, css: &str, name: &str) -> String {
        self.find(css)
            .await
            .attr(name)
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// A live property (`value` of a textarea, which is no attribute).
    pub async fn prop(&self, css: &str, name: &str) -> String {
        let e = self.find(css).await;
        e.prop(name).await.unwrap().unwrap_or_default()
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Wait until `css`'s text satisfies `ok`; returns the text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text(css).await;
            if ok(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} stayed {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Run axe-core on the page: no serious or critical violation allowed.
    pub async fn axe(&self, page: &str) {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe loads");
        let script = "const done = arguments[arguments.length - 1];\
            axe.run(document, { resultTypes: ['violations'] })\
              .then(r => done(r.violations\
                .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +\
                     v.nodes.map(n => n.target.join(' ')).join(', '))))\
              .catch(e => done(['axe failed: ' + e]));";
        let found = self.client.execute_async(script, vec![]).await.unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(found.is_empty(), "axe on {page}: {found:#?}");
    }

    /// Fetch `path` with the page's cookies: "status content-type first-5-bytes".
    pub async fn fetch_head(&self, path: &str) -> String {
        let script = "const done = arguments[arguments.length - 1];\
            fetch(arguments[0], { credentials: 'same-origin' })\
              .then(r => r.arrayBuffer().then(b => done(r.status + ' ' +\
                 r.headers.get('content-type') + ' ' +\
                 String.fromCharCode(...new Uint8Array(b.slice(0, 5))))))\
              .catch(e => done('fetch failed: ' + e));";
        let r = self.client.execute_async(script, vec![json!(path)]).await;
        r.unwrap().as_str().unwrap_or_default().to_owned()
    }

    /// Draw the SVG QR at `css` on a canvas (4 px a module) and read it with
    /// jsQR, as the verifier page's camera would: its text, or why not.
    pub async fn decode_qr(&self, css: &str) -> String {
        self.client
            .execute(&format!("{JSQR}\nreturn true;"), vec![])
            .await
            .expect("jsQR loads");
        let script = "const done = arguments[arguments.length - 1];\
            const svg = document.querySelector(arguments[0]);\
            const n = 4 * svg.viewBox.baseVal.width;\
            const img = new Image();\
            img.onload = () => { const c = document.createElement('canvas');\
              c.width = n; c.height = n; const x = c.getContext('2d');\
              x.drawImage(img, 0, 0, n, n); const d = x.getImageData(0, 0, n, n);\
              const r = jsQR(d.data, n, n); done(r ? r.data : 'not decoded'); };\
            img.onerror = () => done('image failed');\
            img.src = 'data:image/svg+xml;charset=utf-8,' +\
              encodeURIComponent(new XMLSerializer().serializeToString(svg));";
        let r = self.client.execute_async(script, vec![json!(css)]).await;
        r.unwrap().as_str().unwrap_or_default().to_owned()
    }

    pub async fn scroll_to(&self, css: &str) {
        let e = serde_json::to_value(self.find(css).await).unwrap();
        let script = "arguments[0].scrollIntoView();";
        self.client.execute(script, vec![e]).await.unwrap();
    }

    /// With `ZHENGKA_WEB_SCREENSHOTS=dir`, keep a picture of the page.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("ZHENGKA_WEB_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    pub async fn sign_in(&self, base: &str, username: &str) {
        self.sign_in_as(base, username, super::server::PASSWORD)
            .await;
    }

    pub async fn sign_in_as(&self, base: &str, username: &str, password: &str) {
        self.goto(&format!("{base}/web/sign-in")).await;
        self.fill("#f-username", username).await;
        self.fill("#f-password", password).await;
        self.go("main form button[type=submit]").await;
        let path = self.path().await;
        assert!(
            !path.starts_with("/web/sign-in"),
            "{username} could not sign in: {path} {}",
            self.text("body").await
        );
    }

    pub async fn sign_out(&self) {
        self.go("form[action='/web/sign-out'] button").await;
        assert_eq!(self.path().await, "/web/sign-in");
    }

    pub async fn finish(self) {
        let client = self.client.clone();
        client.close().await.unwrap();
    }
}

/// A catalogue text, as the pages show it.
pub fn text(lang: &str, key: &str) -> String {
    let json = match lang {
        "en" => include_str!("../../i18n/en.json"),
        _ => include_str!("../../i18n/zh-CN.json"),
    };
    let map: Value = serde_json::from_str(json).unwrap();
    map[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key}"))
        .to_owned()
}
