//! The Notice PDF: a whole render (layout, font subset, serialisation), then
//! the serialiser alone on the same parts. Prints the file's size first.
//! (Commit d4fea2a ran the same against the `pdf-writer` crate; see
//! docs/performance.md.)
//! Needs the Debian package fonts-wqy-microhei.
use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use zhengka_credential::{Algorithm, Issuer, PermitFacts, SigningKey, Validity};
use zhengka_domain::permits::application::{Notice, PassportNumber};
use zhengka_server::authority::Authority;
use zhengka_server::pdf::image::Image;
use zhengka_server::pdf::{Holder, PdfFont, notice_parts, render};

fn facts() -> PermitFacts {
    PermitFacts {
        permit_number: "4401060000000000042".into(),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "广州市黄埔区鹍鹏智能制造有限公司".into(),
        employer_uscc: "91350100M000100Y43".into(),
        class: "B".into(),
        position: "Software engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2027-12-31".into(),
    }
}

fn notice() -> Notice {
    let issuer = Issuer::new(SigningKey::generate(Algorithm::Es256).unwrap(), "440000");
    let now = Utc::now().timestamp();
    let validity = Validity {
        iat: now,
        exp: now + 86_400,
    };
    let issued = issuer.notice(facts(), "N2026112400000001".into(), validity, None);
    Notice {
        notice_id: "N2026112400000001".into(),
        qr: issued.qr,
        issued_at: Utc::now(),
    }
}

/// A 300 × 400 passport-style photo as a phone would upload it (JPEG: it
/// goes into the PDF as it is, so the figures are the writers' own).
fn photo() -> Image {
    let mut pixels = Vec::with_capacity(300 * 400 * 3);
    for y in 0..400u32 {
        for x in 0..300u32 {
            pixels.extend_from_slice(&[(x % 256) as u8, (y % 256) as u8, 128]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&pixels, 300, 400, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    Image::from_material("image/jpeg", &out).unwrap()
}

fn bench(c: &mut Criterion) {
    let font = PdfFont::find_default().expect("apt-get install fonts-wqy-microhei");
    let authority = Authority {
        name_zh: "广东省科学技术厅".into(),
        name_en: "Department of Science and Technology of Guangdong Province".into(),
    };
    let (facts, notice) = (facts(), notice());
    let holder = Holder {
        passport_number: Some(PassportNumber::parse("E12345678").unwrap()),
        photo: Some(photo()),
    };
    let pdf = render(&font, &authority, &facts, &notice, &holder).unwrap();
    println!("notice_pdf: {} bytes", pdf.len());
    // Layout, font subset and serialisation: what a request pays.
    c.bench_function("notice_pdf/render", |b| {
        b.iter(|| render(&font, &authority, &facts, &notice, black_box(&holder)).unwrap())
    });
    let parts = notice_parts(&font, &authority, &facts, &notice, &holder).unwrap();
    c.bench_function("notice_pdf/serialise", |b| {
        b.iter(|| black_box(&parts).write())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
