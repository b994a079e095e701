//! JSON Schemas of the request bodies, as documented in docs/API-DESIGN.md.

use serde_json::{Value, json};

fn s(t: &str) -> Value {
    json!({ "type": t })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn one_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn object(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": props })
}

pub fn schemas() -> Value {
    json!({
        "Error": object(&["error"], json!({ "error": object(&["code", "message", "field"], json!({
            "code": s("string"), "message": s("string"), "field": { "type": ["string", "null"] } })) })),
        "SignIn": object(&["username", "password"], json!({ "username": s("string"), "password": s("string"), "totp": s("string") })),
        "TotpConfirm": object(&["code"], json!({ "code": s("string") })),
        "PasswordReset": object(&["token", "password"], json!({ "token": s("string"), "password": s("string") })),
        "NewEmployer": object(&["uscc", "name", "region_code", "address"], json!({
            "uscc": { "type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$" }, "name": s("string"),
            "region_code": { "type": "string", "pattern": "^[0-9]{6}$" }, "address": s("string") })),
        "NewUser": object(&["username", "password", "role"], json!({
            "username": s("string"), "password": { "type": "string", "minLength": 12 },
            "role": one_of(&["employer_agent", "foreigner", "permit_officer", "social_security_officer", "card_officer", "police_officer", "relying_party", "admin"]),
            "employer_id": s("string"), "region_code": s("string") })),
        "ScopeChange": object(&["role"], json!({
            "role": one_of(&["employer_agent", "foreigner", "permit_officer", "social_security_officer", "card_officer", "police_officer", "relying_party", "admin"]),
            "employer_id": s("string"), "region_code": { "type": "string", "pattern": "^[0-9]{6}$" } })),
        "Decision": object(&["step", "outcome"], json!({
            "step": one_of(&["accept", "preliminary_review", "approve"]),
            "outcome": one_of(&["pass", "return", "reject"]), "comment": s("string") })),
        "Verification": object(&["qr", "purpose"], json!({
            "qr": s("string"), "purpose": one_of(&["notice", "presentation"]), "reason": s("string") })),
        "LegacyPermit": object(&["employer_id", "permit_number", "foreigner", "class", "position", "valid_from", "valid_to"], json!({
            "employer_id": s("string"), "permit_number": s("string"),
            "foreigner": { "$ref": "#/components/schemas/ApplicationForm/properties/foreigner" },
            "class": one_of(&["A", "B", "C"]), "position": s("string"), "valid_from": date(), "valid_to": date() })),
        "Entry": object(&["entry_date"], json!({ "entry_date": date() })),
        "OnsiteCheck": object(&["entry_date", "visa_number", "medical_report_issued_on", "materials_checked"], json!({
            "entry_date": date(), "visa_number": s("string"), "medical_report_issued_on": date(),
            "materials_checked": { "type": "array", "items": { "$ref": "#/components/schemas/MaterialKind" } } })),
        "MaterialKind": one_of(&["passport_copy", "photo", "employment_contract", "degree_certificate", "work_experience_proof", "no_criminal_record", "medical_report", "visa_or_residence_permit_copy", "other"]),
        "ApplicationForm": object(&["kind"], json!({
            "kind": one_of(&["new_from_abroad", "short_term", "extension", "change", "cancellation", "renew_electronic", "reissue_notice"]),
            "foreigner": object(&["name", "nationality", "sex", "date_of_birth", "passport_number"], json!({
                "name": s("string"), "nationality": { "type": "string", "pattern": "^[A-Za-z]{3}$" },
                "sex": one_of(&["female", "male", "unspecified"]), "date_of_birth": date(),
                "passport_number": s("string"), "chinese_name": s("string"), "permanent_resident_id": s("string") })),
            "position": s("string"),
            "contract": object(&["start_date", "end_date", "annual_salary_cny", "work_location_region"], json!({
                "start_date": date(), "end_date": date(), "annual_salary_cny": s("integer"), "work_location_region": s("string") })),
            "scoring": object(&["education", "related_experience_years", "months_per_year_in_china", "chinese_language"], json!({
                "education": one_of(&["none", "bachelor", "master", "doctorate"]),
                "related_experience_years": s("integer"), "months_per_year_in_china": s("integer"),
                "chinese_language": one_of(&["none", "hsk1", "hsk2", "hsk3", "hsk4", "hsk5_or_above", "degree_taught_in_chinese", "former_chinese_national"]),
                "designated_poor_county": s("boolean"), "top_foreign_university": s("boolean"),
                "fortune_global_500_experience": s("boolean"), "patents": s("boolean"),
                "five_consecutive_years_in_china": s("boolean"), "recognised_talent": s("boolean") })),
            "permit_number": s("string"),
            "short_term": object(&["situation", "no_criminal_record_pledge"], json!({
                "situation": one_of(&["technical_research_or_management_with_partner", "sports_trial", "filming", "fashion_show", "commercial_performance", "recognised_by_ministry"]),
                "no_criminal_record_pledge": s("boolean") })),
            "change": object(&["changed_on"], json!({ "changed_on": date(), "new_position": s("string"), "new_name": s("string"), "new_passport_number": s("string") })),
            "cancellation": object(&["employment_ended_on"], json!({ "employment_ended_on": date(), "reason": s("string") })),
            "original_notice": object(&["notice_number", "issued_on"], json!({ "notice_number": s("string"), "issued_on": date() })),
            "materials": { "type": "array", "items": object(&["kind", "file_name"], json!({ "kind": { "$ref": "#/components/schemas/MaterialKind" }, "file_name": s("string") })) }
        }))
    })
}
