//! One function per item of the table: what an input scores on that item.

use super::input::{ChineseLanguage, Education, ScoringInput};
use super::points::ScoreItem;
use super::table::{Band, PointsTable};

impl PointsTable {
    /// Points for one item. Expects a validated input (bonus within bounds).
    pub(crate) fn points_for(&self, item: ScoreItem, input: &ScoringInput) -> u32 {
        let extra = |yes: bool| if yes { self.extra } else { 0 };
        match item {
            ScoreItem::Salary => banded(self.salary_cny, input.annual_salary_cny),
            ScoreItem::Education => self.education(input.education),
            ScoreItem::WorkExperience => self.experience(input.related_experience_years),
            ScoreItem::MonthsInChina => {
                banded(self.months_in_china, input.months_per_year_in_china)
            }
            ScoreItem::ChineseLanguage => self.chinese(input.chinese_language),
            ScoreItem::WorkLocation => {
                if input.designated_work_location {
                    self.designated_location
                } else {
                    0
                }
            }
            ScoreItem::Age => self.age(input.age_years),
            ScoreItem::TopUniversity => extra(input.top_foreign_university),
            ScoreItem::FortuneGlobal500 => extra(input.fortune_global_500_experience),
            ScoreItem::Patents => extra(input.patents),
            ScoreItem::FiveYearsInChina => extra(input.five_consecutive_years_in_china),
            // Clamped although validation already bounds it: the total must
            // never exceed the table's maximum, whatever the caller did.
            ScoreItem::ProvincialBonus => input.provincial_bonus.min(self.max_provincial_bonus),
        }
    }

    fn education(&self, education: Education) -> u32 {
        match education {
            Education::None => 0,
            Education::Bachelor => self.bachelor,
            Education::Master => self.master,
            Education::Doctorate => self.doctorate,
        }
    }

    fn experience(&self, years: u32) -> u32 {
        let rule = &self.experience;
        if years < rule.min_years {
            return 0;
        }
        // Saturating: years can be any u32 and the cap applies anyway.
        let further = years - rule.min_years;
        rule.base_points.saturating_add(further).min(rule.cap)
    }

    fn chinese(&self, language: ChineseLanguage) -> u32 {
        match language {
            ChineseLanguage::None => 0,
            ChineseLanguage::Hsk1 => self.hsk_1_to_4[0],
            ChineseLanguage::Hsk2 => self.hsk_1_to_4[1],
            ChineseLanguage::Hsk3 => self.hsk_1_to_4[2],
            ChineseLanguage::Hsk4 => self.hsk_1_to_4[3],
            ChineseLanguage::Hsk5OrAbove | ChineseLanguage::DegreeTaughtInChinese => {
                self.chinese_fluent
            }
            ChineseLanguage::FormerChineseNational => self.former_chinese_national,
        }
    }

    fn age(&self, years: u32) -> u32 {
        self.age
            .iter()
            .find(|band| (band.from..=band.to).contains(&years))
            .map_or(0, |band| band.points)
    }
}

/// The points of the first (highest) band the value reaches; 0 below all.
fn banded<T: PartialOrd + Copy>(bands: &[Band<T>], value: T) -> u32 {
    bands
        .iter()
        .find(|band| value >= band.at_least)
        .map_or(0, |band| band.points)
}
