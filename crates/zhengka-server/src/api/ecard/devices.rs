//! The holder's devices and the card credential bound to each:
//! `POST /api/v1/ecard/devices` binds a device key (a COSE_Key, ES256 only)
//! and answers the card credential (kind 2) with `cnf` = that key;
//! `GET /api/v1/ecard/devices` lists them; `GET .../{id}/credential` issues
//! the current credential again (the permit's facts may have changed);
//! `DELETE .../{id}` revokes the device and so its credential. Each
//! credential has its own entry of the device status list (list 3), whose
//! state follows the device, the permit and the card
//! (`zhengka_domain::ecard::credential_state`, kept by the `ecard_devices`
//! subscriber).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_credential::claims::cnf;
use zhengka_credential::{Algorithm, Issued, PublicKey, Rejection};
use zhengka_domain::cards::{CardStatus, CredentialState};
use zhengka_domain::ecard::{Device, DeviceName, Holder, MAX_DEVICES, credential_state, may_bind};
use zhengka_domain::permits::permit::Permit;
use zhengka_store::{Bound, Store, StoreError};

use super::own_holder;
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::credentials::{new_device_status_index, permit_end};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, ApiPath, JsonBody};

/// Longest `public_key` accepted (base64 of a COSE_Key: about 104 characters).
const MAX_KEY_CHARS: usize = 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    /// The device's public key: a COSE_Key (ES256: EC2, P-256), base64.
    pub public_key: String,
    pub name: String,
}

/// The card credential as the device stores it.
#[derive(Serialize)]
pub struct CredentialView {
    /// The credential's QR text (`ZK1:...`), e.g. for `zhengka verify --purpose card-install`.
    pub qr: String,
    /// The COSE_Sign1 bytes (base64): what a presentation embeds.
    pub cose: String,
    pub exp: DateTime<Utc>,
    pub status: StatusView,
}

#[derive(Serialize)]
pub struct StatusView {
    pub uri: String,
    pub idx: u32,
}

#[derive(Serialize)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `valid`, `suspended` or `revoked`: what list 3 says of its credential.
    pub credential_status: &'static str,
    pub status: StatusView,
}

impl DeviceView {
    pub fn of(app: &AppState, d: &Device) -> Self {
        DeviceView {
            id: d.id.clone(),
            name: d.name.as_str().to_owned(),
            created_at: d.created_at,
            revoked_at: d.revoked_at,
            credential_status: d.credential_status.as_str(),
            status: StatusView {
                uri: app.credentials.device_status_uri(),
                idx: d.status_index,
            },
        }
    }
}

/// A device with its current card credential.
#[derive(Serialize)]
pub struct BoundView {
    pub device_id: String,
    pub credential_status: &'static str,
    pub card_credential: CredentialView,
    pub device: DeviceView,
}

/// The device key from the request, refused unless it is an ES256 COSE_Key
/// whose point is on P-256; every refusal names `public_key`.
pub fn parse_device_key(raw: &str) -> Result<PublicKey, ApiError> {
    let field = "public_key";
    if raw.len() > MAX_KEY_CHARS {
        return Err(ApiError::invalid(
            field,
            "too_long",
            "a COSE_Key is at most 1024 base64 characters",
        ));
    }
    let indifferent =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, indifferent);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, indifferent);
    let bytes = standard
        .decode(raw.trim())
        .or_else(|_| url_safe.decode(raw.trim()))
        .map_err(|_| ApiError::invalid(field, "invalid_base64", "public_key is not base64"))?;
    let key = cnf::decode_key(&bytes).map_err(|r| match r {
        Rejection::Malformed("cnf key is not a valid public key") => {
            ApiError::invalid(field, "not_on_curve", "the key's point is not on its curve")
        }
        Rejection::Malformed("cnf key alg not supported") => ApiError::invalid(
            field,
            "unsupported_key",
            "only ES256 device keys (EC2, P-256) are accepted",
        ),
        Rejection::Malformed(why) => {
            ApiError::invalid(field, "invalid_cose_key", format!("not a COSE_Key: {why}"))
        }
        other => ApiError::invalid(field, "invalid_cose_key", other.to_string()),
    })?;
    if key.alg() != Algorithm::Es256 {
        return Err(ApiError::invalid(
            field,
            "unsupported_key",
            "only ES256 device keys (EC2, P-256) are accepted",
        ));
    }
    Ok(key)
}

