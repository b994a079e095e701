//! A minimal PDF 1.7 writer: one A4 page, two fonts, text and filled
//! rectangles. Enough for a Notice, with nothing to learn beyond the spec.
//!
//! Chinese text uses the Adobe standard CJK font `STSong-Light` with the
//! `UniGB-UCS2-H` encoding, which every conforming reader supplies (PDF 1.7,
//! 9.7.5.2), so no multi-megabyte font is embedded; Latin labels use Helvetica.

use std::fmt::Write as _;

pub const A4: (f32, f32) = (595.0, 842.0);

#[derive(Default)]
pub struct Page {
    content: String,
}

/// Helvetica takes WinAnsi literal strings; anything else goes through the CJK font.
fn is_latin(s: &str) -> bool {
    s.chars().all(|c| (' '..='~').contains(&c))
}

fn literal(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}

/// Split into maximal runs of printable ASCII and of everything else.
fn runs(s: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = vec![];
    for c in s.chars() {
        let ascii = (' '..='~').contains(&c);
        match out.last_mut() {
            Some((a, run)) if *a == ascii => run.push(c),
            _ => out.push((ascii, c.to_string())),
        }
    }
    out
}

/// UCS-2 big-endian hex; characters outside the BMP become U+FFFD.
fn ucs2(s: &str) -> String {
    let mut out = String::from("<");
    for c in s.chars() {
        let unit = u16::try_from(u32::from(c)).unwrap_or(0xFFFD);
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

impl Page {
    /// Text at (x, y) from the bottom-left, in points. Pure Latin text is set in
    /// Helvetica; mixed text in runs: ASCII in Courier (advance exactly 0.6 em),
    /// everything else in the CJK font (advance 1 em), so runs never overlap.
    pub fn text(&mut self, x: f32, y: f32, size: f32, s: &str) {
        if is_latin(s) {
            let _ = writeln!(
                self.content,
                "BT /F1 {size} Tf {x:.2} {y:.2} Td {} Tj ET",
                literal(s)
            );
            return;
        }
        let mut x = x;
        for (ascii, run) in runs(s) {
            let n = run.chars().count() as f32;
            let (font, encoded, em) = if ascii {
                ("F3", literal(&run), 0.6)
            } else {
                ("F2", ucs2(&run), 1.0)
            };
            let _ = writeln!(
                self.content,
                "BT /{font} {size} Tf {x:.2} {y:.2} Td {encoded} Tj ET"
            );
            x += n * em * size;
        }
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let _ = writeln!(self.content, "0.5 w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S");
    }

    /// Raw content operators (already valid PDF syntax).
    pub fn raw(&mut self, ops: &str) {
        self.content.push_str(ops);
    }

    pub fn finish(self, title: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents 4 0 R \
                 /Resources << /Font << /F1 5 0 R /F2 6 0 R /F3 9 0 R >> >> >>",
                A4.0, A4.1
            ),
            format!(
                "<< /Length {} >>\nstream\n{}endstream",
                self.content.len(),
                self.content
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_owned(),
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
             /DescendantFonts [7 0 R] >>"
                .to_owned(),
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
             /FontDescriptor 8 0 R /DW 1000 >>"
                .to_owned(),
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
             /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
             /CapHeight 880 /StemV 93 >>"
                .to_owned(),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
                .to_owned(),
            format!("<< /Title {} /Producer (zhengka) >>", ucs2_text(title)),
        ];
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for o in offsets {
            let _ = writeln!(tail, "{o:010} 00000 n ");
        }
        let _ = write!(
            tail,
            "trailer\n<< /Size {} /Root 1 0 R /Info {} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1,
            objects.len()
        );
        out.extend_from_slice(tail.as_bytes());
        out
    }
}

/// A text string for the document information (UTF-16BE with BOM).
fn ucs2_text(s: &str) -> String {
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
    fn strings_are_escaped_and_encoded() {
        assert_eq!(literal("a(b)\\"), "(a\\(b\\)\\\\)");
        assert_eq!(ucs2("中A"), "<4E2D0041>");
        assert_eq!(ucs2("😀"), "<FFFD>");
        assert!(is_latin("Work Permit Notice") && !is_latin("通知"));
        assert_eq!(
            runs("B类、C类30日"),
            [
                (true, "B".into()),
                (false, "类、".into()),
                (true, "C".into()),
                (false, "类".into()),
                (true, "30".into()),
                (false, "日".into())
            ]
        );
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut p = Page::default();
        p.text(10.0, 10.0, 12.0, "hello");
        let pdf = p.finish("t");
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
        let table = std::str::from_utf8(&pdf[xref_at..]).unwrap();
        assert!(table.starts_with("xref"));
        for (i, line) in table.lines().skip(3).take(10).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
    }
}
