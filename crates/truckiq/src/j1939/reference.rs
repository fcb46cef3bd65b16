//! J1939 reference data, written in our own words: what each FMI means, the usual names of source
//! addresses, and a curated list of the SPNs behind most heavy-truck fault codes. The full SPN list
//! (SAE J1939 Digital Annex) is a paid product and is not shipped; the portal's own description of a
//! fault is always preferred, and these tables fill in when it gives none.

/// Where a row's fact came from, so anyone can check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// SAE J1939-71 parameter names and J1939-73 FMI definitions as summarised in public
    /// material (OEM fault-code guides, training notes); paraphrased, not copied.
    SaeSummary,
    /// SAE J1939 address assignments for preferred source addresses (J1939 appendix B).
    SaeAddressTable,
    /// The wording PACCAR (Kenworth/Peterbilt/DAF) portals and fault e-mails use for the code.
    PaccarPortal,
    /// US EPA rules on SCR operator inducement (derate when DEF is empty or bad).
    EpaInducement,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::SaeSummary => "SAE J1939-71/-73, from public summaries",
            Source::SaeAddressTable => "SAE J1939 preferred source addresses",
            Source::PaccarPortal => "PACCAR portal fault wording",
            Source::EpaInducement => "US EPA SCR inducement rules",
        }
    }
}

/// What a Failure Mode Identifier says about the reading, 0-31 (J1939-73).
pub fn fmi_meaning(fmi: u8) -> &'static str {
    match fmi {
        0 => "Reading valid but above normal range (most severe level)",
        1 => "Reading valid but below normal range (most severe level)",
        2 => "Data erratic, intermittent or incorrect",
        3 => "Voltage above normal, or shorted to a high source",
        4 => "Voltage below normal, or shorted to a low source",
        5 => "Current below normal, or open circuit",
        6 => "Current above normal, or grounded circuit",
        7 => "Mechanical system not responding or out of adjustment",
        8 => "Abnormal frequency, pulse width or period",
        9 => "Abnormal update rate (message arriving too slowly or not at all)",
        10 => "Abnormal rate of change",
        11 => "Root cause not known",
        12 => "Bad intelligent device or component",
        13 => "Out of calibration",
        14 => "Special instructions (see the manufacturer's procedure)",
        15 => "Reading valid but above normal range (least severe level)",
        16 => "Reading valid but above normal range (moderately severe level)",
        17 => "Reading valid but below normal range (least severe level)",
        18 => "Reading valid but below normal range (moderately severe level)",
        19 => "Received network data in error",
        20 => "Data drifted high",
        21 => "Data drifted low",
        22..=30 => "Reserved by SAE for future use",
        31 => "Condition exists",
        _ => "Not a J1939 FMI (valid values are 0-31)",
    }
}

/// The usual name of a J1939 source address (the controller that reported the fault).
pub fn source_address_name(sa: u8) -> Option<&'static str> {
    Some(match sa {
        0 => "Engine #1",
        1 => "Engine #2",
        3 => "Transmission #1",
        11 => "Brakes - system controller",
        15 => "Retarder - engine",
        16 => "Retarder - driveline",
        17 => "Cruise control",
        23 => "Instrument cluster #1",
        33 => "Body controller",
        49 => "Cab controller - primary",
        61 => "Exhaust emission controller (aftertreatment)",
        81 => "Aftertreatment 1 intake NOx sensor",
        82 => "Aftertreatment 1 outlet NOx sensor",
        85 => "Diesel particulate filter controller",
        86 => "Aftertreatment 2 intake NOx sensor",
        87 => "Aftertreatment 2 outlet NOx sensor",
        90 => "Powertrain control module",
        _ => return None,
    })
}

