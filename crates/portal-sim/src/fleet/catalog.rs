//! The faults the simulated trucks raise: a realistic mix of what heavy-truck fleets actually see
//! (aftertreatment NOx/DEF/DPF, oil pressure, coolant, fuel, ABS, transmission, electrical).
//! SPN/FMI/SA meanings follow SAE J1939 as summarised in `shared/docs/domain.md`; descriptions are
//! written here in the style the portals use.

/// What the portal tells the driver/fleet to do, in PACCAR's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Urgency {
    #[serde(rename = "Stop Engine Immediately")]
    StopEngine,
    #[serde(rename = "Seek Service Immediately")]
    SeekService,
    #[serde(rename = "Service Advised")]
    ServiceAdvised,
}

impl Urgency {
    pub fn text(self) -> &'static str {
        match self {
            Urgency::StopEngine => "Stop Engine Immediately",
            Urgency::SeekService => "Seek Service Immediately",
            Urgency::ServiceAdvised => "Service Advised",
        }
    }

    /// The Decisiv API's 0-100 severity and its `severity_level` wording.
    pub fn api_severity(self) -> (u8, &'static str) {
        match self {
            Urgency::StopEngine => (95, "Severe"),
            Urgency::SeekService => (70, "Moderate"),
            Urgency::ServiceAdvised => (30, "Needs Attention"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultCode {
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    pub description: &'static str,
    pub urgency: Urgency,
    pub derate: bool,
    /// Relative likelihood of this fault appearing.
    pub weight: u32,
}

use Urgency::{SeekService as Seek, ServiceAdvised as Advised, StopEngine as Stop};

const fn f(
    sa: u8,
    spn: u32,
    fmi: u8,
    description: &'static str,
    urgency: Urgency,
    derate: bool,
    weight: u32,
) -> FaultCode {
    FaultCode { source_address: sa, spn, fmi, description, urgency, derate, weight }
}

pub const CATALOG: &[FaultCode] = &[
    // Aftertreatment: by far the most common family on modern diesels.
    f(61, 3226, 4, "Aftertreatment 1 Outlet NOx Sensor - Voltage Below Normal", Advised, false, 30),
    f(82, 3226, 2, "Aftertreatment 1 Outlet NOx Sensor - Data Erratic", Advised, false, 18),
    f(81, 3216, 2, "Aftertreatment 1 Intake NOx Sensor - Data Erratic", Advised, false, 15),
    f(61, 4364, 18, "SCR Conversion Efficiency - Below Normal, Moderately Severe", Seek, true, 22),
    f(61, 1761, 17, "DEF Tank Level - Below Normal, Least Severe", Advised, false, 25),
    f(61, 1761, 1, "DEF Tank Level - Below Normal, Most Severe", Seek, true, 8),
    f(61, 3364, 2, "DEF Quality - Data Erratic", Seek, true, 10),
    f(61, 3361, 7, "DEF Dosing Unit - Not Responding Properly", Seek, true, 6),
    f(85, 3251, 0, "DPF Differential Pressure - Above Normal, Most Severe", Seek, true, 7),
    f(0, 3719, 16, "DPF Soot Load - Above Normal, Moderately Severe (regeneration needed)", Advised, false, 20),
    f(0, 3719, 0, "DPF Soot Load - Above Normal, Most Severe", Seek, true, 5),
    f(61, 5246, 0, "SCR Operator Inducement Severity - Above Normal, Most Severe", Stop, true, 2),
    f(0, 27, 7, "EGR Valve Position - Mechanical System Not Responding", Seek, false, 8),
    // Lubrication and cooling: rare, but the ones that end engines.
    f(0, 100, 1, "Engine Oil Pressure - Below Normal, Most Severe", Stop, true, 2),
    f(0, 100, 18, "Engine Oil Pressure - Below Normal, Moderately Severe", Seek, false, 4),
    f(0, 98, 17, "Engine Oil Level - Below Normal, Least Severe", Advised, false, 6),
    f(0, 110, 0, "Engine Coolant Temperature - Above Normal, Most Severe", Stop, true, 2),
    f(0, 110, 16, "Engine Coolant Temperature - Above Normal, Moderately Severe", Seek, false, 5),
    f(0, 111, 1, "Engine Coolant Level - Below Normal, Most Severe", Stop, true, 2),
    f(0, 111, 17, "Engine Coolant Level - Below Normal, Least Severe", Advised, false, 7),
    // Fuel and air.
    f(0, 157, 18, "Engine Fuel Rail Pressure - Below Normal, Moderately Severe", Seek, true, 4),
    f(0, 641, 7, "Variable Geometry Turbo Actuator - Not Responding Properly", Seek, true, 5),
    f(0, 102, 18, "Intake Manifold Pressure - Below Normal, Moderately Severe", Seek, false, 4),
    f(0, 97, 3, "Water in Fuel Indicator - Voltage Above Normal", Advised, false, 6),
    // Brakes.
    f(11, 789, 5, "ABS Wheel Sensor Axle 1 Left - Current Below Normal or Open Circuit", Advised, false, 9),
    f(11, 790, 2, "ABS Wheel Sensor Axle 1 Right - Data Erratic", Advised, false, 7),
    f(11, 116, 18, "Brake Application Pressure - Below Normal, Moderately Severe", Seek, false, 3),
    // Transmission.
    f(3, 177, 16, "Transmission Oil Temperature - Above Normal, Moderately Severe", Seek, false, 4),
    f(3, 127, 1, "Transmission Oil Pressure - Below Normal, Most Severe", Stop, false, 1),
    f(3, 523, 2, "Transmission Current Gear - Data Erratic", Advised, false, 3),
    // Electrical and network.
    f(0, 168, 1, "Battery Potential - Below Normal, Most Severe", Seek, false, 5),
    f(0, 168, 17, "Battery Potential - Below Normal, Least Severe", Advised, false, 8),
    f(33, 639, 9, "J1939 Network #1 - Abnormal Update Rate", Advised, false, 6),
    f(0, 629, 12, "Engine Controller #1 - Bad Intelligent Device", Seek, false, 2),
    f(23, 1231, 9, "J1939 Network #2 - Abnormal Update Rate", Advised, false, 4),
];

/// The conventional name of a J1939 source address as the portals print it; `None` when we do not
/// know it (the portal then shows only "SA n").
pub fn source_name(sa: u8) -> Option<&'static str> {
    Some(match sa {
        0 => "Engine #1",
        3 => "Transmission #1",
        11 => "Brakes - System Controller",
        23 => "Instrument Cluster #1",
        33 => "Body Controller",
        61 => "Aftertreatment #1 (Exhaust Emission Controller)",
        81 => "Aftertreatment 1 Intake NOx Sensor",
        82 => "Aftertreatment 1 Outlet NOx Sensor",
        85 => "Diesel Particulate Filter Controller",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_codes_are_valid_j1939_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in CATALOG {
            assert!(code.spn <= 524_287 && code.fmi <= 31, "{code:?}");
            assert!(seen.insert((code.source_address, code.spn, code.fmi)), "duplicate {code:?}");
            assert!(source_name(code.source_address).is_some(), "unnamed SA in {code:?}");
        }
    }
}
