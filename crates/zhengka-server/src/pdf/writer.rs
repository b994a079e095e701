//! One A4 page of text, lines, filled rectangles and images, set in one
//! embedded CJK font subset, written as PDF 1.7 by hand (objects, xref,
//! trailer; nothing beyond the specification). The `pdf-writer` crate wrote
//! no smaller and no more correct file (docs/performance.md), so this stays.

use std::fmt::Write as _;

use super::font::{EmbeddedFont, GlyphSet, PdfFont};
use super::image::{Image, deflate};

pub const A4: (f32, f32) = (595.0, 842.0);

pub struct Page<'f> {
    content: String,
    glyphs: GlyphSet<'f>,
    images: Vec<Image>,
}

/// What a serialiser writes: the page's content stream, its font subset and
/// images (`/Im0`, `/Im1`...), and the document title.
pub struct Parts {
    pub content: Vec<u8>,
    pub font: EmbeddedFont,
    pub images: Vec<Image>,
    pub title: String,
}

impl<'f> Page<'f> {
    pub fn new(font: &'f PdfFont) -> Self {
        Self {
            content: String::new(),
            glyphs: font.glyphs(),
            images: vec![],
        }
    }

    /// Text at (x, y) from the bottom-left, in points; returns its width.
    pub fn text(&mut self, x: f32, y: f32, size: f32, s: &str) -> f32 {
        let (hex, advance) = self.glyphs.encode(s);
        let _ = writeln!(
            self.content,
            "BT /F1 {size} Tf {x:.2} {y:.2} Td {hex} Tj ET"
        );
        advance * size / 1000.0
    }

    /// Width `s` would take at `size`, without drawing it.
    pub fn width(&mut self, size: f32, s: &str) -> f32 {
        self.glyphs.encode(s).1 * size / 1000.0
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let _ = writeln!(self.content, "0.5 w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S");
    }

    /// A stroked rectangle (frames).
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let _ = writeln!(self.content, "0.5 w {x:.2} {y:.2} {w:.2} {h:.2} re S");
    }

    /// `image` scaled into the box at (x, y), w × h points.
    pub fn image(&mut self, x: f32, y: f32, w: f32, h: f32, image: Image) {
        let n = self.images.len();
        let _ = writeln!(
            self.content,
            "q {w:.2} 0 0 {h:.2} {x:.2} {y:.2} cm /Im{n} Do Q"
        );
        self.images.push(image);
    }

    /// Raw content operators (already valid PDF syntax).
    pub fn raw(&mut self, ops: &str) {
        self.content.push_str(ops);
    }

    /// The content stream as drawn so far (tests read the QR back from it).
    #[cfg(test)]
    pub fn content(&self) -> &str {
        &self.content
    }

    pub fn finish(self, title: &str) -> Result<Vec<u8>, String> {
        Ok(self.parts(title)?.write())
    }

    /// The page's parts: the font subset made, nothing serialised yet.
    pub fn parts(self, title: &str) -> Result<Parts, String> {
        Ok(Parts {
            content: self.content.into_bytes(),
            font: self.glyphs.finish()?,
            images: self.images,
            title: title.to_owned(),
        })
    }
}

impl Parts {
    /// The PDF file.
    pub fn write(&self) -> Vec<u8> {
        write(self)
    }
}

/// A compressed stream object's body.
fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

fn widths(w: &[u16]) -> String {
    let list: Vec<String> = w.iter().map(u16::to_string).collect();
    format!("[0 [{}]]", list.join(" "))
}

/// Serialise by hand. Objects 1-10 are fixed; images follow, each
/// with its soft mask (if any) right after it.
pub fn write(p: &Parts) -> Vec<u8> {
    let f = &p.font;
    let mut xobjects = String::new();
    let mut image_objects: Vec<Vec<u8>> = vec![];
    for (i, img) in p.images.iter().enumerate() {
        let id = 11 + image_objects.len();
        let _ = write!(xobjects, "/Im{i} {id} 0 R ");
        let smask = img
            .alpha
            .as_ref()
            .map(|_| format!(" /SMask {} 0 R", id + 1));
        image_objects.push(stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /{} \
                 /BitsPerComponent 8 /Filter /{}{}",
                img.width,
                img.height,
                img.color_space,
                img.filter,
                smask.unwrap_or_default()
            ),
            &img.data,
        ));
        if let Some(alpha) = &img.alpha {
            image_objects.push(stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
                     /BitsPerComponent 8 /Filter /FlateDecode",
                    img.width, img.height
                ),
                alpha,
            ));
        }
    }
    let [x0, y0, x1, y1] = f.bbox;
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> /XObject << {xobjects}>> >> >>",
            A4.0, A4.1
        )
        .into_bytes(),
        stream("/Filter /FlateDecode", &deflate(&p.content)),
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H \
             /DescendantFonts [6 0 R] /ToUnicode 9 0 R >>",
            f.base_name
        )
        .into_bytes(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 7 0 R /CIDToGIDMap /Identity /DW 1000 /W {} >>",
            f.base_name,
            widths(&f.widths)
        )
        .into_bytes(),
        format!(
            "<< /Type /FontDescriptor /FontName /{} /Flags 4 /FontBBox [{x0} {y0} {x1} {y1}] \
             /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 8 0 R >>",
            f.base_name, f.ascent, f.descent, f.cap_height
        )
        .into_bytes(),
        stream(
            &format!("/Filter /FlateDecode /Length1 {}", f.program.len()),
            &deflate(&f.program),
        ),
        stream("/Filter /FlateDecode", &deflate(f.to_unicode.as_bytes())),
        format!("<< /Title {} /Producer (zhengka) >>", utf16_text(&p.title)).into_bytes(),
    ];
    objects.extend(image_objects);
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 10 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1,
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

/// A text string for the document information (UTF-16BE with BOM).
fn utf16_text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let font = super::super::font::for_tests();
        let mut p = Page::new(&font);
        p.text(10.0, 10.0, 12.0, "hello 你好");
        p.image(
            10.0,
            100.0,
            30.0,
            40.0,
            Image::from_material("image/png", &super::super::image::tests::png_bytes(2, 2))
                .unwrap(),
        );
        let pdf = p.finish("t").unwrap();
        let tail = std::str::from_utf8(&pdf[pdf.len() - 40..]).unwrap();
        let xref_at: usize = tail
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let table = String::from_utf8_lossy(&pdf[xref_at..]);
        assert!(
            table.starts_with("xref\n0 13\n"),
            "10 objects, an image and its mask"
        );
        for (i, line) in table.lines().skip(3).take(12).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
        assert_eq!(utf16_text("中A"), "<FEFF4E2D0041>");
    }
}
