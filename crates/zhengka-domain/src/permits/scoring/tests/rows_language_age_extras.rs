//! Chinese language, work location, age, the four extras and the bonus.

use super::*;

fn chinese(version: PointsTableVersion, language: ChineseLanguage) -> u32 {
    let input = ScoringInput {
        chinese_language: language,
        ..zero_input()
    };
    item_points(&input, version, ScoreItem::ChineseLanguage)
}

fn chinese_in_both(language: ChineseLanguage) -> u32 {
    same_in_both(ScoreItem::ChineseLanguage, |i| {
        i.chinese_language = language
    })
}

fn age(years: u32) -> u32 {
    same_in_both(ScoreItem::Age, |i| i.age_years = years)
}

#[test]
fn hsk5_or_above_scores_5() {
    assert_eq!(chinese_in_both(ChineseLanguage::Hsk5OrAbove), 5);
}

#[test]
fn degree_taught_in_chinese_scores_5() {
    assert_eq!(chinese_in_both(ChineseLanguage::DegreeTaughtInChinese), 5);
}

#[test]
fn hsk4_to_hsk1_score_their_level() {
    assert_eq!(chinese_in_both(ChineseLanguage::Hsk4), 4);
    assert_eq!(chinese_in_both(ChineseLanguage::Hsk3), 3);
    assert_eq!(chinese_in_both(ChineseLanguage::Hsk2), 2);
    assert_eq!(chinese_in_both(ChineseLanguage::Hsk1), 1);
}

#[test]
fn no_chinese_scores_0() {
    assert_eq!(chinese_in_both(ChineseLanguage::None), 0);
}

#[test]
fn former_chinese_national_scores_5_interim_and_10_trial() {
    let former = ChineseLanguage::FormerChineseNational;
    assert_eq!(chinese(PointsTableVersion::Interim, former), 5);
    assert_eq!(chinese(PointsTableVersion::Trial2017, former), 10);
}

#[test]
fn designated_work_location_scores_10() {
    let points = |yes| {
        same_in_both(ScoreItem::WorkLocation, |i| {
            i.designated_work_location = yes
        })
    };
    assert_eq!(points(true), 10);
    assert_eq!(points(false), 0);
}

#[test]
fn age_under_18_scores_0() {
    assert_eq!(age(0), 0);
    assert_eq!(age(17), 0);
}

#[test]
fn age_18_to_25_scores_10() {
    assert_eq!(age(18), 10);
    assert_eq!(age(25), 10);
}

#[test]
fn age_26_to_45_scores_15() {
    assert_eq!(age(26), 15);
    assert_eq!(age(45), 15);
}

#[test]
fn age_46_to_55_scores_10() {
    assert_eq!(age(46), 10);
    assert_eq!(age(55), 10);
}

#[test]
fn age_56_to_60_scores_5() {
    assert_eq!(age(56), 5);
    assert_eq!(age(60), 5);
}

#[test]
fn age_over_60_scores_0() {
    assert_eq!(age(61), 0);
    assert_eq!(age(130), 0);
}

#[test]
fn each_extra_scores_5_when_present() {
    type Flag = fn(&mut ScoringInput) -> &mut bool;
    let extras: [(ScoreItem, Flag); 4] = [
        (ScoreItem::TopUniversity, |i| &mut i.top_foreign_university),
        (ScoreItem::FortuneGlobal500, |i| {
            &mut i.fortune_global_500_experience
        }),
        (ScoreItem::Patents, |i| &mut i.patents),
        (ScoreItem::FiveYearsInChina, |i| {
            &mut i.five_consecutive_years_in_china
        }),
    ];
    for (item, flag) in extras {
        assert_eq!(same_in_both(item, |i| *flag(i) = true), 5, "{item:?}");
        assert_eq!(same_in_both(item, |i| *flag(i) = false), 0, "{item:?}");
    }
}

#[test]
fn provincial_bonus_scores_as_given_up_to_10() {
    let bonus = |points| same_in_both(ScoreItem::ProvincialBonus, |i| i.provincial_bonus = points);
    assert_eq!(bonus(0), 0);
    assert_eq!(bonus(7), 7);
    assert_eq!(bonus(10), 10);
}

#[test]
fn every_item_is_listed_once_in_table_order() {
    let score = score(&zero_input(), PointsTableVersion::Interim).unwrap();
    let items: Vec<ScoreItem> = score.items.iter().map(|line| line.item).collect();
    assert_eq!(items, ScoreItem::ALL);
    assert_eq!(score.total, 0);
}

#[test]
fn both_tables_top_out_at_135() {
    use crate::permits::scoring::table::PointsTable;
    for version in [PointsTableVersion::Interim, PointsTableVersion::Trial2017] {
        assert_eq!(PointsTable::for_version(version).max_total(), 135);
    }
}

#[test]
fn default_version_is_interim() {
    assert_eq!(PointsTableVersion::default(), PointsTableVersion::Interim);
}