/// A source address as people should read it: its name when known, always with the number.
pub fn source_label(sa: u8) -> String {
    match source_address_name(sa) {
        Some(name) => format!("{name} (SA {sa})"),
        None => format!("SA {sa}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpnInfo {
    pub spn: u32,
    pub name: &'static str,
    /// Its most severe readings (FMI 0/1) mean the engine should stop or is being derated.
    pub critical: bool,
    pub source: Source,
}

const fn spn(spn: u32, name: &'static str, critical: bool, source: Source) -> SpnInfo {
    SpnInfo { spn, name, critical, source }
}

use Source as S;

/// Sorted by SPN (checked by a test) so lookups can binary-search.
pub const SPNS: &[SpnInfo] = &[
    spn(27, "EGR valve position", false, S::SaeSummary),
    spn(51, "Throttle position", false, S::SaeSummary),
    spn(84, "Wheel-based vehicle speed", false, S::SaeSummary),
    spn(91, "Accelerator pedal position", false, S::SaeSummary),
    spn(94, "Fuel delivery pressure", false, S::SaeSummary),
    spn(97, "Water in fuel indicator", false, S::SaeSummary),
    spn(98, "Engine oil level", false, S::SaeSummary),
    spn(100, "Engine oil pressure", true, S::PaccarPortal),
    spn(102, "Intake manifold #1 pressure (boost)", false, S::SaeSummary),
    spn(105, "Intake manifold #1 temperature", false, S::SaeSummary),
    spn(108, "Barometric pressure", false, S::SaeSummary),
    spn(110, "Engine coolant temperature", true, S::PaccarPortal),
    spn(111, "Engine coolant level", true, S::PaccarPortal),
    spn(116, "Brake application pressure", false, S::SaeSummary),
    spn(127, "Transmission oil pressure", false, S::SaeSummary),
    spn(157, "Fuel rail (injector metering rail 1) pressure", false, S::SaeSummary),
    spn(158, "Battery potential at the key switch", false, S::SaeSummary),
    spn(168, "Battery potential (power input 1)", false, S::SaeSummary),
    spn(171, "Ambient air temperature", false, S::SaeSummary),
    spn(175, "Engine oil temperature", false, S::SaeSummary),
    spn(177, "Transmission oil temperature", false, S::SaeSummary),
    spn(190, "Engine speed", false, S::SaeSummary),
    spn(412, "EGR temperature", false, S::SaeSummary),
    spn(523, "Transmission current gear", false, S::SaeSummary),
    spn(629, "Engine controller #1 (internal fault)", false, S::SaeSummary),
    spn(639, "J1939 network #1 (primary vehicle network)", false, S::SaeSummary),
    spn(641, "Variable geometry turbocharger actuator", false, S::SaeSummary),
    spn(651, "Injector cylinder 1", false, S::SaeSummary),
    spn(652, "Injector cylinder 2", false, S::SaeSummary),
    spn(653, "Injector cylinder 3", false, S::SaeSummary),
    spn(654, "Injector cylinder 4", false, S::SaeSummary),
    spn(655, "Injector cylinder 5", false, S::SaeSummary),
    spn(656, "Injector cylinder 6", false, S::SaeSummary),
    spn(789, "ABS wheel speed sensor, front axle left", false, S::SaeSummary),
    spn(790, "ABS wheel speed sensor, front axle right", false, S::SaeSummary),
    spn(1231, "J1939 network #2", false, S::SaeSummary),
    spn(1569, "Engine protection torque derate", true, S::PaccarPortal),
    spn(1761, "DEF (diesel exhaust fluid) tank level", false, S::PaccarPortal),
    spn(3031, "DEF tank temperature", false, S::SaeSummary),
    spn(3216, "Aftertreatment 1 intake NOx", false, S::SaeSummary),
    spn(3226, "Aftertreatment 1 outlet NOx", false, S::SaeSummary),
    spn(3251, "DPF differential pressure", false, S::SaeSummary),
    spn(3361, "DEF dosing unit", false, S::SaeSummary),
    spn(3364, "DEF quality", false, S::PaccarPortal),
    spn(3719, "DPF soot load", false, S::PaccarPortal),
    spn(3936, "DPF system", false, S::SaeSummary),
    spn(4364, "SCR conversion efficiency", false, S::PaccarPortal),
    spn(5246, "SCR operator inducement severity (emissions derate)", true, S::EpaInducement),
];

pub fn spn_info(number: u32) -> Option<&'static SpnInfo> {
    SPNS.binary_search_by_key(&number, |s| s.spn).ok().map(|i| &SPNS[i])
}

/// A description for a fault the portal described in no words of its own.
pub fn describe_fault(spn_number: u32, fmi: u8) -> String {
    match spn_info(spn_number) {
        Some(info) => format!("{} - {}", info.name, fmi_meaning(fmi)),
        None => format!("SPN {spn_number} - {}", fmi_meaning(fmi)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fmi_has_a_meaning() {
        for fmi in 0..=31 {
            assert!(!fmi_meaning(fmi).starts_with("Not a J1939"), "FMI {fmi}");
        }
        assert_eq!(fmi_meaning(4), "Voltage below normal, or shorted to a low source");
        assert!(fmi_meaning(32).starts_with("Not a J1939"));
    }

    #[test]
    fn spns_are_sorted_unique_and_in_range() {
        assert!(SPNS.windows(2).all(|w| w[0].spn < w[1].spn), "sorted and unique");
        assert!(SPNS.iter().all(|s| s.spn <= 524_287 && !s.name.is_empty()));
        assert_eq!(spn_info(100).map(|s| s.critical), Some(true));
        assert_eq!(spn_info(3226).map(|s| s.name), Some("Aftertreatment 1 outlet NOx"));
        assert_eq!(spn_info(4), None);
    }

    #[test]
    fn labels_fall_back_to_the_number() {
        assert_eq!(source_label(61), "Exhaust emission controller (aftertreatment) (SA 61)");
        assert_eq!(source_label(200), "SA 200");
        assert_eq!(
            describe_fault(100, 1),
            "Engine oil pressure - Reading valid but below normal range (most severe level)"
        );
        assert_eq!(describe_fault(99_999, 31), "SPN 99999 - Condition exists");
    }
}
