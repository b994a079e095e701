//! The CJK font the PDFs embed: read once from a TrueType file (or collection),
//! subset per document to the glyphs that document uses.
//!
//! Holder and employer names are arbitrary text, so no pre-subset could cover
//! them: each render maps its characters to glyphs, keeps only those
//! (`subsetter`), and writes the widths and a ToUnicode map so the text can be
//! searched and copied. The default font is WenQuanYi Micro Hei (Debian
//! package `fonts-wqy-microhei`, Apache-2.0 or GPL-3+ with the font
//! exception), which also has Latin glyphs, so one font sets the whole page.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

/// Where `serve` looks for a font when `--pdf-font` names none, in order.
/// All are TrueType-outline CJK fonts of Debian packages.
pub const DEFAULT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// A font file checked to be usable: TrueType outlines with a Unicode cmap.
#[derive(Clone)]
pub struct PdfFont {
    path: PathBuf,
    data: Arc<Vec<u8>>,
    /// The face within a collection (.ttc); 0 for a single font.
    index: u32,
    /// The PostScript name, without characters a PDF name would need escaped.
    name: String,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PdfFont({}#{})", self.path.display(), self.index)
    }
}

impl PdfFont {
    /// Read and check the font at `path` (its first face, for a collection).
    pub fn load(path: &Path) -> Result<Self, String> {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let index = 0;
        let face = Face::parse(&data, index)
            .map_err(|e| format!("{} is not a TrueType/OpenType font: {e}", path.display()))?;
        if face.tables().glyf.is_none() {
            return Err(format!(
                "{} has no TrueType outlines (glyf); use a TrueType CJK font such as WenQuanYi Micro Hei",
                path.display()
            ));
        }
        if face.glyph_index('许').is_none() {
            return Err(format!("{} has no Chinese glyphs", path.display()));
        }
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "CJKFont".into())
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        Ok(Self {
            path: path.to_owned(),
            data: Arc::new(data),
            index,
            name,
        })
    }

    /// The first of [`DEFAULT_PATHS`] that loads, read once per process.
    pub fn find_default() -> Option<Self> {
        static FOUND: OnceLock<Option<PdfFont>> = OnceLock::new();
        FOUND
            .get_or_init(|| {
                DEFAULT_PATHS
                    .iter()
                    .find_map(|p| Self::load(Path::new(p)).ok())
            })
            .clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Start the glyph set of one document.
    pub fn glyphs(&self) -> GlyphSet<'_> {
        let face = Face::parse(&self.data, self.index).expect("checked on load");
        GlyphSet {
            font: self,
            face,
            remap: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            widths: BTreeMap::from([(0, 0)]),
        }
    }
}

/// The glyphs one document used so far, numbered as in its subset.
pub struct GlyphSet<'f> {
    font: &'f PdfFont,
    face: Face<'f>,
    remap: GlyphRemapper,
    /// New glyph id → the character it shows (for ToUnicode).
    unicode: BTreeMap<u16, char>,
    /// New glyph id → advance in thousandths of an em.
    widths: BTreeMap<u16, u16>,
}

impl GlyphSet<'_> {
    /// `s` as a hex string of subset glyph ids (Identity-H: two bytes each),
    /// and its advance in thousandths of an em. A character the font lacks
    /// shows as the font's .notdef box.
    pub fn encode(&mut self, s: &str) -> (String, f32) {
        let per_em = f32::from(self.face.units_per_em());
        let mut hex = String::from("<");
        let mut advance = 0.0;
        for c in s.chars() {
            let old = self.face.glyph_index(c).unwrap_or(GlyphId(0));
            let new = self.remap.remap(old.0);
            let width = self
                .face
                .glyph_hor_advance(old)
                .map_or(0.0, |w| f32::from(w) * 1000.0 / per_em);
            if old.0 != 0 {
                self.unicode.entry(new).or_insert(c);
            }
            self.widths.insert(new, width.round() as u16);
            advance += width;
            let _ = write!(hex, "{new:04X}");
        }
        hex.push('>');
        (hex, advance)
    }

    /// The subset font and what a PDF needs to describe it.
    pub fn finish(self) -> Result<EmbeddedFont, String> {
        let program = subsetter::subset(&self.font.data, self.font.index, &self.remap)
            .map_err(|e| format!("font subset: {e:?}"))?;
        let per_em = f32::from(self.face.units_per_em());
        let em = |v: i16| (f32::from(v) * 1000.0 / per_em).round();
        let b = self.face.global_bounding_box();
        let cap = self.face.capital_height().unwrap_or(self.face.ascender());
        let count = self.widths.keys().next_back().map_or(1, |n| n + 1);
        Ok(EmbeddedFont {
            base_name: format!("{}+{}", subset_tag(&self.unicode), self.font.name),
            program,
            widths: (0..count)
                .map(|g| self.widths.get(&g).copied().unwrap_or(0))
                .collect(),
            to_unicode: to_unicode(&self.unicode),
            bbox: [em(b.x_min), em(b.y_min), em(b.x_max), em(b.y_max)],
            ascent: em(self.face.ascender()),
            descent: em(self.face.descender()),
            cap_height: em(cap),
        })
    }
}

