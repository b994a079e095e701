//! Shared steps of the card side's stories: a permit holder, an enrolment, a
//! card, the outbox pass.

use chrono::Utc;
use serde_json::{Value, json};
use zhengka_credential::{Status, StatusList, TrustList};

use crate::helpers::*;

pub struct Cast {
    pub employer: String,
    pub agent: String,
    pub officer: String,
    pub ss: String,
    pub card: String,
}

impl TestApp {
    /// The usual cast plus a Guangdong social security officer and card officer.
    pub async fn card_cast(&self) -> Cast {
        let (employer, agent, officer) = self.cast().await;
        let ss = self
            .user("ss.gd", "social_security_officer", None, Some("440000"))
            .await;
        let card = self
            .user("card.gd", "card_officer", None, Some("440000"))
            .await;
        Cast {
            employer,
            agent,
            officer,
            ss,
            card,
        }
    }

    /// An approved permit for `passport`; returns the permit record.
    pub async fn holder(&self, c: &Cast, passport: &str, form: Option<Value>) -> Value {
        let form = form.unwrap_or_else(|| new_from_abroad(passport));
        let approved = self.approve(&c.agent, &c.officer, &form).await;
        let n = approved["permit_number"].as_str().unwrap().to_owned();
        let r = self.get(&format!("/api/v1/permits/{n}"), &c.agent).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Enrol the holder of `permit` as the social security officer.
    pub async fn enrol(&self, c: &Cast, permit: &Value) -> Response {
        let body = json!({ "permit_number": permit["permit_number"], "name": permit["holder_name"],
                           "start_date": permit["valid_from"] });
        self.post("/api/v1/social-security/enrolments", &c.ss, &body)
            .await
    }

    /// Apply for a delivered card as the card officer; returns the card number.
    pub async fn apply_card(&self, c: &Cast, ssn: &str) -> String {
        let body = json!({ "ssn": ssn, "bank_code": "ICBC",
            "delivery": { "recipient": "Anno Dederichs", "phone": "+86 138 0000 0000",
                          "address": "1 Tianhe Road", "region_code": "440106" } });
        let r = self.post("/api/v1/cards", &c.card, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "applied");
        r.body["card_number"].as_str().unwrap().to_owned()
    }

    pub async fn card_event(&self, c: &Cast, card: &str, body: Value) -> Response {
        self.post(&format!("/api/v1/cards/{card}/events"), &c.card, &body)
            .await
    }

    /// Run the outbox dispatcher now, as the job does every second.
    pub async fn dispatch(&self) -> Value {
        let r = self
            .post("/api/v1/admin/dispatch-events", &self.admin, &json!(null))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Cancel the permit through an approved cancellation application.
    pub async fn cancel(&self, c: &Cast, permit_number: &str) {
        let form = json!({ "kind": "cancellation", "permit_number": permit_number,
                           "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
        self.approve(&c.agent, &c.officer, &form).await;
    }

    /// The card status list's entry at `idx`.
    pub async fn card_status(&self, idx: u64) -> Status {
        let now = Utc::now().timestamp();
        let trust =
            TrustList::from_signed(&self.bytes("/api/v1/trust-list").await, &self.anchor, now)
                .unwrap();
        let list =
            StatusList::from_token(&self.bytes("/api/v1/status-lists/2").await, &trust).unwrap();
        list.bits.get(idx as u32).unwrap()
    }
}
