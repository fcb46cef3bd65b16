//! Signing the generic webhook the Standard Webhooks way (standardwebhooks.com): HMAC-SHA256 over
//! `{id}.{timestamp}.{body}`, sent as `webhook-signature: v1,<base64>`, with `webhook-id` (the
//! idempotency key, the same on every retry) and `webhook-timestamp` (this attempt's, in unix
//! seconds) so a receiver can check the message is ours, fresh, and new to it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::secrets::Sensitive;

const PREFIX: &str = "whsec_";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the signing secret must be \"whsec_\" followed by base64 of 24 to 64 random bytes")]
pub struct BadSecret;

/// A new signing secret: 32 random bytes, written the Standard Webhooks way.
pub fn new_secret() -> Sensitive<String> {
    let bytes: [u8; 32] = rand::random();
    Sensitive::new(format!("{PREFIX}{}", STANDARD.encode(bytes)))
}

/// The key a secret stands for; a receiver's own secret is accepted with or without the prefix.
pub fn key(secret: &str) -> Result<Vec<u8>, BadSecret> {
    let encoded = secret.trim().strip_prefix(PREFIX).unwrap_or(secret.trim());
    let key = STANDARD.decode(encoded).map_err(|_| BadSecret)?;
    if (24..=64).contains(&key.len()) { Ok(key) } else { Err(BadSecret) }
}

/// The `webhook-signature` value for one attempt.
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` fails for none.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference library's own test vector (standard-webhooks, libraries/rust, `test_sign`).
    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        let key = key("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        assert_eq!(
            signature(&key, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1_649_367_553, body),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn new_secrets_are_valid_and_different_and_bad_ones_are_refused() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a.expose(), b.expose());
        assert_eq!(key(a.expose()).unwrap().len(), 32);
        assert_eq!(key("whsec_c2hvcnQ="), Err(BadSecret), "5 bytes is too short");
        assert_eq!(key("not base64!"), Err(BadSecret));
    }
}
