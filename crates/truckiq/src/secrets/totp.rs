//! TOTP secrets as people paste them, and codes computed from them (RFC 6238: SHA1, 6 digits, 30 s).

use super::Sensitive;

/// Why a pasted TOTP secret was refused; each message tells the person what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpSecretError {
    #[error("the TOTP secret is empty")]
    Empty,
    #[error("the TOTP secret is not base32: {0:?} cannot appear in it (base32 uses A-Z and 2-7)")]
    NotBase32(char),
    #[error("the TOTP secret is too short: {bits} bits, at least 128 are needed; copy the whole key")]
    TooShort { bits: usize },
    #[error("the otpauth:// link has no secret= parameter")]
    UriWithoutSecret,
    #[error("the otpauth:// link cannot be read: {0}")]
    BadUri(String),
}

/// A validated TOTP secret in canonical base32 (upper case, no spaces or padding).
#[derive(Debug, Clone, PartialEq)]
pub struct TotpSecret(Sensitive<String>);

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;

impl TotpSecret {
    /// Accepts what authenticator set-up screens show: lower case, spaces or dashes between groups,
    /// `=` padding, or a whole `otpauth://totp/...?secret=...` link.
    pub fn parse(input: &str) -> Result<Self, TotpSecretError> {
        let input = input.trim();
        let raw = if input.to_ascii_lowercase().starts_with("otpauth://") {
            let url = url::Url::parse(input).map_err(|e| TotpSecretError::BadUri(e.to_string()))?;
            let secret = url.query_pairs().find(|(k, _)| k.eq_ignore_ascii_case("secret")).map(|(_, v)| v.into_owned());
            secret.ok_or(TotpSecretError::UriWithoutSecret)?
        } else {
            input.to_owned()
        };
        let canonical: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if canonical.is_empty() {
            return Err(TotpSecretError::Empty);
        }
        if let Some(bad) = canonical.chars().find(|c| !matches!(c, 'A'..='Z' | '2'..='7')) {
            return Err(TotpSecretError::NotBase32(bad));
        }
        let bits = canonical.len() * 5;
        if bits < 128 {
            return Err(TotpSecretError::TooShort { bits });
        }
        Ok(Self(Sensitive::new(canonical)))
    }

    pub fn expose_base32(&self) -> &str {
        self.0.expose()
    }

    fn totp(&self) -> Option<totp_rs::Totp> {
        let secret = totp_rs::Secret::try_from_base32(self.0.expose()).ok()?;
        totp_rs::Builder::new().with_secret(secret).build().ok()
    }

    /// The 6-digit code for the step containing `unix_time`.
    pub fn code_at(&self, unix_time: u64) -> Option<Sensitive<String>> {
        self.totp().map(|t| Sensitive::new(t.generate(unix_time).to_string()))
    }
}

/// When to submit a TOTP code, given the last step already submitted for this account.
///
/// Never reuses a step (portals accept each code once, so a repeat would fail and could count as a
/// wrong attempt), and never submits with fewer than `min_remaining` seconds left in the step,
/// because the page may take that long to post. Returns the time to submit at.
pub fn submit_time(now: u64, last_submitted_step: Option<u64>, min_remaining: u64) -> u64 {
    let step = now / STEP_SECONDS;
    let remaining = STEP_SECONDS - now % STEP_SECONDS;
    let mut at = if remaining < min_remaining { (step + 1) * STEP_SECONDS } else { now };
    if last_submitted_step.is_some_and(|last| at / STEP_SECONDS <= last) {
        at = (last_submitted_step.unwrap_or(step) + 1) * STEP_SECONDS;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    #[test]
    fn pasted_forms_are_accepted_and_canonicalised() {
        for pasted in [
            SECRET,
            "jbswy3dpehpk3pxpjbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
            "jbsw-y3dp-ehpk-3pxp-jbsw-y3dp-ehpk-3pxp====",
            "otpauth://totp/PACCAR:ops@fleet.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=PACCAR",
        ] {
            assert_eq!(TotpSecret::parse(pasted).unwrap().expose_base32(), SECRET, "{pasted}");
        }
    }

    #[test]
    fn bad_secrets_get_specific_messages() {
        assert_eq!(TotpSecret::parse("  "), Err(TotpSecretError::Empty));
        assert_eq!(TotpSecret::parse("JBSWY3DPEHPK3PXP1BSWY3DP"), Err(TotpSecretError::NotBase32('1')));
        assert_eq!(TotpSecret::parse("JBSWY3DPEHPK3PXP"), Err(TotpSecretError::TooShort { bits: 80 }));
        assert_eq!(TotpSecret::parse("otpauth://totp/x?issuer=y"), Err(TotpSecretError::UriWithoutSecret));
        assert!(TotpSecret::parse("not base32!").unwrap_err().to_string().contains("not base32"));
        assert!(TotpSecret::parse("ABCDEFGH").unwrap_err().to_string().contains("too short"));
    }

    #[test]
    fn codes_match_rfc_6238() {
        // RFC 6238 appendix B, SHA1 seed "12345678901234567890" = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.
        let secret = TotpSecret::parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(secret.code_at(59).unwrap().expose(), "287082");
        assert_eq!(secret.code_at(1_111_111_109).unwrap().expose(), "081804");
    }

    #[test]
    fn submit_time_waits_for_a_fresh_step_with_enough_time_left() {
        assert_eq!(submit_time(60, None, 5), 60, "a fresh step: now");
        assert_eq!(submit_time(85, None, 5), 85, "5 s left is enough");
        assert_eq!(submit_time(87, None, 5), 90, "3 s left: wait for the next step");
        assert_eq!(submit_time(61, Some(2), 5), 90, "step 2 was used: wait for step 3");
        assert_eq!(submit_time(88, Some(2), 5), 90, "both rules agree");
        assert_eq!(submit_time(95, Some(2), 5), 95, "an older step does not delay");
    }
}
