//! Argon2id password hashes (PHC strings), computed off the async threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use zhengka_domain::InvalidValue;

use crate::http::ApiError;

/// 12 to 256 characters. Length beats composition rules (NIST SP 800-63B).
pub fn check_strength(password: &str) -> Result<(), InvalidValue> {
    let n = password.chars().count();
    if n < 12 {
        return Err(InvalidValue::new(
            "password_too_short",
            "use at least 12 characters",
        ));
    }
    if n > 256 {
        return Err(InvalidValue::new(
            "password_too_long",
            "use at most 256 characters",
        ));
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&super::token::random_bytes::<16>())
            .map_err(|e| e.to_string())?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(ApiError::Internal)
}

/// Verify against a stored hash. `None` hashes against a dummy so an unknown
/// username takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.to_owned());
        PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
    XGDrJ9VY7wXmHm6hJTDBlvc13dhgsH0JyaD0pZbCU/Q";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
        assert!(!verify("anything at all".into(), None).await);
    }

    #[test]
    fn strength() {
        assert_eq!(
            check_strength("short").unwrap_err().code,
            "password_too_short"
        );
        assert!(check_strength("twelve chars").is_ok());
    }
}
