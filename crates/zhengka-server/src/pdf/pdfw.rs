//! The same page as `writer::write`, serialised by the `pdf-writer` crate
//! (typst's): it escapes names and strings and writes the xref itself.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::image::deflate;
use super::writer::{A4, Parts};

pub fn write(p: &Parts) -> Vec<u8> {
    let f = &p.font;
    let (catalog, pages, page, content, type0, cid, descriptor, program, cmap, info) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
        Ref::new(8),
        Ref::new(9),
        Ref::new(10),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut next = 11;
    let mut image_refs = vec![];
    for img in &p.images {
        let id = Ref::new(next);
        let mask = img.alpha.as_ref().map(|_| Ref::new(next + 1));
        next += 1 + i32::from(mask.is_some());
        image_refs.push((id, mask));
    }
    {
        let mut pg = pdf.page(page);
        pg.parent(pages)
            .media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .contents(content);
        let mut res = pg.resources();
        res.fonts().pair(Name(b"F1"), type0);
        let mut xo = res.x_objects();
        for (i, (id, _)) in image_refs.iter().enumerate() {
            xo.pair(Name(format!("Im{i}").as_bytes()), *id);
        }
        xo.finish();
        res.finish();
    }
    pdf.stream(content, &deflate(&p.content))
        .filter(Filter::FlateDecode);
    let base = Name(f.base_name.as_bytes());
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    {
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(descriptor)
            .default_width(1000.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths()
            .consecutive(0, f.widths.iter().map(|w| f32::from(*w)));
    }
    let [x0, y0, x1, y1] = f.bbox;
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(f.ascent)
        .descent(f.descent)
        .cap_height(f.cap_height)
        .stem_v(80.0)
        .font_file2(program);
    let packed = deflate(&f.program);
    let mut s = pdf.stream(program, &packed);
    s.filter(Filter::FlateDecode);
    s.pair(Name(b"Length1"), f.program.len() as i32);
    s.finish();
    pdf.cmap(cmap, &deflate(f.to_unicode.as_bytes()))
        .filter(Filter::FlateDecode);
    pdf.document_info(info)
        .title(TextStr(&p.title))
        .producer(TextStr("zhengka"));
    for (img, (id, mask)) in p.images.iter().zip(&image_refs) {
        let mut x = pdf.image_xobject(*id, &img.data);
        x.filter(if img.filter == "DCTDecode" {
            Filter::DctDecode
        } else {
            Filter::FlateDecode
        });
        x.width(img.width as i32).height(img.height as i32);
        x.color_space_name(Name(img.color_space.as_bytes()));
        x.bits_per_component(8);
        if let Some(m) = mask {
            x.s_mask(*m);
        }
        x.finish();
        if let (Some(m), Some(alpha)) = (mask, &img.alpha) {
            let mut a = pdf.image_xobject(*m, alpha);
            a.filter(Filter::FlateDecode);
            a.width(img.width as i32).height(img.height as i32);
            a.color_space_name(Name(b"DeviceGray"));
            a.bits_per_component(8);
        }
    }
    pdf.finish()
}