/// The holder's permit and the status of their current card (newest first:
/// a replacement is the current card).
async fn permit_and_card(
    store: &dyn Store,
    holder: &Holder,
) -> Result<(Permit, Option<CardStatus>), StoreError> {
    let permit = store.get_permit(&holder.permit_number).await?;
    let card = match store.account_for_permit(&holder.permit_number).await {
        Ok(account) => store
            .cards_of_account(&account.id)
            .await?
            .first()
            .map(|c| c.state.status),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    Ok((permit, card))
}

/// The credential state of `d` now, read through the published queries.
pub async fn current_state(
    store: &dyn Store,
    holder: &Holder,
    revoked: bool,
) -> Result<CredentialState, StoreError> {
    let (permit, card) = permit_and_card(store, holder).await?;
    Ok(credential_state(revoked, permit.status, card))
}

async fn issue(app: &AppState, permit: &Permit, d: &Device) -> Result<Issued, ApiError> {
    let employer = app.store.get_employer(&permit.employer_id).await?;
    let key = cnf::decode_key(&d.public_key).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(app
        .credentials
        .issue_card(permit, &employer, key, d.status_index, Utc::now()))
}

fn bound_view(app: &AppState, permit: &Permit, d: &Device, issued: Issued) -> BoundView {
    BoundView {
        device_id: d.id.clone(),
        credential_status: d.credential_status.as_str(),
        card_credential: CredentialView {
            qr: issued.qr,
            cose: general_purpose::STANDARD.encode(&issued.cose),
            exp: permit_end(permit),
            status: StatusView {
                uri: app.credentials.device_status_uri(),
                idx: d.status_index,
            },
        },
        device: DeviceView::of(app, d),
    }
}

fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict { what } => match what.as_str() {
            "too_many_devices" => ApiError::conflict(
                "too_many_devices",
                "at most 5 devices may be bound at once: revoke one first",
            ),
            "device_key_revoked" => ApiError::conflict(
                "device_key_revoked",
                "this device key was revoked: make a new key to bind the device again",
            ),
            "holder_closed" => ApiError::conflict("holder_closed", "this e-card account is closed"),
            _ => StoreError::Conflict { what }.into(),
        },
        other => other.into(),
    }
}

/// `POST /api/v1/ecard/devices` (foreigner): 201 with the new device and its
/// card credential; 200 with the same for a key already bound.
pub async fn bind(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let req: NewDevice = body.parse()?;
    Ok(record(&app, &caller, &holder, key.as_deref(), req).await?.1)
}

