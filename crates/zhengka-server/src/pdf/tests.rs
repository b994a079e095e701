use chrono::Utc;
use zhengka_credential::{Algorithm, Issuer, PermitFacts, SigningKey, Validity};
use zhengka_domain::permits::application::Notice;

use super::font::for_tests;
use super::image::Image;
use super::{DecisionFacts, Holder, MODULE_PT, layout_notice, render, render_decision};
use crate::authority::Authority;
use zhengka_domain::permits::application::PassportNumber;

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

/// Read the QR back from the page's content stream: the rectangles between the
/// markers, painted onto a bitmap with a quiet zone, decoded by an independent
/// QR reader.
fn qr_from_content(text: &str) -> String {
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
    let font = for_tests();
    let page = layout_notice(
        &font,
        &Authority::default(),
        &facts(),
        &notice,
        &Holder::default(),
    )
    .unwrap();
    assert_eq!(qr_from_content(page.content()), notice.qr);
    let pdf = page.finish("t").unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
}

fn authority() -> Authority {
    Authority {
        name_zh: "广东省科学技术厅".into(),
        name_en: "Department of Science and Technology of Guangdong Province".into(),
    }
}

fn holder(photo: Option<Image>) -> Holder {
    Holder {
        passport_number: Some(PassportNumber::parse("E12345678").unwrap()),
        photo,
    }
}

/// Run a poppler or qpdf tool on `pdf`; they come from the Debian packages
/// poppler-utils and qpdf (.ci/run installs them).
pub fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(name)
        .args(args)
        .arg(&file)
        .args(if name == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (apt-get install poppler-utils qpdf)"));
    assert!(
        out.status.success(),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What a reader sees: the Chinese strings come back out as text, the font
/// is an embedded subset, the file is valid.
#[test]
fn the_text_comes_back_out_of_an_embedded_subset() {
    let font = for_tests();
    let photo = Image::from_material("image/png", &super::image::tests::png_bytes(30, 40)).unwrap();
    {
        let pdf = render(
            &font,
            &authority(),
            &facts(),
            &notice(),
            &holder(Some(photo.clone())),
        )
        .unwrap();
        let text = tool("pdftotext", &["-layout"], &pdf);
        for s in [
            "广东省科学技术厅",
            "外国人工作许可通知",
            "Work Permit Notice",
            "中山大学",
            "ANNO BERNHARD DEDERICHS",
            "E12345678",
            "4401060000000000042",
            "发证机关：广东省科学技术厅",
            "B类、C类人员须在入境后30日内携带材料原件到受理窗口核验。",
        ] {
            assert!(text.contains(s), "{s} not in\n{text}");
        }
        let fonts = tool("pdffonts", &[], &pdf);
        let row = fonts.lines().nth(2).expect("one font");
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type (CID TrueType), encoding (Identity-H), emb sub uni, object id
        assert_eq!(fonts.lines().count(), 3, "{fonts}");
        let (tag, _) = cols[0].split_once('+').expect("a subset name");
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{row}"
        );
        assert!(
            row.contains("CID TrueType") && row.contains("Identity-H"),
            "{row}"
        );
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{row}"
        );
        let images = tool("pdfimages", &["-list"], &pdf);
        assert!(images.contains("image      30    40  rgb"), "{images}");
        assert!(images.contains("smask      30    40  gray"), "{images}");
        tool("qpdf", &["--check"], &pdf);
        assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
    }
}

#[test]
fn without_a_passport_or_photo_the_notice_says_so() {
    let pdf = render(
        &for_tests(),
        &authority(),
        &facts(),
        &notice(),
        &Holder::default(),
    )
    .unwrap();
    let text = tool("pdftotext", &[], &pdf);
    assert!(!text.contains("护照号码") && !text.contains("Passport number"));
    assert!(text.contains("照片") && text.contains("No photo"), "{text}");
    assert!(
        tool("pdfimages", &["-list"], &pdf).lines().count() == 2,
        "no image"
    );
}

#[test]
fn the_decision_names_the_authority_and_the_grant() {
    let d = DecisionFacts {
        decision_number: "D4400002026000001",
        entry_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        checked_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        late: true,
    };
    let jpeg =
        Image::from_material("image/jpeg", &super::image::tests::jpeg_bytes(60, 80)).unwrap();
    let pdf = render_decision(
        &for_tests(),
        &authority(),
        &facts(),
        &d,
        &holder(Some(jpeg)),
    )
    .unwrap();
    let text = tool("pdftotext", &[], &pdf);
    for s in [
        "广东省科学技术厅",
        "准予行政许可决定书",
        "准予外国人来华工作行政许可",
        "本次核验晚于入境后30日的期限",
        "D4400002026000001",
        "E12345678",
        "中山大学",
    ] {
        assert!(text.contains(s), "{s} not in\n{text}");
    }
    assert!(tool("pdfimages", &["-list"], &pdf).contains("jpeg"));
    tool("qpdf", &["--check"], &pdf);
}