/// A subset font ready to write: glyph ids are the CIDs (Identity).
pub struct EmbeddedFont {
    /// `ABCDEF+Name`: the subset prefix the PDF specification asks for (9.6.4).
    pub base_name: String,
    /// The TrueType program of the subset.
    pub program: Vec<u8>,
    /// Advance of glyph 0, 1, 2... in thousandths of an em.
    pub widths: Vec<u16>,
    pub to_unicode: String,
    pub bbox: [f32; 4],
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
}

/// Six capital letters that differ between subsets of different glyphs.
fn subset_tag(unicode: &BTreeMap<u16, char>) -> String {
    let mut seed = String::new();
    for (g, c) in unicode {
        let _ = write!(seed, "{g}:{c};");
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    digest.as_ref()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// The ToUnicode CMap (PDF 9.10.3): glyph id → the character it was set for.
fn to_unicode(unicode: &BTreeMap<u16, char>) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = unicode.iter().collect();
    // At most 100 entries per block (PDF 9.10.3 via the CMap specification).
    for chunk in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(out, "<{g:04X}> <{hex}>");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// Load `--pdf-font`'s file, or find a default; `None` when there is none
/// (the PDF routes then answer 503 `pdf_font_missing`).
pub fn choose(path: Option<&Path>) -> Result<Option<PdfFont>, String> {
    match path {
        Some(p) => PdfFont::load(p).map(Some),
        None => Ok(PdfFont::find_default()),
    }
}

/// A font for tests; they need the Debian package `fonts-wqy-microhei`.
#[cfg(test)]
pub fn for_tests() -> PdfFont {
    PdfFont::find_default().expect("a CJK font: apt-get install fonts-wqy-microhei")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_keeps_only_the_glyphs_used() {
        let font = for_tests();
        let mut set = font.glyphs();
        let (hex, advance) = set.encode("许可A许");
        // .notdef is 0, then one new id per distinct glyph, in order of use.
        assert_eq!(hex, "<0001000200030001>");
        assert!(advance > 3000.0, "three full-width glyphs and a letter");
        let embedded = set.finish().unwrap();
        assert_eq!(embedded.widths.len(), 4, "widths of the glyphs set");
        assert!(
            embedded.program.len() < 20_000,
            "{}",
            embedded.program.len()
        );
        let tag = embedded.base_name.split('+').next().unwrap();
        assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()));
        assert!(embedded.to_unicode.contains("<0001> <8BB8>"));
        assert!(embedded.to_unicode.contains("<0003> <0041>"));
        let sub = Face::parse(&embedded.program, 0).expect("the subset is a font");
        // The glyphs used, plus any a composite glyph is built from.
        assert!((4..10).contains(&sub.number_of_glyphs()));
    }

    #[test]
    fn fonts_without_chinese_or_outlines_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("not-a-font.ttf");
        std::fs::write(&bad, b"hello").unwrap();
        assert!(PdfFont::load(&bad).unwrap_err().contains("not a TrueType"));
        assert!(PdfFont::load(&dir.path().join("absent.ttf")).is_err());
        let latin = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if latin.exists() {
            assert!(PdfFont::load(latin).unwrap_err().contains("no Chinese"));
        }
    }
}
