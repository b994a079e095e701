//! The real-person provider's answer, judged (protocol v1, ECARD.md): both
//! `liveness` and `match` must be `pass` and `score` at least the threshold;
//! anything else than a well-formed 200 for our request is "unavailable", which
//! counts against nobody and may be retried.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckResponse {
    pub request_id: String,
    pub liveness: String,
    #[serde(rename = "match")]
    pub face_match: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass {
        score: f64,
    },
    Fail {
        score: f64,
    },
    /// The provider could not be asked or gave no usable answer: why, for logs.
    Unavailable(String),
}

/// Judge the provider's HTTP answer to the check `request_id`.
pub fn judge(request_id: &str, status: u16, body: &[u8], threshold: f64) -> Verdict {
    if status != 200 {
        return Verdict::Unavailable(format!("provider answered {status}"));
    }
    let r: CheckResponse = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return Verdict::Unavailable(format!("malformed answer: {e}")),
    };
    if r.request_id != request_id {
        return Verdict::Unavailable("the answer is for another request".into());
    }
    let known = |v: &str| v == "pass" || v == "fail";
    if !known(&r.liveness) || !known(&r.face_match) || !(0.0..=1.0).contains(&r.score) {
        return Verdict::Unavailable("the answer has values outside the protocol".into());
    }
    if r.liveness == "pass" && r.face_match == "pass" && r.score >= threshold {
        Verdict::Pass { score: r.score }
    } else {
        Verdict::Fail { score: r.score }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(id: &str, liveness: &str, m: &str, score: f64) -> Vec<u8> {
        format!(r#"{{"request_id":"{id}","liveness":"{liveness}","match":"{m}","score":{score}}}"#)
            .into_bytes()
    }

    #[test]
    fn both_checks_and_the_score_must_pass() {
        assert_eq!(
            judge("r", 200, &body("r", "pass", "pass", 0.93), 0.8),
            Verdict::Pass { score: 0.93 }
        );
        assert_eq!(
            judge("r", 200, &body("r", "fail", "pass", 0.93), 0.8),
            Verdict::Fail { score: 0.93 }
        );
        assert_eq!(
            judge("r", 200, &body("r", "pass", "fail", 0.93), 0.8),
            Verdict::Fail { score: 0.93 }
        );
        assert_eq!(
            judge("r", 200, &body("r", "pass", "pass", 0.79), 0.8),
            Verdict::Fail { score: 0.79 }
        );
    }

    #[test]
    fn anything_else_is_unavailable() {
        let u = |v: Verdict| matches!(v, Verdict::Unavailable(_));
        assert!(u(judge("r", 503, &body("r", "pass", "pass", 1.0), 0.8)));
        assert!(u(judge("r", 200, b"<html>", 0.8)));
        assert!(u(judge("r", 200, &body("other", "pass", "pass", 1.0), 0.8)));
        assert!(u(judge("r", 200, &body("r", "maybe", "pass", 1.0), 0.8)));
        assert!(u(judge("r", 200, &body("r", "pass", "pass", 1.5), 0.8)));
        assert!(u(judge("r", 200, br#"{"request_id":"r"}"#, 0.8)));
    }

    proptest! {
        #[test]
        fn no_body_panics_and_garbage_never_passes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let passed = matches!(judge("r", 200, &bytes, 0.8), Verdict::Pass { .. });
            prop_assert!(!passed);
        }
    }
}
