//! Which provinces count as a designated work location.

/// Western region (西部地区): Inner Mongolia 15, Guangxi 45, Chongqing 50,
/// Sichuan 51, Guizhou 52, Yunnan 53, Tibet 54, Shaanxi 61, Gansu 62,
/// Qinghai 63, Ningxia 64, Xinjiang 65.
const WESTERN_REGION: [&str; 12] = [
    "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// North-east old industrial base (东北老工业基地): Liaoning 21, Jilin 22,
/// Heilongjiang 23.
const NORTH_EAST: [&str; 3] = ["21", "22", "23"];

/// Whether a GB/T 2260 province prefix (the first two digits of a region
/// code, e.g. `"51"` for Sichuan) lies in the western region or the
/// north-east old industrial base.
///
/// Only an exact two-digit prefix matches: the caller cuts it from a parsed
/// region code, so a full code or stray spaces here are a bug, not input.
/// Designated poor counties are county-level and not covered: an officer
/// sets [`super::ScoringInput::designated_work_location`] for them.
pub fn is_designated_province(province_prefix: &str) -> bool {
    WESTERN_REGION.contains(&province_prefix) || NORTH_EAST.contains(&province_prefix)
}
