//! The one HTTP error: every failure becomes status + `{"error": {code, message, field}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhengka_domain::{FieldError, InvalidValue, RuleError};
use zhengka_store::{ONE_ACTIVE_PERMIT, StoreError, WRITE_DEADLOCK, status_index_taken};

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request could not be read (malformed JSON, bad header).
    BadRequest { code: &'static str, message: String },
    /// 401: no token, or a token that is unknown or expired.
    Unauthorized { code: &'static str, message: String },
    /// 403: the caller's role may not do this.
    Forbidden,
    /// 403 with a code and the field that asked for what is not allowed
    /// (a purpose the caller's organisation is not registered for).
    NotAllowed {
        code: &'static str,
        message: &'static str,
        field: Option<&'static str>,
    },
    /// 404: absent, or not the caller's to see.
    NotFound,
    /// 404 with a code that says what is absent (`permit_not_found`).
    Missing {
        code: &'static str,
        message: &'static str,
    },
    /// 404: no route has this path (the same code as [`Self::NotFound`]).
    UnknownPath,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: the record's state does not allow this (or a unique value is taken).
    Conflict {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// 413: the body is larger than allowed.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: a value is invalid; `field` says which.
    Invalid {
        code: String,
        message: String,
        field: Option<String>,
    },
    /// 429: too many attempts.
    TooManyRequests { retry_after_secs: u64 },
    /// 503: an outside service could not answer; retrying later may work.
    Unavailable {
        code: &'static str,
        message: &'static str,
    },
    /// 500: our fault. The cause is logged, never sent.
    Internal(String),
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    field: Option<&'a str>,
    /// Seconds to wait, on a 429 (also in the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code: code.to_owned(),
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// 422 about the request as a whole (no one field is wrong).
    pub fn invalid_no_field(code: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 409 about one field's value (a check too old to record a use against).
    pub fn conflict_at(
        code: &'static str,
        message: impl Into<String>,
        field: &'static str,
    ) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: Some(field),
        }
    }

    /// A second active permit for one person. The check before the write and
    /// the unique index that holds when two writes race answer alike.
    pub fn holder_has_active_permit() -> Self {
        Self::conflict(
            "holder_has_active_permit",
            "this foreigner holds an active permit; file an extension or change, or cancel it first",
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::NotAllowed { .. } => StatusCode::FORBIDDEN,
            Self::NotFound | Self::UnknownPath | Self::Missing { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadRequest { code, message } | Self::Unauthorized { code, message } => {
                write!(f, "{code}: {message}")
            }
            Self::Conflict {
                code,
                message,
                field: Some(field),
            } => write!(f, "{field}: {code}: {message}"),
            Self::Conflict {
                code,
                message,
                field: None,
            } => write!(f, "{code}: {message}"),
            Self::Invalid {
                code,
                message,
                field: Some(field),
            } => write!(f, "{field}: {code}: {message}"),
            Self::Invalid {
                code,
                message,
                field: None,
            } => write!(f, "{code}: {message}"),
            Self::Internal(cause) => write!(f, "internal: {cause}"),
            other => write!(f, "{}", other.status()),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (code, message, field): (&str, &str, Option<&str>) = match &self {
            Self::BadRequest { code, message } | Self::Unauthorized { code, message } => {
                (code, message, None)
            }
            Self::Conflict {
                code,
                message,
                field,
            } => (code, message, *field),
            Self::Forbidden => ("forbidden", "your role may not do this", None),
            Self::NotAllowed {
                code,
                message,
                field,
            } => (code, message, *field),
            Self::NotFound => ("not_found", "no such record", None),
            Self::Missing { code, message } | Self::Unavailable { code, message } => {
                (code, message, None)
            }
            Self::UnknownPath => ("not_found", "no such path", None),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "this path does not take that method (see the Allow header)",
                None,
            ),
            Self::PayloadTooLarge => ("payload_too_large", "the request body is too large", None),
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                "send JSON with Content-Type: application/json",
                None,
            ),
            Self::Invalid {
                code,
                message,
                field,
            } => (code, message, field.as_deref()),
            Self::TooManyRequests { .. } => (
                "too_many_attempts",
                "too many attempts; wait and retry",
                None,
            ),
            Self::Internal(cause) => {
                tracing::error!(cause = %cause, "internal error");
                ("internal", "something went wrong on our side", None)
            }
        };
        let retry_after = match &self {
            Self::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let body = Envelope {
            error: Body {
                code,
                message,
                field,
                retry_after,
            },
        };
        let victim = matches!(&self, Self::Conflict { code, .. } if *code == WRITE_DEADLOCK);
        let mut response = (status, axum::Json(body)).into_response();
        if victim {
            response
                .extensions_mut()
                .insert(super::retry::DeadlockVictim);
        }
        if let Self::TooManyRequests { retry_after_secs } = self {
            response
                .headers_mut()
                .insert("retry-after", retry_after_secs.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { what } => conflict_for(&what),
            StoreError::Other(cause) => Self::Internal(cause.to_string()),
        }
    }
}

/// The code of a write that lost its drawn status-list index to a racing one.
pub const STATUS_INDEX_TAKEN: &str = "status_index_taken";

/// Name the field behind a unique key (PostgreSQL gives the constraint,
/// SQLite the `table.column`).
fn conflict_for(what: &str) -> ApiError {
    if what == ONE_ACTIVE_PERMIT {
        return ApiError::holder_has_active_permit();
    }
    if what == WRITE_DEADLOCK {
        // Run again by `http::retry`; seen by a client only when every run
        // lost its lock cycle.
        return ApiError::Conflict {
            code: WRITE_DEADLOCK,
            message: "a concurrent write on the same records won; retry".into(),
            field: None,
        };
    }
    if status_index_taken(what) {
        // Drawn again by `credentials::index::drawing_again`; seen by a
        // client only when every draw raced (practically never).
        return ApiError::Conflict {
            code: STATUS_INDEX_TAKEN,
            message: "a concurrent write took the same status-list index; retry".into(),
            field: None,
        };
    }
    let (code, message, field) = if what.contains("uscc") {
        (
            "uscc_taken",
            "an employer with this USCC is already registered",
            Some("uscc"),
        )
    } else if what.contains("username") {
        ("username_taken", "this username is taken", Some("username"))
    } else if what.contains("permits_pkey") || what.contains("permits.permit_number") {
        (
            "permit_number_taken",
            "this permit number is already recorded",
            Some("permit_number"),
        )
    } else if what.contains("idempotency_key") {
        (
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is in progress",
            None,
        )
    } else {
        (
            "concurrent_update",
            "the record changed meanwhile; reload and retry",
            None,
        )
    };
    ApiError::Conflict {
        code,
        message: message.into(),
        field,
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::invalid(e.field, e.error.code, e.error.message)
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Invalid(f) => f.into(),
            RuleError::Conflict { code, message } => Self::Conflict {
                code,
                message,
                field: None,
            },
        }
    }
}

/// A value that failed to parse, at a known field.
pub fn invalid_at(field: &str, e: InvalidValue) -> ApiError {
    ApiError::invalid(field, e.code, e.message)
}
