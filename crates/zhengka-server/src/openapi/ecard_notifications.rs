//! The holder's notifications and the reminder sweep (ECARD.md, docs/ecard.md
//! "Reminders and notifications").

use super::{Endpoint, ep};

pub const ECARD_NOTIFICATIONS: &[Endpoint] = &[
    ep(
        "get",
        "/api/v1/ecard/notifications",
        "The holder's notifications, newest first: {items: [{id, kind, title, body, due_on, created_at, read_at}], next_cursor, unread}; ?unread=true for the unread ones only. Titles and bodies are in the holder's language and name numbers by their last 4 only",
        "foreigner (self)",
        None,
        200,
    )
    .query(&["limit", "cursor", "unread"]),
    ep(
        "post",
        "/api/v1/ecard/notifications/{id}/read",
        "Mark one of the holder's notifications read (again: no change); another holder's is 404",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/admin/sweep-reminders",
        "Run the holders' reminder sweep now (permit expiry at 90/30/7 days, on-site check at 7/1 days); {holders, created}. Each reminder is made once, however often the sweep runs",
        "admin",
        None,
        200,
    ),
];
