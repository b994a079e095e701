//! The real-person (liveness + face match) provider, protocol v1 (ECARD.md):
//! `POST {url}/v1/checks` with a bearer token, judged by
//! `zhengka_domain::ecard::judge`. The demo provider passes every image and
//! exists only for `serve --demo`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::ecard::{Verdict, judge};

use super::outgoing::OutgoingTls;

/// The threshold a score must reach, unless configured otherwise.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// How long the provider may take (protocol v1: 10 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one check sends. The probe image is not kept after the check.
pub struct CheckRequest<'a> {
    pub request_id: &'a str,
    pub name: &'a str,
    pub permit_number: &'a str,
    pub reference_photo: Option<&'a [u8]>,
    pub probe_image: &'a [u8],
    pub captured_at: DateTime<Utc>,
}

/// The outcome and who gave it (kept with the holder account).
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub verdict: Verdict,
    pub provider: &'static str,
}

pub enum RealPersonProvider {
    Http(HttpProvider),
    /// `serve --demo` only: passes everything, and the holder is marked `demo`.
    Demo,
}

pub struct HttpProvider {
    checks_url: String,
    token: String,
    threshold: f64,
    client: reqwest::Client,
}

impl std::fmt::Debug for RealPersonProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Http(h) => write!(f, "RealPersonProvider({}, token ***)", h.checks_url),
            Self::Demo => f.write_str("RealPersonProvider(demo)"),
        }
    }
}

impl RealPersonProvider {
    /// A provider at `url` (`http://` or `https://HOST:PORT`; TLS verified
    /// as `tls` says). Refuses a URL it cannot use.
    pub fn http(
        url: &str,
        token: &str,
        threshold: f64,
        timeout: Duration,
        tls: &OutgoingTls,
    ) -> Result<Self, String> {
        let url = url.trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "the real-person provider URL must be http(s)://HOST:PORT, got {url}"
            ));
        }
        if token.is_empty() {
            return Err("the real-person provider needs a token".into());
        }
        if !(0.0..=1.0).contains(&threshold) {
            return Err("the score threshold is between 0 and 1".into());
        }
        let client = tls.client(timeout)?;
        Ok(Self::Http(HttpProvider {
            checks_url: format!("{url}/v1/checks"),
            token: token.to_owned(),
            threshold,
            client,
        }))
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, Self::Demo)
    }

    pub async fn check(&self, req: &CheckRequest<'_>) -> Checked {
        match self {
            Self::Demo => Checked {
                verdict: Verdict::Pass { score: 1.0 },
                provider: "demo",
            },
            Self::Http(h) => Checked {
                verdict: h.check(req).await,
                provider: "http",
            },
        }
    }
}

impl HttpProvider {
    async fn check(&self, req: &CheckRequest<'_>) -> Verdict {
        let body = json!({
            "request_id": req.request_id,
            "subject": { "name": req.name, "permit_number": req.permit_number },
            "reference_photo": req.reference_photo.map(|p| STANDARD.encode(p)),
            "probe_image": STANDARD.encode(req.probe_image),
            "captured_at": req.captured_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        let sent = self
            .client
            .post(&self.checks_url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Verdict::Unavailable("provider timed out".into()),
            Err(e) => {
                let why = super::outgoing::describe(&e);
                return Verdict::Unavailable(format!("provider unreachable: {why}"));
            }
        };
        let status = response.status().as_u16();
        match response.bytes().await {
            Ok(bytes) => judge(req.request_id, status, &bytes, self.threshold),
            Err(e) => Verdict::Unavailable(format!("provider answer cut short: {e}")),
        }
    }
}
