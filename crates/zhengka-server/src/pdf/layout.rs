//! What the Notice and the Decision share: the authority's letterhead, the
//! bilingual rows of facts, the photo box, the issuing line.

use zhengka_domain::permits::application::PassportNumber;

use super::image::Image;
use super::writer::{A4, Page};
use crate::authority::Authority;

pub const LEFT: f32 = 56.0;
pub const RIGHT: f32 = A4.0 - LEFT;
/// The value column of the rows.
const VALUE_X: f32 = LEFT + 150.0;
/// A passport photo's proportions (33 × 48 mm), a little smaller.
pub const PHOTO: (f32, f32) = (84.0, 112.0);
/// Top of the photo box: level with the title.
const PHOTO_TOP: f32 = 760.0;

/// What the documents show of the holder besides the permit's facts.
#[derive(Debug, Clone, Default)]
pub struct Holder {
    /// Only for callers who may see it (the application's employer agent,
    /// a permit officer, the holder).
    pub passport_number: Option<PassportNumber>,
    /// The application's photo material, decoded; `None` draws a framed box.
    pub photo: Option<Image>,
}

/// The issuing authority's name over the title, then the title in both
/// languages, the document number, and a rule.
pub fn heading(page: &mut Page<'_>, authority: &Authority, zh: &str, en: &str, number: &str) {
    page.text(LEFT, 806.0, 11.0, &authority.name_zh);
    page.text(LEFT, 793.0, 8.0, &authority.name_en);
    page.text(LEFT, 760.0, 20.0, zh);
    page.text(LEFT, 740.0, 14.0, en);
    page.text(LEFT, 720.0, 10.0, &format!("编号 No. {number}"));
    page.line(LEFT, 710.0, RIGHT - PHOTO.0 - 12.0, 710.0);
}

/// The photo at the top right, or a framed placeholder saying none was given.
pub fn photo(page: &mut Page<'_>, holder: &Holder) {
    let (w, h) = PHOTO;
    let (x, y) = (RIGHT - w, PHOTO_TOP - h);
    match &holder.photo {
        Some(img) => {
            // Fit inside the box, keeping the image's proportions.
            let scale = (w / img.width as f32).min(h / img.height as f32);
            let (iw, ih) = (img.width as f32 * scale, img.height as f32 * scale);
            page.image(x + (w - iw) / 2.0, y + (h - ih) / 2.0, iw, ih, img.clone());
        }
        None => {
            page.text(x + 18.0, y + h / 2.0 + 4.0, 10.0, "照片");
            page.text(x + 18.0, y + h / 2.0 - 8.0, 7.0, "No photo");
        }
    }
    page.frame(x, y, w, h);
}

/// Label rows (Chinese over English) with their values, from `top` down;
/// returns the y below the last row. A value too long for the space left of
/// the photo (or of the page) is set smaller, never cut.
pub fn rows(page: &mut Page<'_>, top: f32, rows: &[(&str, &str, &str)]) -> f32 {
    let step = 30.0;
    for (i, (zh, en, value)) in rows.iter().enumerate() {
        let y = top - i as f32 * step;
        page.text(LEFT, y, 10.0, zh);
        page.text(LEFT, y - 11.0, 7.5, en);
        let right = if y + 4.0 > PHOTO_TOP - PHOTO.1 - 8.0 {
            RIGHT - PHOTO.0 - 8.0
        } else {
            RIGHT
        };
        let size = fit(page, value, 11.0, right - VALUE_X);
        page.text(VALUE_X, y - 6.0, size, value);
    }
    top - rows.len() as f32 * step
}

/// The largest size up to `size` at which `s` fits in `room` points (at least 5).
fn fit(page: &mut Page<'_>, s: &str, size: f32, room: f32) -> f32 {
    let width = page.width(size, s);
    if width <= room {
        size
    } else {
        (size * room / width).max(5.0)
    }
}

/// The issuing authority and date at the foot of the page.
pub fn issued(page: &mut Page<'_>, authority: &Authority, date: &str) {
    page.line(LEFT, 76.0, RIGHT, 76.0);
    page.text(
        LEFT,
        62.0,
        10.0,
        &format!("发证机关：{}", authority.name_zh),
    );
    page.text(
        LEFT,
        50.0,
        8.0,
        &format!("Issuing authority: {}", authority.name_en),
    );
    page.text(LEFT, 36.0, 8.0, &format!("签发日期 Issued on {date}"));
}

/// The passport row, when the caller may see it.
pub fn passport_row(holder: &Holder) -> Option<(&'static str, &'static str, &str)> {
    holder
        .passport_number
        .as_ref()
        .map(|n| ("护照号码", "Passport number", n.expose()))
}
