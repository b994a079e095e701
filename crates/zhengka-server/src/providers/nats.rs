//! A small NATS client over the documented text protocol, enough to publish
//! to JetStream and wait for its acknowledgement: `INFO`, `CONNECT` (headers
//! and no-responders on), `SUB` of one reply inbox, `HPUB` with a
//! `Nats-Msg-Id` header (JetStream drops a repeat of an id within its
//! duplicate window), `MSG`/`HMSG` back on the inbox, `PING`/`PONG`. One
//! request at a time over one connection (the publication is in order
//! anyway); a connection that failed is dropped and made again next time.
//! Plain TCP, no authentication: NATS runs beside the server (as
//! PostgreSQL does); `docs/verification.md` says why not `async-nats`.

use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Mutex;

/// How long a connection, or one request and its answer, may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest message or control line read back (the server's default
/// `max_payload` is 1 MB).
const MAX_READ: usize = 8 * 1024 * 1024;

pub struct Nats {
    address: String,
    timeout: Duration,
    /// The first token of every event subject: `zhengka` in service.
    prefix: String,
    conn: Mutex<Option<Conn>>,
}

impl std::fmt::Debug for Nats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nats({})", self.address)
    }
}

struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    inbox: String,
    next: u64,
}

/// A reply: the status of its header block (`503`: no responders), if any,
/// and the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: Option<u16>,
    pub payload: Vec<u8>,
}

/// JetStream's acknowledgement of a published message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Ack {
    pub stream: String,
    pub seq: u64,
    #[serde(default)]
    pub duplicate: bool,
}

impl Nats {
    /// A client of `nats://host:port` (nothing is connected yet).
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let address = url
            .strip_prefix("nats://")
            .filter(|a| {
                a.rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
            })
            .ok_or_else(|| format!("the NATS URL must be nats://HOST:PORT, got {url}"))?;
        Ok(Self {
            address: address.to_owned(),
            timeout,
            prefix: "zhengka".into(),
            conn: Mutex::new(None),
        })
    }

    /// The same client publishing events under `prefix` instead of
    /// `zhengka` (tests: each its own stream of subjects).
    pub fn with_subject_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    pub fn subject_prefix(&self) -> &str {
        &self.prefix
    }

    /// The subject of an event of `event_type` in `region`:
    /// `zhengka.<region>.<type>`.
    pub fn event_subject(&self, region: &str, event_type: &str) -> String {
        format!("{}.{region}.{event_type}", self.prefix)
    }

    /// Publish `payload` to `subject` through JetStream with message id
    /// `msg_id`, and wait for the stream's acknowledgement.
    pub async fn publish(
        &self,
        subject: &str,
        msg_id: &str,
        payload: &[u8],
    ) -> Result<Ack, String> {
        let reply = self
            .request(subject, &[("Nats-Msg-Id", msg_id)], payload)
            .await?;
        if reply.status == Some(503) {
            return Err(format!("no stream takes {subject}"));
        }
        #[derive(Deserialize)]
        struct Answer {
            #[serde(flatten)]
            ack: Option<Ack>,
            error: Option<serde_json::Value>,
        }
        let answer: Answer = serde_json::from_slice(&reply.payload)
            .map_err(|_| "JetStream answered something that is not an acknowledgement")?;
        match (answer.ack, answer.error) {
            (_, Some(e)) => Err(format!("JetStream refused: {}", e["description"])),
            (Some(ack), None) => Ok(ack),
            (None, None) => Err("JetStream answered without an acknowledgement".into()),
        }
    }

    /// Send a request (with headers, if any) and wait for its one reply.
    pub async fn request(
        &self,
        subject: &str,
        headers: &[(&str, &str)],
        payload: &[u8],
    ) -> Result<Reply, String> {
        if subject.is_empty() || subject.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err("a subject has no spaces".into());
        }
        let mut slot = self.conn.lock().await;
        let result = tokio::time::timeout(self.timeout, async {
            if slot.is_none() {
                *slot = Some(Conn::open(&self.address).await?);
            }
            let conn = slot.as_mut().ok_or("no connection")?;
            conn.request(subject, headers, payload).await
        })
        .await
        .unwrap_or_else(|_| Err("NATS did not answer in time".into()));
        if result.is_err() {
            // Whatever state the connection is in, start again next time.
            *slot = None;
        }
        result
    }
}

fn io(e: std::io::Error) -> String {
    format!("NATS connection: {e}")
}

