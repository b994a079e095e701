//! The deployment's policy: what a province or city sets for itself.

use serde::{Deserialize, Serialize};

use crate::permits::permit::ValidityCaps;
use crate::permits::scoring::PointsTableVersion;
use crate::social_security::SocialSecurityPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub points_version: PointsTableVersion,
    /// The published local average annual wage, for the salary multiples.
    pub local_average_annual_wage_cny: u64,
    /// Provincial bonus points (0..=10) added to every score.
    pub provincial_bonus: u32,
    pub validity_caps: ValidityCaps,
    /// Retirement ages, over-age exclusions, the registration limit.
    #[serde(default)]
    pub social_security: SocialSecurityPolicy,
    /// The officer who accepted an application may not approve it. On by
    /// default; a province with a one-officer office may turn it off.
    #[serde(default = "on")]
    pub separation_of_duties: bool,
}

fn on() -> bool {
    true
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            points_version: PointsTableVersion::Interim,
            local_average_annual_wage_cny: 120_000,
            provincial_bonus: 0,
            validity_caps: ValidityCaps::default(),
            social_security: SocialSecurityPolicy::default(),
            separation_of_duties: true,
        }
    }
}
