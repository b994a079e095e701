//! The on-site Decision on Administrative Permit Approval (准予行政许可决定书):
//! issued when the originals of a class B or C holder were checked at the
//! window within the 30 days, bilingual, on one A4 page.

use chrono::NaiveDate;
use zhengka_credential::PermitFacts;

use super::font::PdfFont;
use super::layout::{Holder, LEFT, heading, issued, passport_row, photo, rows};
use super::writer::Page;
use crate::authority::Authority;

/// What the Decision states besides the permit's facts.
pub struct DecisionFacts<'a> {
    pub decision_number: &'a str,
    pub entry_date: NaiveDate,
    pub checked_on: NaiveDate,
    pub late: bool,
}

pub fn render_decision(
    font: &PdfFont,
    authority: &Authority,
    f: &PermitFacts,
    d: &DecisionFacts<'_>,
    holder: &Holder,
) -> Result<Vec<u8>, String> {
    let mut page = Page::new(font);
    heading(
        &mut page,
        authority,
        "准予行政许可决定书",
        "Decision on Administrative Permit Approval",
        d.decision_number,
    );
    photo(&mut page, holder);
    let validity = format!("{} - {}", f.valid_from, f.valid_to);
    let entry = d.entry_date.to_string();
    let checked = d.checked_on.to_string();
    let mut facts = vec![
        ("姓名", "Name", f.holder_name.as_str()),
        ("国籍", "Nationality", &f.nationality),
    ];
    facts.extend(passport_row(holder));
    facts.extend([
        (
            "工作许可证号",
            "Work permit number",
            f.permit_number.as_str(),
        ),
        ("类别", "Class", &f.class),
        ("用人单位", "Employer", &f.employer_name),
        ("职位", "Position", &f.position),
        ("有效期", "Valid", &validity),
        ("入境日期", "Entry date", &entry),
        ("核验日期", "Originals checked on", &checked),
    ]);
    let mut y = rows(&mut page, 690.0, &facts) - 10.0;
    let mut say = |page: &mut Page<'_>, size: f32, line: &str| {
        page.text(LEFT, y, size, line);
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
    issued(&mut page, authority, &d.checked_on.to_string());
    page.finish(&format!(
        "准予行政许可决定书 Decision on Administrative Permit Approval {}",
        d.decision_number
    ))
}
