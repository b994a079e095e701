//! QR rendering: alphanumeric mode (the Base45 alphabet is the QR alphanumeric
//! set), error correction level Q, as a module matrix, SVG, or vector path data
//! for the Notice PDF.

use qrcode::{Color, EcLevel, QrCode, render::svg};

/// Why a QR could not be rendered (the text is too long for any QR version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("QR rendering failed: {0}")]
pub struct QrError(String);

/// The dark/light modules of a QR symbol, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` at error correction level Q.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
            .map_err(|e| QrError(e.to_string()))?;
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(QrMatrix {
            width: code.width(),
            dark,
        })
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// SVG path data (`M x y h n v 1 h -n z` per run of dark modules), one unit per
    /// module, origin at the top-left of the symbol. A PDF writer can replay the
    /// same rectangles with `re` and `f`.
    pub fn path_data(&self) -> String {
        self.runs()
            .into_iter()
            .map(|(x, y, n)| format!("M{x} {y}h{n}v1h-{n}z"))
            .collect()
    }

    /// Dark runs as rectangles `(x, y, width)`, each one module high.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                if x > start {
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

/// A standalone SVG of `text` with a 4-module quiet zone, `module_px` per module.
pub fn to_svg(text: &str, module_px: u32) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
        .map_err(|e| QrError(e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .module_dimensions(module_px, module_px)
        .quiet_zone(true)
        .build())
}
