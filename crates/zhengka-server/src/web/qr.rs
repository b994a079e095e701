//! A QR code as inline SVG, drawn on the server from the credential crate's
//! module matrix. No script and no `style` attribute (the CSP allows neither
//! inline): only presentation attributes (`fill`, `shape-rendering`), which
//! `style-src 'self'` does not govern. The size comes from the stylesheet.

use minijinja::Value;
use zhengka_credential::QrMatrix;

/// Light modules around the symbol, as ISO/IEC 18004 asks.
const QUIET_ZONE: usize = 4;

/// The SVG of `text`, labelled `label` for screen readers, ready to insert
/// into a page; `None` when the text does not fit any QR version.
pub fn svg(text: &str, label: &str) -> Option<Value> {
    let m = QrMatrix::encode(text).ok()?;
    let q = QUIET_ZONE;
    let side = m.width() + 2 * q;
    let label = escape(label);
    let path = m.path_data();
    Some(Value::from_safe_string(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-{q} -{q} {side} {side}\" \
         role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\" class=\"qr-code\">\
         <rect x=\"-{q}\" y=\"-{q}\" width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    )))
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_inline_safe_and_labelled() {
        let svg = svg("ZK1:ABC123", "QR <\"x\">").unwrap().to_string();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(!svg.contains("style") && !svg.contains("script"), "{svg}");
        assert!(svg.contains("aria-label=\"QR &lt;&quot;x&quot;&gt;\""));
        assert!(svg.contains("<path fill=\"#000\" d=\"M"));
    }
}
