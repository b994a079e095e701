//! The table of documented operations. `tests::every_route_is_documented`
//! compares it, both ways, with the routes the server registers.

use super::{Endpoint, ep};

const SEARCH_PAGE: &[&str] = &["q", "limit", "cursor"];
const USER_FILTERS: &[&str] = &["q", "role", "limit", "cursor"];
const APPLICATION_FILTERS: &[&str] = &[
    "status", "kind", "q", "from", "to", "order", "limit", "cursor",
];
const PERMIT_FILTERS: &[&str] = &["status", "q", "follow_up", "limit", "cursor"];
const AUDIT_FILTERS: &[&str] = &[
    "entity_type",
    "entity_id",
    "actor",
    "action",
    "order",
    "limit",
    "cursor",
];

pub const ENDPOINTS: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/sessions",
        "Sign in (an Idempotency-Key is accepted, but a sign-in is never replayed: each one opens a new session)",
        "public",
        Some("SignIn"),
        201,
    ),
    ep(
        "delete",
        "/api/v1/sessions/current",
        "Sign out",
        "any signed-in user",
        None,
        204,
    ),
    ep(
        "post",
        "/api/v1/employers",
        "Register an employer",
        "admin",
        Some("NewEmployer"),
        201,
    ),
    ep(
        "get",
        "/api/v1/employers",
        "List employers by id (?q= a USCC, exact, or a part of the name); with the total count",
        "admin",
        None,
        200,
    )
    .query(SEARCH_PAGE),
    ep(
        "get",
        "/api/v1/employers/{id}",
        "One employer",
        "admin, employer_agent (own)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/users",
        "Create a user",
        "admin",
        Some("NewUser"),
        201,
    ),
    ep(
        "get",
        "/api/v1/users",
        "List users by username (?q= a part of it, ?role=); with the total count",
        "admin",
        None,
        200,
    )
    .query(USER_FILTERS),
    ep(
        "get",
        "/api/v1/users/me",
        "The signed-in user",
        "any signed-in user",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/users/me/totp",
        "Enrol TOTP: a new secret and its otpauth URI (not active until confirmed)",
        "any staff user",
        None,
        201,
    ),
    ep(
        "post",
        "/api/v1/users/me/totp/confirm",
        "Switch TOTP on with a current code",
        "any staff user",
        Some("TotpConfirm"),
        200,
    ),
    ep(
        "post",
        "/api/v1/users/me/totp/disable",
        "Switch TOTP off with a current code (one not used before)",
        "any staff user",
        Some("TotpConfirm"),
        200,
    ),
    ep(
        "post",
        "/api/v1/applications",
        "File a draft application",
        "employer_agent",
        Some("ApplicationForm"),
        201,
    ),
    ep(
        "get",
        "/api/v1/applications",
        "List applications, newest first (?status=in_progress for work in progress; \
         ?q= passport number, passport name or permit number; ?order=due for queues); \
         with the total count",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    )
    .query(APPLICATION_FILTERS),
    ep(
        "get",
        "/api/v1/applications/{id}",
        "One application with its history",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "put",
        "/api/v1/applications/{id}",
        "Replace the form of a draft or returned application",
        "employer_agent (own)",
        Some("ApplicationForm"),
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/submit",
        "Submit a draft or returned application",
        "employer_agent (own)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/decisions",
        "Decide a review step",
        "permit_officer (region)",
        Some("Decision"),
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/materials",
        "Upload a material (query: kind, file_name; body: the raw PDF, PNG or JPEG file, at most 5 MiB, type decided by content)",
        "employer_agent (own, draft or returned)",
        Some("File"),
        201,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}/materials",
        "The materials of an application",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}/materials/{material_id}",
        "Download a material (as an attachment, typed as found at upload)",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    )
    .produces("application/octet-stream"),
    ep(
        "get",
        "/api/v1/applications/{id}/notice",
        "The Work Permit Notice of an approved application from abroad: its QR payload",
        "employer_agent (own), permit_officer (region)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}/notice.pdf",
        "The printable bilingual Notice with its QR",
        "employer_agent (own), permit_officer (region)",
        None,
        200,
    )
    .produces("application/pdf"),
    ep(
        "post",
        "/api/v1/verifications",
        "Verify a QR online against the current trust and status lists (a presentation verifies once per relying party)",
        "police_officer, relying_party, permit_officer, social_security_officer",
        Some("Verification"),
        200,
    ),
    ep(
        "get",
        "/api/v1/trust-list",
        "The signed trust list of issuer keys (COSE_Sign1)",
        "public",
        None,
        200,
    )
    .produces("application/cose"),
    ep(
        "get",
        "/api/v1/status-lists/{id}",
        "The signed status list (IETF Token Status List, COSE_Sign1); id 1",
        "public",
        None,
        200,
    )
    .produces("application/cose"),
    ep(
        "get",
        "/api/v1/permits",
        "List permits (?q= passport number, passport name or permit number; \
         ?follow_up=onsite: on-site checks still to be done, nearest deadline first); \
         with the total count",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    )
    .query(PERMIT_FILTERS),
    ep(
        "post",
        "/api/v1/permits",
        "Record a permit issued before the integration (legacy permit)",
        "permit_officer (region)",
        Some("LegacyPermit"),
        201,
    ),
    ep(
        "get",
        "/api/v1/permits/{permit_number}",
        "The permit record",
        "employer_agent (own), officers (region), police_officer, admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/permits/{permit_number}/entry",
        "Record the holder's entry date",
        "employer_agent (own), permit_officer (region)",
        Some("Entry"),
        200,
    ),
    ep(
        "post",
        "/api/v1/permits/{permit_number}/onsite-verifications",
        "Record the 30-day on-site check",
        "permit_officer (region)",
        Some("OnsiteCheck"),
        200,
    ),
    ep(
        "post",
        "/api/v1/admin/cut-over",
        "Go-live cut-over: every application under review goes back to preliminary review for re-approval",
        "admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/admin/sweep-deadlines",
        "Run the permit deadline sweep now (expiry, missed on-site checks)",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/audit",
        "The audit trail",
        "admin",
        None,
        200,
    )
    .query(AUDIT_FILTERS),
    ep(
        "get",
        "/api/v1/audit/verify",
        "Verify the audit hash chain",
        "admin",
        None,
        200,
    ),
    ep("get", "/healthz", "Health", "public", None, 200),
    ep("get", "/metrics", "Prometheus metrics", "public", None, 200).produces("text/plain"),
    ep("get", "/openapi.json", "This document", "public", None, 200),
];
