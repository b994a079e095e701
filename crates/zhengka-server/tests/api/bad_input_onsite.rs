//! Bad input for the on-site check of original materials. Exact status, code
//! and field; nothing written.

use chrono::{Days, Months, Utc};
use serde_json::{Value, json};

use crate::bad_input::*;
use crate::helpers::*;

#[tokio::test]
async fn onsite_check_refusals() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let mut form = new_from_abroad("E20000005");
        form["scoring"] = json!({ "education": "bachelor", "related_experience_years": 1, "months_per_year_in_china": 0, "chinese_language": "none" });
        form["contract"]["annual_salary_cny"] = json!(100000);
        let approved = app.approve(&agent, &officer, &form).await;
        assert_eq!(approved["classification"]["class"], "C");
        let number = approved["permit_number"].as_str().unwrap().to_owned();
        let mut top = new_from_abroad("E20000006");
        top["scoring"]["recognised_talent"] = json!(true);
        let class_a = app.approve(&agent, &officer, &top).await;
        assert_eq!(class_a["classification"]["class"], "A");
        let class_a = class_a["permit_number"].as_str().unwrap().to_owned();
        let zhejiang = app
            .user("officer.zj", "permit_officer", None, Some("330000"))
            .await;
        let today = Utc::now().date_naive();
        let check = json!({ "entry_date": today, "visa_number": "Z1234567", "medical_report_issued_on": today - Days::new(30),
                            "materials_checked": ["visa_or_residence_permit_copy", "medical_report"] });
        let path = format!("/api/v1/permits/{number}/onsite-verifications");
        let before = snapshot(&app).await;
        let too_old = today - Months::new(6) - Days::new(1);
        let med = "medical_report_issued_on";
        let mats = "materials_checked";
        let cases: Vec<(&str, Option<Value>, (&str, &str))> = vec![
            (med, Some(json!(too_old)), ("medical_report_too_old", med)),
            (med, Some(json!("2020-01-01")), ("medical_report_too_old", med)),
            (med, Some(json!(today + Days::new(1))), ("date_in_future", med)),
            (med, Some(json!("2026-02-30")), ("invalid_value", med)),
            ("entry_date", Some(json!(today + Days::new(3))), ("date_in_future", "entry_date")),
            // Approved today: an entry yesterday came before the Notice.
            ("entry_date", Some(json!(today - Days::new(1))), ("entry_before_approval", "entry_date")),
            (mats, Some(json!(["medical_report"])), ("materials_missing", mats)),
            (mats, Some(json!(["visa_or_residence_permit_copy"])), ("materials_missing", mats)),
            (mats, Some(json!([])), ("materials_missing", mats)),
            (mats, Some(json!(["selfie"])), ("unknown_value", "materials_checked[0]")),
            (mats, Some(json!("medical_report")), ("invalid_type", mats)),
            ("visa_number", None, ("required", "visa_number")),
            ("visa_number", Some(json!("Z1")), ("too_short", "visa_number")),
            ("entry_date", None, ("required", "entry_date")),
            ("checked_by", Some(json!("me")), ("unknown_field", "checked_by")),
        ];
        for (key, value, (code, field)) in cases {
            let label = format!("{key} = {value:?}");
            let r = app.post(&path, &officer, &edit(&check, key, value)).await;
            refused(&app, &before, &label, &r, (422, code, Some(field))).await;
        }
        let r = app
            .post(&format!("/api/v1/permits/{class_a}/onsite-verifications"), &officer, &check)
            .await;
        refused(&app, &before, "class A", &r, (409, "onsite_check_not_required", None)).await;
        let r = app.post(&path, &zhejiang, &check).await;
        refused(&app, &before, "other region", &r, (404, "not_found", None)).await;
        let r = app
            .post("/api/v1/permits/4401000000000000042/onsite-verifications", &officer, &check)
            .await;
        refused(&app, &before, "unknown permit", &r, (404, "not_found", None)).await;
        let entry = format!("/api/v1/permits/{number}/entry");
        let r = app.post(&entry, &agent, &json!({ "entry_date": today - Days::new(1) })).await;
        let label = "entry before the approval";
        refused(&app, &before, label, &r, (422, "entry_before_approval", Some("entry_date"))).await;
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.body["onsite"]["state"], "awaiting_entry");
    })
    .await;
}
