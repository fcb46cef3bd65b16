//! Access tokens: compact JWS (HS256) over a per-simulator random key, so a client sees the
//! same JWT shape Decisiv hands out (`bearerFormat: JWT`) and cannot forge or keep one past `exp`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A key that never shows up in `Debug` output (the state is debug-printed in test failures).
pub struct SigningKey([u8; 32]);

impl SigningKey {
    pub fn random() -> Self {
        use rand::Rng;
        Self(rand::rng().random())
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The API user's id.
    pub sub: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The authorization every token of one sign-in descends from; revoking it (a reused
    /// authorization code) kills the access and refresh tokens issued from it.
    pub sid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

pub fn sign(key: &SigningKey, claims: &Claims) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(payload));
    let signature = mac(key, &signing_input).finalize().into_bytes();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Checks shape, algorithm, signature and expiry (`now` in Unix seconds).
pub fn verify(key: &SigningKey, token: &str, now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(encoded_header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(encoded_header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(TokenError::Malformed)?;
    // Only the algorithm we sign with: accepting `none` or another alg is the classic JWT hole.
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenError::Malformed);
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
    mac(key, &format!("{encoded_header}.{payload}")).verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(TokenError::Malformed)?;
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

fn mac(key: &SigningKey, input: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this never falls back; the fallback keeps clippy quiet
    // without an `expect`.
    let mut mac = HmacSha256::new_from_slice(&key.0).unwrap_or_else(|_| HmacSha256::new(&Default::default()));
    mac.update(input.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "test".into(),
            sub: "u".into(),
            client_id: "c".into(),
            iat: 0,
            exp,
            jti: "j".into(),
            sid: "s".into(),
        }
    }

    #[test]
    fn signed_tokens_verify_until_they_expire() {
        let key = SigningKey::random();
        let token = sign(&key, &claims(100));
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(verify(&key, &token, 99), Ok(claims(100)));
        assert_eq!(verify(&key, &token, 100), Err(TokenError::Expired));
        assert_eq!(verify(&SigningKey::random(), &token, 0), Err(TokenError::BadSignature));
    }

    #[test]
    fn tampering_and_other_algorithms_are_rejected() {
        let key = SigningKey::random();
        let token = sign(&key, &claims(100));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(1_000)).unwrap_or_default());
        assert_eq!(verify(&key, &format!("{}.{forged}.{}", parts[0], parts[2]), 0), Err(TokenError::BadSignature));
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        assert_eq!(verify(&key, &format!("{none}.{}.", parts[1]), 0), Err(TokenError::Malformed));
        assert_eq!(verify(&key, "abc", 0), Err(TokenError::Malformed));
    }
}
