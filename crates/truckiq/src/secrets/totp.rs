//! TOTP secrets as people paste them, and codes computed from them (RFC 6238; SHA1, 6 digits and
//! 30 s unless an `otpauth://` link says otherwise).

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
    /// An `algorithm`, `digits` or `period` TruckIQ cannot compute codes for.
    #[error("the otpauth:// link's {name}={value} is not supported ({allowed})")]
    BadParameter { name: &'static str, value: String, allowed: &'static str },
}

/// How codes are made from the secret: what an `otpauth://` link's `algorithm`, `digits` and
/// `period` say, else RFC 6238's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParams {
    pub algorithm: TotpAlgorithm,
    pub digits: u8,
    /// Seconds per step.
    pub period: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl TotpAlgorithm {
    fn name(self) -> &'static str {
        match self {
            TotpAlgorithm::Sha1 => "SHA1",
            TotpAlgorithm::Sha256 => "SHA256",
            TotpAlgorithm::Sha512 => "SHA512",
        }
    }
}

impl Default for TotpParams {
    fn default() -> Self {
        Self { algorithm: TotpAlgorithm::Sha1, digits: 6, period: STEP_SECONDS }
    }
}

impl TotpParams {
    /// The parameters an `otpauth://` link names; the others keep their defaults.
    fn from_uri(url: &url::Url) -> Result<Self, TotpSecretError> {
        let mut params = Self::default();
        for (name, value) in url.query_pairs() {
            let bad = |name, allowed| TotpSecretError::BadParameter { name, value: value.to_string(), allowed };
            match name.to_ascii_lowercase().as_str() {
                "algorithm" => {
                    params.algorithm = match value.to_ascii_uppercase().replace('-', "").as_str() {
                        "SHA1" => TotpAlgorithm::Sha1,
                        "SHA256" => TotpAlgorithm::Sha256,
                        "SHA512" => TotpAlgorithm::Sha512,
                        _ => return Err(bad("algorithm", "SHA1, SHA256 or SHA512")),
                    }
                }
                "digits" => {
                    params.digits =
                        value.parse().ok().filter(|d| (6..=8).contains(d)).ok_or_else(|| bad("digits", "6 to 8"))?;
                }
                "period" => {
                    params.period = value
                        .parse()
                        .ok()
                        .filter(|p| (1..=300).contains(p))
                        .ok_or_else(|| bad("period", "1 to 300 seconds"))?;
                }
                _ => {}
            }
        }
        Ok(params)
    }
}

/// A validated TOTP secret in canonical base32 (upper case, no spaces or padding), with how its
/// codes are made.
#[derive(Debug, Clone, PartialEq)]
pub struct TotpSecret {
    secret: Sensitive<String>,
    params: TotpParams,
}

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;

