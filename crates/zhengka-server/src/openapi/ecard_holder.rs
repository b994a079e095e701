//! The holder's documents: the Notices of their own permit (the holder pages
//! of ECARD.md). The card's loss report and replacement by the holder are the
//! card events' (`card_side.rs`).

use super::{Endpoint, ep};

pub const ECARD_HOLDER: &[Endpoint] = &[
    ep(
        "get",
        "/api/v1/ecard/notices",
        "The Work Permit Notices of the holder's own permit, newest first: {notices: [{application_id, kind, notice_id, issued_at}]}",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/ecard/notices/{file}",
        "One of the holder's Notices as PDF; {file} is {application_id}.pdf. Another permit's application, or no Notice: 404",
        "foreigner (self)",
        None,
        200,
    )
    .produces("application/pdf"),
    ep(
        "get",
        "/api/v1/ecard/decision.pdf",
        "The holder's on-site Decision on Administrative Permit Approval as PDF, once the originals were checked at the window (404 no_decision before)",
        "foreigner (self)",
        None,
        200,
    )
    .produces("application/pdf"),
];
