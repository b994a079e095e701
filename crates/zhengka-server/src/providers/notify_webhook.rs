//! The notification webhook: an email/SMS gateway that receives each holder
//! notification as `POST {url}` with a JSON body, signed like the verification
//! webhooks (VERIFICATION.md): `Zhengka-Event-Id`, `Zhengka-Timestamp` (unix
//! seconds) and `Zhengka-Signature: v1=<hex HMAC-SHA-256(secret, timestamp +
//! "." + body)>`. Any 2xx is delivered; anything else is a failure to retry.

use std::time::Duration;

use ring::hmac;

/// How long the gateway may take to answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct NotifyWebhook {
    url: String,
    key: hmac::Key,
    client: reqwest::Client,
}

/// The URL only: the secret never prints.
impl std::fmt::Debug for NotifyWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NotifyWebhook({}, secret ***)", self.url)
    }
}

use super::outgoing::OutgoingTls;
use super::signing::post_signed;
pub use super::signing::signature;

impl NotifyWebhook {
    /// A webhook at `url` (`http://` or `https://HOST:PORT/PATH`; TLS
    /// verified as `tls` says).
    pub fn new(
        url: &str,
        secret: &str,
        timeout: Duration,
        tls: &OutgoingTls,
    ) -> Result<Self, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "the notification webhook URL must be http(s)://HOST:PORT/PATH, got {url}"
            ));
        }
        if secret.len() < 16 {
            return Err("the notification webhook secret needs at least 16 characters".into());
        }
        let client = tls.client(timeout)?;
        Ok(Self {
            url: url.to_owned(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
            client,
        })
    }

    /// Send `body` as event `event_id` at `timestamp`; the error says what
    /// failed in a few words (never the body or the secret), to keep.
    pub async fn send(&self, event_id: &str, timestamp: i64, body: Vec<u8>) -> Result<(), String> {
        post_signed(
            &self.client,
            &self.url,
            &self.key,
            event_id,
            timestamp,
            body,
        )
        .await
    }
}
