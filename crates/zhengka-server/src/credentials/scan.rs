//! Reading a permit number from a scanned Notice QR: the Notice must verify
//! (signature, trust list, status) before anything on it is believed.

use chrono::Utc;
use zhengka_credential::{Body, Purpose, verify};
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::Store;

use crate::http::ApiError;

/// The permit number of a valid Notice, or 422 on `field` with the reason.
pub async fn permit_number_of_notice(
    creds: &super::Credentials,
    store: &dyn Store,
    qr: &str,
    field: &str,
) -> Result<PermitNumber, ApiError> {
    if qr.len() > 8192 {
        return Err(ApiError::invalid(
            field,
            "too_long",
            "a QR payload is at most 8192 characters",
        ));
    }
    let now = Utc::now().timestamp();
    let trust = creds.trust_list_value(now);
    let status = creds.status_list_decoded(store, now).await?;
    let verified = verify(qr, &trust, Some(&status), now, Purpose::Notice).map_err(|r| {
        ApiError::invalid(
            field,
            "notice_not_valid",
            format!("the Notice does not verify: {}", r.code()),
        )
    })?;
    match &verified.claims.body {
        Body::Notice { facts, .. } => PermitNumber::parse(&facts.permit_number)
            .map_err(|e| ApiError::invalid(field, e.code, e.message)),
        _ => Err(ApiError::invalid(
            field,
            "not_a_notice",
            "this QR is not a Work Permit Notice",
        )),
    }
}
