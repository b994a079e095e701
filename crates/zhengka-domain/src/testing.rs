//! Fixtures the contexts' unit tests share.

use chrono::{NaiveDate, TimeZone, Utc};

use crate::ids::RegionCode;
use crate::permits::application::validate::tests as forms;
use crate::permits::permit::eligibility::{Approval, new_permit};
use crate::permits::permit::{Permit, PermitNumber};
use crate::permits::scoring::WorkerClass;
use crate::policy::Policy;

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A class B permit of ANNO BERNHARD DEDERICHS (born 1970-05-01), Guangzhou,
/// valid from 2026-12-01, approved on 2026-11-24.
pub(crate) fn permit() -> Permit {
    let region = RegionCode::parse("440100").unwrap();
    let policy = Policy::default();
    let approval = Approval {
        application_id: "app-1",
        employer_id: "emp-1",
        region_code: &region,
        class: WorkerClass::B,
        policy: &policy,
        now: Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
    };
    let form = forms::new_from_abroad();
    new_permit(&form, PermitNumber::assign("440100", 7), &approval).unwrap()
}
