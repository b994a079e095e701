//! The one place outgoing HTTP clients are built: agency webhooks, peer
//! regions, the notification gateway, the real-person provider (and the
//! `zhengka verify sync|upload` commands). `https://` is spoken with rustls
//! on ring; a server's certificate must chain to the platform's root store
//! (on Debian `/etc/ssl/certs`, kept by `ca-certificates`; `SSL_CERT_FILE`
//! names another bundle) or to a CA of the operator's extra bundle
//! (`--tls-ca-file`), and name the host. There is no switch that accepts an
//! unverified certificate. `http://` works as before.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Whom outgoing TLS connections trust besides the platform's roots.
#[derive(Clone, Default)]
pub struct OutgoingTls {
    /// The operator's extra CA bundle, if any: its path and certificates.
    extra: Option<(PathBuf, Vec<reqwest::Certificate>)>,
}

/// The file and the number of CAs only.
impl std::fmt::Debug for OutgoingTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.extra {
            Some((path, certs)) => write!(
                f,
                "OutgoingTls(platform roots + {} CA(s) from {})",
                certs.len(),
                path.display()
            ),
            None => f.write_str("OutgoingTls(platform roots)"),
        }
    }
}

impl OutgoingTls {
    /// The platform's roots and, with `ca_file`, the CA certificates of that
    /// PEM bundle (one or more `BEGIN CERTIFICATE` blocks). A file that
    /// cannot be read, or holds no certificate, is refused.
    pub fn new(ca_file: Option<&Path>) -> Result<Self, String> {
        let Some(path) = ca_file else {
            return Ok(Self::default());
        };
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("the CA file {} is not PEM: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "the CA file {} holds no certificate (PEM, BEGIN CERTIFICATE)",
                path.display()
            ));
        }
        let this = Self {
            extra: Some((path.to_owned(), certs)),
        };
        // A certificate that cannot be parsed is refused now, not at the
        // first connection.
        this.client(Duration::from_secs(1))
            .map_err(|e| format!("the CA file {}: {e}", path.display()))?;
        Ok(this)
    }

    /// A client builder that trusts these roots and gives up after `timeout`;
    /// a caller may set more (redirects) before it builds.
    pub fn builder(&self, timeout: Duration) -> reqwest::ClientBuilder {
        let mut builder = reqwest::Client::builder().use_rustls_tls().timeout(timeout);
        if let Some((_, certs)) = &self.extra {
            for cert in certs {
                builder = builder.add_root_certificate(cert.clone());
            }
        }
        builder
    }

    /// A client that trusts these roots and gives up after `timeout`.
    pub fn client(&self, timeout: Duration) -> Result<reqwest::Client, String> {
        self.builder(timeout).build().map_err(|e| describe(&e))
    }
}

/// The clients the jobs share (connections pooled per host).
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Agency webhooks (their receivers have 10 s to answer).
    pub webhooks: reqwest::Client,
    /// Peer regions' trust and status lists (10 s, no redirects).
    pub peers: reqwest::Client,
}

/// How long an agency's receiver or a peer region may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

impl Outgoing {
    pub fn new(tls: &OutgoingTls) -> Result<Self, String> {
        Ok(Self {
            webhooks: tls.client(TIMEOUT)?,
            peers: tls
                .builder(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| describe(&e))?,
        })
    }
}

/// The platform's roots only, built once per process (a client is a handle:
/// clones share its connections). A platform store of nothing but unreadable
/// certificates (reqwest refuses it) leaves no roots at all: every
/// `https://` connection then fails as "certificate not trusted".
impl Default for Outgoing {
    fn default() -> Self {
        static PLATFORM: OnceLock<Outgoing> = OnceLock::new();
        let platform = PLATFORM.get_or_init(|| {
            Self::new(&OutgoingTls::default()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "no usable platform root store for outgoing TLS");
                let bare = |b: reqwest::ClientBuilder| {
                    b.tls_built_in_root_certs(false).build().unwrap_or_default()
                };
                let tls = OutgoingTls::default();
                let no_redirects = reqwest::redirect::Policy::none();
                Self {
                    webhooks: bare(tls.builder(TIMEOUT)),
                    peers: bare(tls.builder(TIMEOUT).redirect(no_redirects)),
                }
            })
        });
        platform.clone()
    }
}

/// What went wrong with a request, in a few words to keep or show (never a
/// body or a secret): a refused certificate is told apart from a refused
/// connection, a time-out and other failures.
pub fn describe(e: &reqwest::Error) -> String {
    if let Some(tls) = tls_error(e) {
        return describe_tls(tls);
    }
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_builder() {
        format!("bad client configuration: {}", chain(e))
    } else {
        "request failed".into()
    }
}

/// The rustls error under `e`, if the handshake failed. tokio-rustls wraps
/// it in an `io::Error` (itself in another), whose `source()` skips what it
/// wraps: look inside those too.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let wrapped = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref());
    if let Some(tls) = wrapped.and_then(|inner| tls_error(inner)) {
        return Some(tls);
    }
    e.source().and_then(tls_error)
}

fn describe_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let certificate = match e {
        rustls::Error::InvalidCertificate(c) => c,
        other => return format!("TLS handshake failed: {other}"),
    };
    match certificate {
        C::UnknownIssuer => {
            "TLS: certificate not trusted (unknown issuer; its CA is neither in the platform's \
             root store nor in --tls-ca-file)"
                .into()
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "TLS: certificate not valid for this host name".into()
        }
        C::Expired | C::ExpiredContext { .. } => "TLS: certificate expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "TLS: certificate not valid yet".into(),
        C::Revoked => "TLS: certificate revoked".into(),
        other => format!("TLS: certificate refused ({other:?})"),
    }
}

/// `e` and its causes, for errors that are the operator's to fix.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_is_missing_or_holds_no_certificate_is_refused() {
        let dir = std::env::temp_dir().join(format!("zk-outgoing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let err = OutgoingTls::new(Some(&missing)).unwrap_err();
        assert!(err.starts_with("cannot read the CA file"), "{err}");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = OutgoingTls::new(Some(&empty)).unwrap_err();
        assert!(err.contains("holds no certificate"), "{err}");
        let broken = dir.join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(OutgoingTls::new(Some(&broken)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
        let platform = OutgoingTls::new(None).unwrap();
        assert_eq!(format!("{platform:?}"), "OutgoingTls(platform roots)");
    }
}
