//! 17-character VINs (ISO 3779 / 49 CFR 565) with a correct check digit in position 9.

/// Letters I, O and Q never appear in a VIN.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

fn transliterate(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// The check digit ('0'-'9' or 'X') for a 17-character VIN; position 9 itself is ignored.
/// `None` if the VIN has the wrong length or a character that cannot appear in a VIN.
pub fn check_digit(vin: &str) -> Option<char> {
    let bytes = vin.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if i == 8 {
            continue;
        }
        sum += transliterate(c)? * WEIGHTS[i];
    }
    Some(match sum % 11 {
        10 => 'X',
        d => char::from_digit(d, 10)?,
    })
}

pub fn is_valid(vin: &str) -> bool {
    vin.len() == 17 && check_digit(vin).is_some_and(|d| vin.as_bytes()[8] == d as u8)
}

/// Model-year code in position 10 (the 30-year cycle restarted in 2010 at 'A').
pub fn year_code(year: u16) -> char {
    const CODES: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
    CODES[usize::from(year.saturating_sub(2010)) % CODES.len()] as char
}

/// Builds a VIN from a manufacturer code (WMI), a vehicle descriptor (positions 4-8), the model
/// year, a plant code and a six-digit serial, filling in the check digit.
pub fn build(wmi: &str, descriptor: &str, year: u16, plant: char, serial: u32) -> String {
    let mut vin = format!("{wmi}{descriptor}0{}{plant}{:06}", year_code(year), serial % 1_000_000);
    debug_assert_eq!(vin.len(), 17, "bad VIN parts: {vin}");
    if let Some(digit) = check_digit(&vin) {
        vin.replace_range(8..9, &digit.to_string());
    }
    vin
}

/// A random 5-character vehicle descriptor section from the VIN alphabet.
pub fn random_descriptor(rng: &mut impl rand::Rng) -> String {
    (0..5).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_published_examples() {
        // Worked example from 49 CFR 565 guidance and a well-known test VIN.
        assert!(is_valid("1M8GDM9AXKP042788"));
        assert!(is_valid("11111111111111111"));
        assert!(!is_valid("1M8GDM9A1KP042788"));
        assert!(!is_valid("1M8GDM9AXKP04278"), "16 characters");
        assert!(!is_valid("1M8GDM9AXKP04278O"), "O is not a VIN character");
    }

    #[test]
    fn built_vins_are_valid() {
        let vin = build("1XK", "YD49X", 2022, 'J', 123_456);
        assert_eq!(vin.len(), 17);
        assert!(is_valid(&vin), "{vin}");
        assert_eq!(&vin[9..10], "N", "2022 is N");
        assert_eq!(&vin[11..], "123456");
    }

    #[test]
    fn year_codes() {
        assert_eq!(year_code(2010), 'A');
        assert_eq!(year_code(2018), 'J');
        assert_eq!(year_code(2026), 'T');
    }
}
