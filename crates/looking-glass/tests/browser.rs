//! Browser tests in a real headless Chromium driven over WebDriver
//! (Debian `chromium` and `chromium-driver`): the overview, a member page
//! reached by its link, a filtered route with its reason in words, a prefix
//! search through the form, the page on a phone-sized window, and dark mode.
//! Accessibility basics are checked in the browser: every input has a
//! label, text contrast is at least 4.5:1 in light and dark.
//! Screenshots go to `target/lg-screenshots/`.
//!
//! Skips when Chromium or chromedriver is missing, unless `CI=true`.
//!
//! ```text
//!   Alpha AS262589 127.0.23.2 ──┐
//!                               ├── condor AS64115 127.0.23.1 ── looking glass ◄── Chromium ◄── chromedriver ◄── this test
//!   Bravo AS6147   127.0.23.3 ──┘
//! ```

#![allow(clippy::unwrap_used)] // test helpers panic on failure by design

mod common;

use base64::Engine as _;
use common::support::*;
use common::*;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";

fn find(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join(bin))
        .find(|p| p.is_file())
}

/// chromedriver in a process group of its own, with the Chromium it
/// starts: the whole group is killed when dropped, even if the test failed
/// before closing its session.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = rustix::process::Pid::from_child(&self.0);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A WebDriver session (W3C protocol over the test HTTP client).
struct Session {
    http: Client,
    id: String,
}