impl TotpSecret {
    /// Accepts what authenticator set-up screens show: lower case, spaces or dashes between groups,
    /// `=` padding, or a whole `otpauth://totp/...?secret=...` link.
    pub fn parse(input: &str) -> Result<Self, TotpSecretError> {
        let input = input.trim();
        let (raw, params) = if input.to_ascii_lowercase().starts_with("otpauth://") {
            let url = url::Url::parse(input).map_err(|e| TotpSecretError::BadUri(e.to_string()))?;
            let secret = url.query_pairs().find(|(k, _)| k.eq_ignore_ascii_case("secret")).map(|(_, v)| v.into_owned());
            (secret.ok_or(TotpSecretError::UriWithoutSecret)?, TotpParams::from_uri(&url)?)
        } else {
            (input.to_owned(), TotpParams::default())
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
        Ok(Self { secret: Sensitive::new(canonical), params })
    }

    pub fn expose_base32(&self) -> &str {
        self.secret.expose()
    }

    pub fn params(&self) -> TotpParams {
        self.params
    }

    /// What the keychain keeps: the bare secret, or an `otpauth://` link when its codes are not
    /// RFC 6238's defaults ([`TotpSecret::parse`] reads either back).
    pub fn stored_form(&self) -> Sensitive<String> {
        let p = self.params;
        if p == TotpParams::default() {
            return Sensitive::new(self.secret.expose().to_owned());
        }
        Sensitive::new(format!(
            "otpauth://totp/TruckIQ?secret={}&algorithm={}&digits={}&period={}",
            self.secret.expose(),
            p.algorithm.name(),
            p.digits,
            p.period
        ))
    }

    fn totp(&self) -> Option<totp_rs::Totp> {
        let secret = totp_rs::Secret::try_from_base32(self.secret.expose()).ok()?;
        let algorithm = match self.params.algorithm {
            TotpAlgorithm::Sha1 => totp_rs::Algorithm::SHA1,
            TotpAlgorithm::Sha256 => totp_rs::Algorithm::SHA256,
            TotpAlgorithm::Sha512 => totp_rs::Algorithm::SHA512,
        };
        totp_rs::Builder::new()
            .with_secret(secret)
            .with_algorithm(algorithm)
            .with_digits(self.params.digits)
            .with_step_duration(self.params.period)
            .build()
            .ok()
    }

    /// The code for the step containing `unix_time`.
    pub fn code_at(&self, unix_time: u64) -> Option<Sensitive<String>> {
        self.totp().map(|t| Sensitive::new(t.generate(unix_time).to_string()))
    }
}

/// When to submit a TOTP code, given the last step already submitted for this account.
///
/// Never reuses a step (portals accept each code once, so a repeat would fail and could count as a
/// wrong attempt), and never submits with fewer than `min_remaining` seconds left in the step,
/// because the page may take that long to post. Returns the time to submit at.
pub fn submit_time(now: u64, last_submitted_step: Option<u64>, min_remaining: u64, period: u64) -> u64 {
    let period = period.max(1);
    let step = now / period;
    let remaining = period - now % period;
    let mut at = if remaining < min_remaining.min(period) { (step + 1) * period } else { now };
    if last_submitted_step.is_some_and(|last| at / period <= last) {
        at = (last_submitted_step.unwrap_or(step) + 1) * period;
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
    fn an_otpauth_link_s_algorithm_digits_and_period_are_honoured_and_kept() {
        // RFC 6238 appendix B: SHA256 seed "12345678901234567890123456789012", 8 digits.
        let sha256 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
        let link =
            format!("otpauth://totp/PACCAR:ops?secret={sha256}&algorithm=SHA256&digits=8&period=30&issuer=PACCAR");
        let secret = TotpSecret::parse(&link).unwrap();
        assert_eq!(secret.code_at(59).unwrap().expose(), "46119246");
        assert_eq!(secret.code_at(1_111_111_109).unwrap().expose(), "68084774");
        let stored = TotpSecret::parse(secret.stored_form().expose()).unwrap();
        assert_eq!(stored, secret, "what the keychain keeps reads back the same");
        let sixty = TotpSecret::parse(&format!("otpauth://totp/x?secret={SECRET}&period=60")).unwrap();
        assert_eq!(sixty.params().period, 60);
        assert_eq!(sixty.code_at(0).unwrap().expose(), sixty.code_at(59).unwrap().expose(), "one code per 60 s");
        assert_eq!(TotpSecret::parse(SECRET).unwrap().stored_form().expose(), SECRET, "defaults: the bare secret");
        let md5 = TotpSecret::parse(&format!("otpauth://totp/x?secret={SECRET}&algorithm=MD5")).unwrap_err();
        assert!(md5.to_string().contains("algorithm=MD5 is not supported"), "{md5}");
        assert!(TotpSecret::parse(&format!("otpauth://totp/x?secret={SECRET}&digits=4")).is_err());
        assert!(TotpSecret::parse(&format!("otpauth://totp/x?secret={SECRET}&period=0")).is_err());
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
        assert_eq!(submit_time(60, None, 5, 30), 60, "a fresh step: now");
        assert_eq!(submit_time(85, None, 5, 30), 85, "5 s left is enough");
        assert_eq!(submit_time(87, None, 5, 30), 90, "3 s left: wait for the next step");
        assert_eq!(submit_time(61, Some(2), 5, 30), 90, "step 2 was used: wait for step 3");
        assert_eq!(submit_time(88, Some(2), 5, 30), 90, "both rules agree");
        assert_eq!(submit_time(95, Some(2), 5, 30), 95, "an older step does not delay");
        assert_eq!(submit_time(61, Some(1), 5, 60), 120, "60 s steps: step 1 was used, wait for step 2");
    }
}
