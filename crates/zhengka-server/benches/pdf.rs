//! The Notice PDF through both serialisers: the hand-written writer
//! (`pdf/writer.rs`) and the `pdf-writer` crate (`pdf/pdfw.rs`), on the same
//! layout, font subset and photo; whole renders, then the serialisers alone.
//! Prints each file's size first.
//! Needs the Debian package fonts-wqy-microhei.
use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use zhengka_credential::{Algorithm, Issuer, PermitFacts, SigningKey, Validity};
use zhengka_domain::permits::application::{Notice, PassportNumber};
use zhengka_server::authority::Authority;
use zhengka_server::pdf::image::Image;
use zhengka_server::pdf::{Backend, Holder, PdfFont, notice_parts, render_with};

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
    let backends = [("hand", Backend::Hand), ("pdf_writer", Backend::PdfWriter)];
    // Layout, font subset and serialisation: what a request pays.
    let mut group = c.benchmark_group("notice_pdf");
    for (name, backend) in backends {
        let pdf = render_with(backend, &font, &authority, &facts, &notice, &holder).unwrap();
        println!("notice_pdf/{name}: {} bytes", pdf.len());
        group.bench_function(name, |b| {
            b.iter(|| {
                render_with(
                    backend,
                    &font,
                    &authority,
                    &facts,
                    &notice,
                    black_box(&holder),
                )
                .unwrap()
            })
        });
    }
    group.finish();
    // The serialisers alone, on the same parts.
    let parts = notice_parts(&font, &authority, &facts, &notice, &holder).unwrap();
    let mut group = c.benchmark_group("notice_serialise");
    for (name, backend) in backends {
        group.bench_function(name, |b| b.iter(|| black_box(&parts).write(backend)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
