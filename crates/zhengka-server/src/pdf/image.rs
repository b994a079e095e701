//! The holder's photo as a PDF image XObject. A JPEG goes in as it is
//! (DCTDecode: the reader decodes it); a PNG is decoded here and its pixels
//! deflated, with any alpha channel as a soft mask.

use std::io::Write as _;

/// An image ready to write as an XObject. A photo of a person: `Debug`
/// shows its size only.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    /// `DeviceGray`, `DeviceRGB` or `DeviceCMYK`.
    pub color_space: &'static str,
    /// `DCTDecode` (JPEG as uploaded) or `FlateDecode` (deflated pixels).
    pub filter: &'static str,
    pub data: Vec<u8>,
    /// Deflated 8-bit alpha, for a PNG with transparency.
    pub alpha: Option<Vec<u8>>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({}x{} {})", self.width, self.height, self.filter)
    }
}

impl Image {
    /// The photo material's bytes, by its sniffed content type.
    pub fn from_material(content_type: &str, bytes: &[u8]) -> Result<Self, String> {
        match content_type {
            "image/jpeg" => jpeg(bytes),
            "image/png" => png(bytes),
            other => Err(format!("a photo must be JPEG or PNG, not {other}")),
        }
    }
}

/// Width, height and components from the JPEG's start-of-frame segment.
fn jpeg(bytes: &[u8]) -> Result<Image, String> {
    let mut i = 2;
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err("not a JPEG".into());
    }
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return Err("JPEG segments out of step".into());
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        let sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if sof {
            let seg = bytes.get(i + 4..i + 2 + len).ok_or("truncated JPEG")?;
            if seg.len() < 6 {
                return Err("truncated JPEG frame header".into());
            }
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let color_space = match seg[5] {
                1 => "DeviceGray",
                3 => "DeviceRGB",
                4 => "DeviceCMYK",
                n => return Err(format!("a JPEG with {n} components")),
            };
            if width == 0 || height == 0 {
                return Err("a JPEG without a size".into());
            }
            return Ok(Image {
                width,
                height,
                color_space,
                filter: "DCTDecode",
                data: bytes.to_vec(),
                alpha: None,
            });
        }
        i += 2 + len;
    }
    Err("a JPEG without a frame header".into())
}

fn png(bytes: &[u8]) -> Result<Image, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| format!("PNG: {e}"))?;
    let size = reader
        .output_buffer_size()
        .ok_or("PNG too large to decode")?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("PNG: {e}"))?;
    buf.truncate(info.buffer_size());
    // (channels per pixel, colour channels among them, colour space)
    let (channels, colour, color_space) = match info.color_type {
        png::ColorType::Grayscale => (1, 1, "DeviceGray"),
        png::ColorType::GrayscaleAlpha => (2, 1, "DeviceGray"),
        png::ColorType::Rgb => (3, 3, "DeviceRGB"),
        png::ColorType::Rgba => (4, 3, "DeviceRGB"),
        png::ColorType::Indexed => return Err("PNG palette not expanded".into()),
    };
    let has_alpha = channels > colour;
    let mut pixels = Vec::with_capacity(buf.len());
    let mut alpha = Vec::new();
    for px in buf.chunks_exact(channels) {
        pixels.extend_from_slice(&px[..colour]);
        if has_alpha {
            alpha.push(px[channels - 1]);
        }
    }
    Ok(Image {
        width: info.width,
        height: info.height,
        color_space,
        filter: "FlateDecode",
        data: deflate(&pixels),
        alpha: has_alpha.then(|| deflate(&alpha)),
    })
}

/// zlib-deflate `data` (the PDF FlateDecode filter).
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).expect("writing to memory");
    z.finish().expect("writing to memory")
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A `w`×`h` RGBA PNG, opaque red with a transparent first pixel.
    pub fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let mut data = [200u8, 30, 30, 255].repeat((w * h) as usize);
        data[3] = 0;
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    /// A real baseline JPEG, `w`×`h`, a grey gradient.
    pub fn jpeg_bytes(w: u16, h: u16) -> Vec<u8> {
        let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h))
            .flat_map(|i| {
                let v = (i % 256) as u8;
                [v, 128, 255 - v]
            })
            .collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 80)
            .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn jpeg_size_comes_from_the_frame_header() {
        let img = Image::from_material("image/jpeg", &jpeg_bytes(300, 400)).unwrap();
        assert_eq!((img.width, img.height), (300, 400));
        assert_eq!((img.color_space, img.filter), ("DeviceRGB", "DCTDecode"));
        assert!(Image::from_material("image/jpeg", b"\xFF\xD8\xFF").is_err());
        assert!(Image::from_material("image/jpeg", b"GIF89a").is_err());
    }

    #[test]
    fn png_pixels_and_alpha_are_split() {
        let img = Image::from_material("image/png", &png_bytes(3, 2)).unwrap();
        assert_eq!(
            (img.width, img.height, img.color_space),
            (3, 2, "DeviceRGB")
        );
        let mut pixels = Vec::new();
        use std::io::Read as _;
        flate2::read::ZlibDecoder::new(&img.data[..])
            .read_to_end(&mut pixels)
            .unwrap();
        assert_eq!(pixels, [200, 30, 30].repeat(6));
        assert!(img.alpha.is_some());
        assert!(Image::from_material("application/pdf", b"%PDF").is_err());
        assert!(Image::from_material("image/png", b"\x89PNG\r\n\x1a\nxx").is_err());
    }
}