/// Bind a device; shared by the API and the QR page.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    holder: &Holder,
    key: Option<&IdempotencyKey>,
    req: NewDevice,
) -> Result<(BoundView, Reply), ApiError> {
    let device_key = parse_device_key(&req.public_key)?;
    let name =
        DeviceName::parse(&req.name).map_err(|e| ApiError::invalid("name", e.code, e.message))?;
    let (permit, card) = permit_and_card(app.store.as_ref(), holder).await?;
    if !may_bind(permit.status) {
        return Err(ApiError::conflict(
            "permit_not_valid",
            "the permit has ended: no card credential is issued for it",
        ));
    }
    let mut attempts = 0;
    loop {
        attempts += 1;
        let device = Device {
            id: uuid::Uuid::new_v4().to_string(),
            holder_id: holder.id.clone(),
            name: name.clone(),
            public_key: cnf::encode_key(&device_key),
            status_index: new_device_status_index(app.store.as_ref()).await?,
            credential_status: credential_state(false, permit.status, card),
            created_at: Utc::now(),
            revoked_at: None,
        };
        let issued = issue(app, &permit, &device).await?;
        let view = bound_view(app, &permit, &device, issued);
        let created = reply(StatusCode::CREATED, &view)?;
        let details = json!({
            "holder": holder.id,
            "kid": hex(&device_key.kid().0),
            "status_index": device.status_index,
            "credential_status": device.credential_status.as_str(),
        });
        let write = audit(
            caller,
            key,
            "ecard.device_bound",
            ("ecard_device", &device.id),
            details,
            &created,
        );
        match app.store.bind_device(&device, MAX_DEVICES, write).await {
            Ok(Bound::Inserted) => return Ok((view, created)),
            Ok(Bound::Existing(existing)) => {
                let issued = issue(app, &permit, &existing).await?;
                let view = bound_view(app, &permit, &existing, issued);
                let again = reply(StatusCode::OK, &view)?;
                return Ok((view, again));
            }
            Err(StoreError::Conflict { what }) if what == "device_status_index" && attempts < 5 => {
            }
            Err(e) => return Err(conflict(e)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize)]
struct DeviceList {
    items: Vec<DeviceView>,
    /// How many more may be bound now.
    remaining: usize,
}

/// The holder's devices, oldest first (revoked ones included).
pub async fn devices(app: &AppState, holder: &Holder) -> Result<Vec<Device>, ApiError> {
    Ok(app.store.devices_of_holder(&holder.id).await?)
}

/// `GET /api/v1/ecard/devices` (foreigner).
pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let all = devices(&app, &holder).await?;
    let live = all.iter().filter(|d| !d.is_revoked()).count();
    reply(
        StatusCode::OK,
        &DeviceList {
            items: all.iter().map(|d| DeviceView::of(&app, d)).collect(),
            remaining: MAX_DEVICES.saturating_sub(live),
        },
    )
}

/// The holder's own device `id`; any other is not found.
pub async fn own_device(app: &AppState, holder: &Holder, id: &str) -> Result<Device, ApiError> {
    match app.store.get_device(id).await {
        Ok(d) if d.holder_id == holder.id => Ok(d),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The current credential of the holder's device `id`: 409 `device_revoked`
/// once revoked. Shared by the API and the QR page.
pub async fn current_credential(
    app: &AppState,
    holder: &Holder,
    id: &str,
) -> Result<BoundView, ApiError> {
    let d = own_device(app, holder, id).await?;
    if d.is_revoked() {
        return Err(ApiError::conflict(
            "device_revoked",
            "this device was revoked: bind it again with a new key",
        ));
    }
    let (permit, card) = permit_and_card(app.store.as_ref(), holder).await?;
    let mut d = d;
    let state = credential_state(false, permit.status, card);
    if state != d.credential_status {
        // An event handled while this device was being bound missed it: the
        // state is set from the published queries now, as the subscriber would.
        d.credential_status = state;
        let details = json!({ "devices": [d.id], "credential_status": state.as_str(),
                              "reissued": false, "type": "credential_fetched" });
        let write = zhengka_store::Write::new(zhengka_store::Audit {
            at: Utc::now(),
            actor: holder.user_id.clone(),
            action: "ecard.device_credentials_changed",
            entity_type: "ecard_holder",
            entity_id: holder.id.clone(),
            details,
        });
        app.store
            .save_device_credentials(std::slice::from_ref(&d), &[], write)
            .await?;
        app.credentials.invalidate_status_list();
    }
    let issued = issue(app, &permit, &d).await?;
    Ok(bound_view(app, &permit, &d, issued))
}

/// `GET /api/v1/ecard/devices/{id}/credential` (foreigner).
pub async fn credential(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let view = current_credential(&app, &holder, &id).await?;
    reply(StatusCode::OK, &view)
}

/// Revoke the holder's device `id`; revoking it again changes nothing.
/// Shared by the API and the devices page.
pub async fn revoke_device(
    app: &AppState,
    caller: &Caller,
    holder: &Holder,
    key: Option<&IdempotencyKey>,
    id: &str,
) -> Result<Reply, ApiError> {
    let d = own_device(app, holder, id).await?;
    let done = Reply {
        status: StatusCode::NO_CONTENT,
        body: String::new(),
    };
    if d.is_revoked() {
        return Ok(done);
    }
    let details = json!({ "holder": holder.id, "status_index": d.status_index });
    let write = audit(
        caller,
        key,
        "ecard.device_revoked",
        ("ecard_device", &d.id),
        details,
        &done,
    );
    match app.store.revoke_device(&d, write).await {
        Ok(()) => {
            // This instance's next list shows it at once (others within
            // the recheck interval).
            app.credentials.invalidate_status_list();
            Ok(done)
        }
        Err(StoreError::Conflict { what }) if what == "device_revoked" => Ok(done),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/ecard/devices/{id}` (foreigner): 204.
pub async fn revoke(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let done = revoke_device(&app, &caller, &holder, key.as_deref(), &id).await?;
    Ok(done.status)
}
