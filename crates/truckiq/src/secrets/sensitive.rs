//! A wrapper for secret values: never printed, never serialised.

/// Holds a password, TOTP secret or token. `Debug` prints `<redacted>` and there is deliberately no
/// `Display`, `Serialize` or `Clone`-to-string path, so a secret cannot leak into logs, IPC or the
/// database by accident; read it with [`Sensitive::expose`] at the one place it is needed.
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Clone> Clone for Sensitive<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: PartialEq> PartialEq for Sensitive<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Serialising a secret is refused at run time too, for code that reaches it generically.
impl<T> serde::Serialize for Sensitive<T> {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refusing to serialize a secret"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_refuse_serialisation() {
        let password = Sensitive::from("hunter2");
        assert_eq!(format!("{password:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&password)), "Some(<redacted>)");
        assert!(serde_json::to_string(&password).is_err());
        assert_eq!(password.expose(), "hunter2");
    }
}
