//! Identities that outlive row ids. SQLite reuses a deleted row's id, and two databases both have
//! an account 1, so anything kept outside the database (keychain entries, browser profiles, kept
//! pages, mutes) is keyed by a random UUID that no other account, here or elsewhere, ever has.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Declares a UUID identity kept as hyphenated text in SQLite, JSON and TypeScript.
macro_rules! uid_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        pub struct $name(#[ts(type = "string")] Uuid);

        impl $name {
            /// A new identity, never given to anything else.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.to_string().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: uuid::Error| rusqlite::types::FromSqlError::Other(e.into()))
            }
        }
    };
}

uid_type! {
    /// An account's identity for everything outside its own database row.
    AccountUid
}

uid_type! {
    /// An alert channel's identity: its keychain entries (webhook URL, tokens, passwords) are kept
    /// under it.
    ChannelUid
}

uid_type! {
    /// An alert's identity, and the idempotency key of the message sent about it: a receiver that
    /// sees a key twice drops the second.
    AlertUid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_distinct_and_round_trip_as_text() {
        let (a, b) = (AccountUid::new(), AccountUid::new());
        assert_ne!(a, b);
        let text = a.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<AccountUid>().unwrap(), a);
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{text}\""));
        assert!("account-1".parse::<AccountUid>().is_err());
    }
}