impl Conn {
    async fn open(address: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(address).await.map_err(io)?;
        stream.set_nodelay(true).map_err(io)?;
        let (r, writer) = stream.into_split();
        let mut conn = Self {
            reader: BufReader::new(r),
            writer,
            inbox: format!("_INBOX.{}", uuid::Uuid::new_v4().simple()),
            next: 0,
        };
        let info = conn.line().await?;
        let info: serde_json::Value = info
            .strip_prefix("INFO ")
            .and_then(|j| serde_json::from_str(j).ok())
            .ok_or("the server did not greet with INFO")?;
        if info["headers"] != serde_json::Value::Bool(true) {
            return Err("this NATS server does not take headers".into());
        }
        let connect = serde_json::json!({
            "verbose": false, "pedantic": false, "tls_required": false,
            "headers": true, "no_responders": true, "echo": false,
            "lang": "rust", "version": env!("CARGO_PKG_VERSION"), "protocol": 1,
            "name": "zhengka",
        });
        let hello = format!("CONNECT {connect}\r\nSUB {}.* 1\r\nPING\r\n", conn.inbox);
        conn.writer.write_all(hello.as_bytes()).await.map_err(io)?;
        loop {
            match conn.line().await?.as_str() {
                "PONG" => return Ok(conn),
                "+OK" => {}
                l if l.starts_with("-ERR") => return Err(format!("NATS refused: {l}")),
                l if l.starts_with("INFO ") => {}
                l => return Err(format!("unexpected line from NATS: {l:.60}")),
            }
        }
    }

    async fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        let n = (&mut self.reader)
            .take(MAX_READ as u64)
            .read_line(&mut line)
            .await
            .map_err(io)?;
        if n == 0 {
            return Err("NATS closed the connection".into());
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }

    async fn request(
        &mut self,
        subject: &str,
        headers: &[(&str, &str)],
        payload: &[u8],
    ) -> Result<Reply, String> {
        self.next += 1;
        let reply_to = format!("{}.{}", self.inbox, self.next);
        let mut out = Vec::with_capacity(payload.len() + 128);
        if headers.is_empty() {
            out.extend(format!("PUB {subject} {reply_to} {}\r\n", payload.len()).bytes());
        } else {
            let mut block = String::from("NATS/1.0\r\n");
            for (k, v) in headers {
                if k.contains(['\r', '\n', ':']) || v.contains(['\r', '\n']) {
                    return Err("a header has no line breaks".into());
                }
                block.push_str(&format!("{k}: {v}\r\n"));
            }
            block.push_str("\r\n");
            let total = block.len() + payload.len();
            out.extend(format!("HPUB {subject} {reply_to} {} {total}\r\n", block.len()).bytes());
            out.extend(block.bytes());
        }
        out.extend_from_slice(payload);
        out.extend(b"\r\n");
        self.writer.write_all(&out).await.map_err(io)?;
        loop {
            let line = self.line().await?;
            let mut words = line.split(' ');
            match words.next().unwrap_or("") {
                "PING" => self.writer.write_all(b"PONG\r\n").await.map_err(io)?,
                "PONG" | "+OK" | "INFO" => {}
                "-ERR" => return Err(format!("NATS refused: {line:.120}")),
                "MSG" | "HMSG" => {
                    let parts: Vec<&str> = line.split(' ').collect();
                    let (msg, sizes) = self.message(&parts).await?;
                    if parts.get(1) == Some(&reply_to.as_str()) {
                        return Ok(split_reply(&msg, sizes));
                    }
                    // A late reply to an earlier request that timed out: dropped.
                }
                _ => return Err(format!("unexpected line from NATS: {line:.60}")),
            }
        }
    }

    /// The bytes of a `MSG subject sid [reply] n` or `HMSG subject sid
    /// [reply] hn n` and its header size.
    async fn message(&mut self, parts: &[&str]) -> Result<(Vec<u8>, usize), String> {
        let num = |s: Option<&&str>| -> Result<usize, String> {
            s.and_then(|s| s.parse().ok())
                .filter(|n| *n <= MAX_READ)
                .ok_or_else(|| "a malformed message line from NATS".to_owned())
        };
        let (header, total) = if parts[0] == "HMSG" {
            (num(parts.get(parts.len() - 2))?, num(parts.last())?)
        } else {
            (0, num(parts.last())?)
        };
        if header > total || parts.len() < 4 {
            return Err("a malformed message line from NATS".into());
        }
        let mut buf = vec![0u8; total + 2];
        self.reader.read_exact(&mut buf).await.map_err(io)?;
        buf.truncate(total);
        Ok((buf, header))
    }
}

/// The header block's status (`NATS/1.0 503`) and the payload after it.
fn split_reply(msg: &[u8], header_len: usize) -> Reply {
    let (head, payload) = msg.split_at(header_len);
    let status = std::str::from_utf8(head)
        .ok()
        .and_then(|h| h.lines().next())
        .and_then(|first| first.strip_prefix("NATS/1.0"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|code| code.parse().ok());
    Reply {
        status,
        payload: payload.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_nats_host_port() {
        assert!(Nats::new("nats://127.0.0.1:4222", DEFAULT_TIMEOUT).is_ok());
        for bad in ["127.0.0.1:4222", "nats://host", "nats://:4222", "tls://h:1"] {
            assert!(Nats::new(bad, DEFAULT_TIMEOUT).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reply_status_is_read_from_its_header_block() {
        let r = split_reply(b"NATS/1.0 503\r\n\r\n", 16);
        assert_eq!((r.status, r.payload.len()), (Some(503), 0));
        let r = split_reply(b"NATS/1.0\r\nA: b\r\n\r\n{}", 18);
        assert_eq!((r.status, r.payload), (None, b"{}".to_vec()));
    }
}
