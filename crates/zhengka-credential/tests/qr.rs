//! A QR rendered to a module matrix decodes back (with `rqrr`) to the same text,
//! and the text still verifies.
mod common;

use common::*;
use zhengka_credential::*;

const SCALE: usize = 4;
const QUIET: usize = 4;

#[test]
fn rendered_qr_decodes_back_and_verifies() {
    let world = World::new();
    let issued = world.notice(1, 3);
    let matrix = QrMatrix::encode(&issued.qr).unwrap();
    let side = (matrix.width() + 2 * QUIET) * SCALE;
    let dark = |x: usize, y: usize| {
        let (mx, my) = (
            (x / SCALE).wrapping_sub(QUIET),
            (y / SCALE).wrapping_sub(QUIET),
        );
        mx < matrix.width() && my < matrix.width() && matrix.is_dark(mx, my)
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(
            side,
            side,
            |x, y| if dark(x, y) { 0 } else { 255 },
        );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (meta, text) = grids[0].decode().unwrap();
    assert_eq!(text, issued.qr);
    assert_eq!(
        meta.ecc_level, 0b11,
        "format bits 11 = level Q (L=01, M=00, H=10)"
    );
    assert!(verify(&text, &world.trust, None, NOW, Purpose::Notice).is_ok());
}

#[test]
fn path_data_covers_every_dark_module() {
    let matrix = QrMatrix::encode("ZK1:ABC").unwrap();
    let dark: usize = (0..matrix.width())
        .flat_map(|y| (0..matrix.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| matrix.is_dark(x, y))
        .count();
    let covered: usize = matrix.runs().iter().map(|r| r.2).sum();
    assert_eq!(dark, covered);
    assert!(matrix.path_data().starts_with("M0 0h7v1h-7z"));
    assert!(qr::to_svg("ZK1:ABC", 4).unwrap().contains("<svg"));
}