impl Session {
    async fn cmd(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(&format!("/session/{}{path}", self.id), &body)
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        r.json()["value"].clone()
    }
    async fn get(&self, path: &str) -> Value {
        let r = self.http.get(&format!("/session/{}{path}", self.id)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        r.json()["value"].clone()
    }
    async fn go(&self, url: &str) {
        self.cmd("/url", json!({ "url": url })).await;
    }
    async fn find(&self, using: &str, value: &str) -> String {
        let v = self
            .cmd("/element", json!({"using": using, "value": value}))
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(|x| x.as_str())
            .expect("element id")
            .to_string()
    }
    async fn text(&self) -> String {
        self.script("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    /// Clicks an element and waits for the page it leads to (URL ending in `to`).
    async fn click_to(&self, element: &str, to: &str) {
        self.cmd(&format!("/element/{element}/click"), json!({}))
            .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.get("/url").await;
            let ready = self.script("return document.readyState;").await;
            if url.as_str().is_some_and(|u| u.contains(to)) && ready == "complete" {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no page {to}: at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    async fn script(&self, js: &str) -> Value {
        self.cmd("/execute/sync", json!({"script": js, "args": []}))
            .await
    }
    async fn screenshot(&self, name: &str) {
        let b64 = self.get("/screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64"))
            .expect("valid base64");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/lg-screenshots"
        ));
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
    async fn window(&self, w: u32, h: u32) {
        self.cmd("/window/rect", json!({"width": w, "height": h}))
            .await;
    }
    async fn color_scheme(&self, scheme: &str) {
        self.cmd(
            "/goog/cdp/execute",
            json!({"cmd": "Emulation.setEmulatedMedia",
                   "params": {"features": [{"name": "prefers-color-scheme", "value": scheme}]}}),
        )
        .await;
    }
    /// Contrast ratio (WCAG 2) of the body text on its background.
    async fn body_contrast(&self) -> f64 {
        let v = self
            .script(
                "const s = getComputedStyle(document.body); return [s.color, s.backgroundColor];",
            )
            .await;
        let lum = |c: &str| -> f64 {
            let n: Vec<f64> = c
                .trim_start_matches("rgba(")
                .trim_start_matches("rgb(")
                .trim_end_matches(')')
                .split(',')
                .take(3)
                .map(|x| x.trim().parse::<f64>().expect("rgb component") / 255.0)
                .map(|x| {
                    if x <= 0.03928 {
                        x / 12.92
                    } else {
                        ((x + 0.055) / 1.055).powf(2.4)
                    }
                })
                .collect();
            0.2126 * n[0] + 0.7152 * n[1] + 0.0722 * n[2]
        };
        let (a, b) = (lum(v[0].as_str().unwrap()), lum(v[1].as_str().unwrap()));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

async fn wait_ready(http: &Client) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(http.server).await.is_ok() {
            let r = http.get("/status").await;
            if r.status == 200 && r.json()["value"]["ready"] == true {
                return;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_headless_chromium() {
    let (Some(driver_bin), true) = (find("chromedriver"), PathBuf::from(CHROMIUM).is_file()) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "chromium and chromium-driver are required in CI (scripts/test.sh installs them)"
            );
        }
        eprintln!(
            "SKIPPED: chromium or chromedriver missing (apt-get install chromium chromium-driver)"
        );
        return;
    };
    init_logging();
    let (a, b) = (ip(23, 2), ip(23, 3));
    let d = ConfigBuilder::new(ip(23, 1))
        .filters(&filters())
        .neighbor({
            let mut n = NeighborCfg::member(a, 262589);
            n.name = "Alpha Networks".into();
            n
        })
        .neighbor({
            let mut n = NeighborCfg::member(b, 6147);
            n.name = "Bravo Telecom".into();
            n
        })
        .start()
        .await;
    let rs = listen_addr(&d);
    let lg = start_lg(&d, ip(23, 1), options()).await;
    let c = Client::new(lg);
    let mut sa = Speaker::establish(SpeakerCfg::new(a, 262589), rs).await;
    let mut sb = Speaker::establish(SpeakerCfg::new(b, 6147), rs).await;
    sa.announce(
        &[pfx("200.48.0.0/16"), pfx("10.0.0.0/8")],
        &[262589],
        a,
        None,
    )
    .await;
    sb.announce(
        &[pfx("200.48.0.0/16"), pfx("190.12.0.0/16")],
        &[6147, 3356],
        b,
        None,
    )
    .await;
    let (a_s, b_s) = (a.to_string(), b.to_string());
    wait_for(&c, "routes counted", |v| {
        neighbor(v, &a_s).is_some_and(|x| x["received"] == 2)
            && neighbor(v, &b_s).is_some_and(|x| x["received"] == 2)
    })
    .await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _driver = Driver(
        Command::new(driver_bin)
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let http = Client::new(format!("127.0.0.1:{port}").parse().unwrap());
    wait_ready(&http).await;
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": CHROMIUM, "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", "--window-size=1280,900"]}}}});
    let r = http.post("/session", &caps).await;
    assert_eq!(r.status, 200, "new session: {}", r.body);
    let id = r.json()["value"]["sessionId"]
        .as_str()
        .expect("session id")
        .to_string();
    let s = Session {
        http: http.clone(),
        id,
    };
    let base = format!("http://{lg}");

    // Overview.
    s.go(&format!("{base}/")).await;
    let title = s.get("/title").await;
    assert!(title.as_str().unwrap().starts_with("Overview"), "{title}");
    let text = s.text().await;
    assert!(
        text.contains("Alpha Networks") && text.contains("Bravo Telecom"),
        "{text}"
    );
    assert!(
        text.contains("Sessions up\n2 of 2") || text.contains("2 of 2"),
        "{text}"
    );
    s.screenshot("overview.png").await;

    // The member page, through its link: the filtered route and its reason.
    let link = s.find("link text", "Alpha Networks").await;
    s.cmd(&format!("/element/{link}/click"), json!({})).await;
    let url = s.get("/url").await;
    assert!(
        url.as_str().unwrap().ends_with(&format!("/member/{a_s}")),
        "{url}"
    );
    let text = s.text().await;
    assert!(text.contains("Filtered routes, with the reason"));
    assert!(text.contains("10.0.0.0/8"));
    assert!(
        text.contains("prefix is in a special-purpose (bogon) range"),
        "{text}"
    );
    assert!(
        text.contains("receives this instead of the overall best path"),
        "{text}"
    );
    s.screenshot("member.png").await;

    // Prefix search through the form, as seen by Bravo.
    s.go(&format!("{base}/search")).await;
    let unlabeled = s
        .script("return [...document.querySelectorAll('input')].filter(i => !document.querySelector('label[for=\"' + i.id + '\"]')).length;")
        .await;
    assert_eq!(unlabeled, 0, "every input has a label");
    let q = s.find("css selector", "#q").await;
    s.cmd(
        &format!("/element/{q}/value"),
        json!({"text": "200.48.7.9"}),
    )
    .await;
    let client = s.find("css selector", "#client").await;
    s.cmd(&format!("/element/{client}/value"), json!({"text": b_s}))
        .await;
    let button = s.find("css selector", "button[type=submit]").await;
    s.click_to(&button, "/search?q=200.48.7.9").await;
    let text = s.text().await;
    assert!(
        text.contains("200.48.0.0/16 — 2 candidate path(s)"),
        "{text}"
    );
    assert!(text.contains("best overall"));
    assert!(
        text.contains("Bravo Telecom receives the overall best path"),
        "{text}"
    );
    s.screenshot("search.png").await;

    // Light and dark, readable contrast.
    s.go(&format!("{base}/member/{a_s}")).await;
    s.color_scheme("light").await;
    let light = s.body_contrast().await;
    let bg_light = s
        .script("return getComputedStyle(document.body).backgroundColor;")
        .await;
    s.color_scheme("dark").await;
    let dark = s.body_contrast().await;
    let bg_dark = s
        .script("return getComputedStyle(document.body).backgroundColor;")
        .await;
    assert_ne!(bg_light, bg_dark, "dark mode changes the background");
    assert!(
        light >= 4.5 && dark >= 4.5,
        "contrast light {light:.1} dark {dark:.1}"
    );
    s.screenshot("member-dark.png").await;

    // A phone: nothing wider than the screen but the scrolling tables.
    s.color_scheme("light").await;
    s.window(390, 844).await;
    s.go(&format!("{base}/member/{a_s}")).await;
    let overflow = s
        .script("return document.documentElement.scrollWidth <= window.innerWidth + 1;")
        .await;
    assert_eq!(overflow, true, "the page fits a phone's width");
    s.screenshot("member-phone.png").await;

    // The peering matrix.
    s.window(1280, 900).await;
    s.go(&format!("{base}/matrix")).await;
    let text = s.text().await;
    assert!(
        text.contains("Prefixes received by the row from the column"),
        "{text}"
    );
    s.screenshot("matrix.png").await;

    let _ = http.delete(&format!("/session/{}", s.id)).await;
    drop((sa, sb));
}
