use chrono::Utc;
use zhengka_credential::{Algorithm, Issuer, PermitFacts, SigningKey, Validity};
use zhengka_domain::permits::application::Notice;

use super::{MODULE_PT, render};

fn facts() -> PermitFacts {
    PermitFacts {
        permit_number: "4401060000000000042".into(),
        holder_name: "ANNO BERNHARD DEDERICHS".into(),
        nationality: "DEU".into(),
        date_of_birth: "1970-05-01".into(),
        employer_name: "中山大学 (Sun Yat-sen University)".into(),
        employer_uscc: "91350100M000100Y43".into(),
        class: "A".into(),
        position: "Professor".into(),
        valid_from: "2026-12-01".into(),
        valid_to: "2028-11-30".into(),
    }
}

fn notice() -> Notice {
    let issuer = Issuer::new(SigningKey::generate(Algorithm::Es256).unwrap(), "440000");
    let now = Utc::now().timestamp();
    let issued = issuer.notice(
        facts(),
        "N2026112400000001".into(),
        Validity {
            iat: now,
            exp: now + 86_400,
        },
        None,
    );
    Notice {
        notice_id: "N2026112400000001".into(),
        qr: issued.qr,
        issued_at: Utc::now(),
    }
}

/// Read the QR back from the PDF's content stream: the rectangles between the
/// markers, painted onto a bitmap with a quiet zone, decoded by an independent
/// QR reader.
fn qr_from_pdf(pdf: &[u8]) -> String {
    let text = String::from_utf8_lossy(pdf);
    let start = text.find("% qr ").expect("QR marker");
    let end = text[start..].find("% qr-end").expect("QR end") + start;
    let mut lines = text[start..end].lines();
    let head: Vec<f32> = lines.next().unwrap()[5..]
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let (x0, top, m, width) = (head[0], head[1], head[2], head[3] as usize);
    assert!(m <= MODULE_PT);
    let scale = 4;
    let quiet = 4;
    let size = (width + 2 * quiet) * scale;
    let mut dark = vec![false; size * size];
    for line in lines.filter(|l| l.ends_with(" re")) {
        let v: Vec<f32> = line
            .split(' ')
            .take(4)
            .map(|v| v.parse().unwrap())
            .collect();
        let x = ((v[0] - x0) / m).round() as usize;
        let y = ((top - v[1]) / m).round() as usize - 1;
        let n = (v[2] / m).round() as usize;
        for mx in x..x + n {
            for py in 0..scale {
                for px in 0..scale {
                    dark[((y + quiet) * scale + py) * size + (mx + quiet) * scale + px] = true;
                }
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        if dark[y * size + x] { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().expect("the QR decodes").1
}

#[test]
fn the_printed_qr_decodes_to_the_notice_payload() {
    let notice = notice();
    let pdf = render(&facts(), &notice).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    assert_eq!(qr_from_pdf(&pdf), notice.qr);
}

#[test]
fn chinese_and_english_are_both_on_the_page() {
    let pdf = render(&facts(), &notice()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("(Work Permit Notice)"));
    // 外国人工作许可通知 in UCS-2, drawn with the CJK font F2
    assert!(text.contains("/F2 20 Tf 56.00 780.00 Td <591656FD4EBA5DE54F5C8BB853EF901A77E5> Tj"));
    assert!(text.contains("/BaseFont /STSong-Light"));
}
