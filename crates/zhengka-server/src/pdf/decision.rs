//! The on-site Decision on Administrative Permit Approval (准予行政许可决定书):
//! issued when the originals of a class B or C holder were checked at the
//! window within the 30 days, bilingual, on one A4 page.

use chrono::NaiveDate;
use zhengka_credential::PermitFacts;

use super::writer::{A4, Page};

/// What the Decision states besides the permit's facts.
pub struct DecisionFacts<'a> {
    pub decision_number: &'a str,
    pub entry_date: NaiveDate,
    pub checked_on: NaiveDate,
    pub late: bool,
    pub authority: &'a str,
}

pub fn render_decision(f: &PermitFacts, d: &DecisionFacts<'_>) -> Vec<u8> {
    let mut page = Page::default();
    let left = 56.0;
    page.text(left, 780.0, 20.0, "准予行政许可决定书");
    page.text(
        left,
        758.0,
        14.0,
        "Decision on Administrative Permit Approval",
    );
    page.text(
        left,
        736.0,
        10.0,
        &format!("编号 No. {}", d.decision_number),
    );
    page.line(left, 726.0, A4.0 - left, 726.0);
    let validity = format!("{} - {}", f.valid_from, f.valid_to);
    let entry = d.entry_date.to_string();
    let checked = d.checked_on.to_string();
    let rows: [(&str, &str, &str); 9] = [
        ("姓名", "Name", &f.holder_name),
        ("国籍", "Nationality", &f.nationality),
        ("工作许可证号", "Work permit number", &f.permit_number),
        ("类别", "Class", &f.class),
        ("用人单位", "Employer", &f.employer_name),
        ("职位", "Position", &f.position),
        ("有效期", "Valid", &validity),
        ("入境日期", "Entry date", &entry),
        ("核验日期", "Originals checked on", &checked),
    ];
    for (i, (zh, en, value)) in rows.iter().enumerate() {
        let y = 700.0 - i as f32 * 34.0;
        page.text(left, y, 10.0, zh);
        page.text(left, y - 12.0, 8.0, en);
        page.text(left + 150.0, y - 6.0, 11.0, value);
    }
    let mut y = 380.0;
    let mut say = |page: &mut Page, size: f32, line: &str| {
        page.text(left, y, size, line);
        y -= 16.0;
    };
    say(
        &mut page,
        10.0,
        "经核验申请材料原件，准予外国人来华工作行政许可。",
    );
    say(
        &mut page,
        8.0,
        "The original materials were checked: the administrative permit for the foreigner to work in China is granted.",
    );
    if d.late {
        say(&mut page, 10.0, "本次核验晚于入境后30日的期限。");
        say(
            &mut page,
            8.0,
            "The check took place after the 30 days from entry.",
        );
    }
    page.text(left, 120.0, 10.0, d.authority);
    page.text(left, 104.0, 10.0, &format!("{}", d.checked_on));
    page.finish(&format!(
        "准予行政许可决定书 Decision on Administrative Permit Approval {}",
        d.decision_number
    ))
}
