//! Stable UUIDs for API resources the fleet model only numbers (faults, readings) or does not
//! have at all (accounts, users). Stable so a client syncing twice sees the same ids, and
//! invertible for numbered resources so `GET .../faults/{uuid}` needs no lookup table.

use sha2::{Digest, Sha256};
use uuid::{Builder, Uuid};

/// What a derived id names; keeps a fault's and its reading's ids apart.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Fault,
    Reading,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Fault => "fault",
            Kind::Reading => "diagnostic_reading",
        }
    }
}

/// The number sits in the last 7 bytes, clear of the version and variant bits `from_random_bytes`
/// sets; the first 9 bytes tag the fleet seed and the kind.
pub fn numbered(seed: u64, kind: Kind, number: u64) -> String {
    let mut bytes = [0u8; 16];
    let tag = Sha256::new().chain_update(seed.to_be_bytes()).chain_update(kind.tag()).finalize();
    bytes[..9].copy_from_slice(&tag[..9]);
    bytes[9..].copy_from_slice(&number.to_be_bytes()[1..]);
    Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// The number behind an id from [`numbered`], if `id` is one of ours for this seed and kind.
pub fn number_of(seed: u64, kind: Kind, id: &str) -> Option<u64> {
    let uuid = Uuid::parse_str(id).ok()?;
    let mut number = [0u8; 8];
    number[1..].copy_from_slice(&uuid.as_bytes()[9..]);
    let number = u64::from_be_bytes(number);
    (numbered(seed, kind, number) == uuid.to_string()).then_some(number)
}

/// A stable id for a name (an account or user), the same on every run.
pub fn named(namespace: &str, name: &str) -> String {
    let hash = Sha256::new().chain_update(namespace).chain_update([0]).chain_update(name).finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    Builder::from_random_bytes(bytes).into_uuid().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_ids_round_trip_and_stay_apart() {
        let id = numbered(7, Kind::Fault, 42);
        assert_eq!(number_of(7, Kind::Fault, &id), Some(42));
        assert_eq!(number_of(7, Kind::Reading, &id), None);
        assert_eq!(number_of(8, Kind::Fault, &id), None);
        assert_ne!(id, numbered(7, Kind::Reading, 42));
        assert_eq!(number_of(7, Kind::Fault, "not-a-uuid"), None);
        assert_eq!(Uuid::parse_str(&id).map(|u| u.get_version_num()).ok(), Some(4));
    }

    #[test]
    fn named_ids_are_stable() {
        assert_eq!(named("account", "fleet"), named("account", "fleet"));
        assert_ne!(named("account", "fleet"), named("user", "fleet"));
    }
}
