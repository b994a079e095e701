//! Reading QR codes from a PNG photo or screenshot, for `zhengka verify --image`.

use std::io::Cursor;

use anyhow::{Context, bail};

/// Larger images are refused before decoding (a photo is a few megapixels).
const MAX_PIXELS: u64 = 40_000_000;

/// Every QR payload found in the PNG, top-left first.
pub fn qr_codes_in_png(bytes: &[u8]) -> anyhow::Result<Vec<String>> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().context("not a PNG image")?;
    let (w, h) = (reader.info().width, reader.info().height);
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        bail!("the image is {w}x{h}; at most {MAX_PIXELS} pixels");
    }
    let mut buf = vec![0; reader.output_buffer_size().context("image too large")?];
    let frame = reader
        .next_frame(&mut buf)
        .context("cannot decode the PNG")?;
    let channels = frame.color_type.samples();
    let luma = |x: usize, y: usize| -> u8 {
        let p = &buf[y * frame.line_size + x * channels..][..channels];
        match channels {
            1 | 2 => p[0],
            _ => ((u16::from(p[0]) * 3 + u16::from(p[1]) * 6 + u16::from(p[2])) / 10) as u8,
        }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, luma);
    let mut found = vec![];
    for grid in img.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            found.push(text);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(text: &str) -> Vec<u8> {
        let qr = zhengka_credential::QrMatrix::encode(text).unwrap();
        let (scale, quiet) = (4, 4);
        let size = (qr.width() + 2 * quiet) * scale;
        let mut pixels = vec![255u8; size * size];
        for y in 0..qr.width() {
            for x in 0..qr.width() {
                if qr.is_dark(x, y) {
                    for dy in 0..scale {
                        let row = ((y + quiet) * scale + dy) * size;
                        pixels[row + (x + quiet) * scale..][..scale].fill(0);
                    }
                }
            }
        }
        let mut out = vec![];
        let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.write_header()
            .unwrap()
            .write_image_data(&pixels)
            .unwrap();
        out
    }

    #[test]
    fn reads_back_a_rendered_qr() {
        let text = "ZK1:6BFOXN*TS0BI$ZDFRH";
        assert_eq!(qr_codes_in_png(&png_of(text)).unwrap(), [text]);
    }

    #[test]
    fn refuses_what_is_not_a_png() {
        assert!(qr_codes_in_png(b"GIF89a").is_err());
    }
}
