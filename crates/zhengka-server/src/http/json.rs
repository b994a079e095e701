//! `ApiJson<T>`: JSON in, with errors that name the field that was wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::ApiError;

/// A JSON request body, read but not yet parsed: handlers authorise first and
/// parse second, so a caller without the right role learns nothing from 422s.
pub struct JsonBody {
    is_json: bool,
    bytes: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        Ok(Self { is_json, bytes })
    }
}

impl JsonBody {
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse(&self.bytes)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body: a body that is not exactly one JSON
    // document (truncated, trailing garbage, bad UTF-8) is 400 whatever it holds,
    // and every error after this one is about a value (422).
    let doc = serde_json::from_slice::<serde_json::Value>(bytes).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })?;
    // Every body of this API is an object; serde would read an array
    // positionally into a struct, which no client means.
    if doc.is_array() {
        return Err(ApiError::Invalid {
            code: "invalid_type".into(),
            message: "the body must be a JSON object".into(),
            field: None,
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(to_api_error)?;
    Ok(value)
}

fn to_api_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    use serde_json::error::Category;
    match inner.classify() {
        // The body is valid JSON (checked above); serde_json reports an enum
        // given as a number, list or `null` as "expected value" (a syntax error).
        Category::Syntax | Category::Eof | Category::Io => ApiError::Invalid {
            code: "invalid_type".into(),
            message: format!("wrong type of value: {inner}"),
            field: (path != "." && !path.is_empty()).then_some(path),
        },
        Category::Data => data_error(&path, &inner.to_string()),
    }
}

/// serde's messages are stable enough to tell the cases apart; our own parsers
/// put their code first (`code: message`).
fn data_error(path: &str, message: &str) -> ApiError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let field = |p: &str| (p != "." && !p.is_empty()).then(|| p.to_owned());
    if let Some(name) = between(&message, "missing field `", "`") {
        return ApiError::Invalid {
            code: "required".into(),
            field: Some(join(name)),
            message,
        };
    }
    // For an unknown key the path already ends with it.
    if between(&message, "unknown field `", "`").is_some() {
        return ApiError::Invalid {
            code: "unknown_field".into(),
            field: field(path),
            message,
        };
    }
    if let Some((code, rest)) = message.split_once(": ")
        && !code.is_empty()
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return ApiError::Invalid {
            code: code.to_owned(),
            field: field(path),
            message: rest.to_owned(),
        };
    }
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else if message.starts_with("unknown variant") {
        "unknown_value"
    } else {
        "invalid_value"
    };
    ApiError::Invalid {
        code: code.into(),
        field: field(path),
        message,
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(start)?;
    rest.split(end).next()
}

/// `ApiQuery<T>`: query parameters with the API's error envelope.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        // PostgreSQL refuses NUL in text; no valid parameter has one.
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(ApiError::Invalid {
                code: "invalid_query".into(),
                message: "query parameters must not contain NUL".into(),
                field: None,
            });
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::Invalid {
                code: "invalid_query".into(),
                message: e.body_text(),
                field: None,
            })
    }
}

/// `ApiPath<T>`: path parameters with the API's error envelope. A parameter that
/// cannot be read (e.g. invalid UTF-8) names no record: 404.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        use axum::extract::rejection::PathRejection;
        // No record has a NUL in its key, and PostgreSQL refuses NUL in text.
        if parts.uri.path().contains("%00") {
            return Err(ApiError::NotFound);
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(ApiPath(p.0)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::NotFound),
            Err(other) => Err(ApiError::Internal(other.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        when: chrono::NaiveDate,
        uscc: zhengka_domain::ids::Uscc,
    }

    fn err(body: &str) -> (String, Option<String>) {
        match parse::<Outer>(body.as_bytes()).unwrap_err() {
            ApiError::Invalid { code, field, .. } => (code, field),
            ApiError::BadRequest { code, .. } => (code.to_owned(), None),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(err("{"), ("malformed_json".into(), None));
        assert_eq!(err("{}"), ("required".into(), Some("inner".into())));
        let (code, field) =
            err(r#"{"inner": {"when": "2026-02-30", "uscc": "91350100M000100Y43"}}"#);
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("invalid_value", Some("inner.when"))
        );
        let (code, field) =
            err(r#"{"inner": {"when": "2026-02-03", "uscc": "91350100M000100Y44"}}"#);
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("invalid_uscc_check_character", Some("inner.uscc"))
        );
        let (code, field) = err(r#"{"inner": {"when": 5, "uscc": "x"}}"#);
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("invalid_type", Some("inner.when"))
        );
        let (code, field) =
            err(r#"{"inner": {"when": "2026-02-03", "uscc": "91350100M000100Y43", "x": 1}}"#);
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("unknown_field", Some("inner.x"))
        );
    }
}
