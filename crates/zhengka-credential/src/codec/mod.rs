//! The transport pipeline shared by every QR: `ZK1:` + Base45(zlib(COSE_Sign1)).
//! Decoding is bounded at each step, before any allocation that depends on input.

pub mod base45;
pub(crate) mod cbor;
pub mod cbor_guard;

use std::io::Write;

use flate2::{Compression, write::ZlibEncoder};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

/// Version prefix of every QR string of this format.
pub const PREFIX: &str = "ZK1:";
/// Longest QR text accepted (a version 40 QR at level Q holds 2,420 alphanumerics).
pub const MAX_QR_CHARS: usize = 2_420;
/// Largest COSE_Sign1 accepted after inflating a QR payload.
pub const MAX_COSE_BYTES: usize = 4_096;

/// Wraps signed COSE bytes for a QR: zlib (level 9), Base45, prefix.
pub fn encode_qr(cose: &[u8]) -> String {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(cose).expect("writing to a Vec cannot fail");
    let deflated = z.finish().expect("writing to a Vec cannot fail");
    format!("{PREFIX}{}", base45::encode(&deflated))
}

/// Unwraps a QR string to COSE bytes, refusing oversize text, a wrong prefix,
/// bad Base45, a stream that is not zlib and anything that inflates past
/// [`MAX_COSE_BYTES`].
pub fn decode_qr(text: &str) -> Result<Vec<u8>, &'static str> {
    if text.len() > MAX_QR_CHARS + PREFIX.len() {
        return Err("QR text too long");
    }
    let body = text
        .strip_prefix(PREFIX)
        .ok_or("missing or unknown version prefix")?;
    let deflated = base45::decode(body).map_err(|_| "invalid Base45")?;
    inflate_capped(&deflated, MAX_COSE_BYTES)
}

/// Inflates a zlib stream (RFC 1950, checksum verified), refusing output above
/// `cap` bytes without ever holding more than `cap + 1` of them, bytes after the
/// end of the stream, and set padding bits (see [`inflate_into`]).
pub fn inflate_capped(deflated: &[u8], cap: usize) -> Result<Vec<u8>, &'static str> {
    let mut out = vec![0u8; cap.saturating_add(1)];
    let len = inflate_into(deflated, &mut out)?;
    out.truncate(len);
    // A status list is kept for hours: do not hold its 1 MiB cap for 32 KiB.
    if out.capacity() > 2 * len + 4096 {
        out.shrink_to_fit();
    }
    Ok(out)
}

const ZLIB: u32 = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
    | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
const MORE: u32 = inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
/// The last deflate byte and the Adler-32 after it.
const TAIL: usize = 5;

/// Inflates `deflated` into `out` and returns the length written; output that
/// fills `out` completely is refused as over the limit (so `out` is `cap + 1`).
///
/// Padding bits, which a decoder ignores, are refused so that one credential has
/// exactly one encoding and no bit of a QR can change without it being refused. A
/// single stored block (`BFINAL=1, BTYPE=00`) must have its 5 padding bits zero;
/// otherwise clearing any set bit of the last deflate byte must not yield a stream
/// that still inflates to the same bytes. The stream is inflated once: the state
/// before its last 5 bytes is kept, and each trial resumes from a copy of it.
pub fn inflate_into(deflated: &[u8], out: &mut [u8]) -> Result<usize, &'static str> {
    if deflated.first().is_none_or(|b| b & 0x0f != 8) {
        return Err("not a zlib stream");
    }
    let split = deflated.len().saturating_sub(TAIL);
    let (prefix, tail) = deflated.split_at(split);
    let mut state = Box::<DecompressorOxide>::default();
    let (status, _, head_len) = decompress(&mut state, prefix, out, 0, ZLIB | MORE);
    match status {
        TINFLStatus::NeedsMoreInput => {}
        TINFLStatus::Done => return Err("trailing bytes after the zlib stream"),
        TINFLStatus::HasMoreOutput => return Err("inflated size over the limit"),
        _ => return Err("invalid zlib stream"),
    }
    let stored = deflated.get(2).is_some_and(|b| b & 0b111 == 0b001);
    let last = tail.first().copied().unwrap_or(0);
    let snapshot = (!stored && last != 0).then(|| state.clone());
    let (status, used, tail_len) = decompress(&mut state, tail, out, head_len, ZLIB);
    let len = head_len + tail_len;
    match status {
        TINFLStatus::Done if len >= out.len() => return Err("inflated size over the limit"),
        TINFLStatus::Done if used != tail.len() => {
            return Err("trailing bytes after the zlib stream");
        }
        TINFLStatus::Done => {}
        TINFLStatus::HasMoreOutput => return Err("inflated size over the limit"),
        _ => return Err("invalid zlib stream"),
    }
    if stored {
        return match deflated[2] >> 3 {
            0 => Ok(len),
            _ => Err("non-zero zlib padding bits"),
        };
    }
    let Some(snapshot) = snapshot else {
        return Ok(len);
    };
    let produced = out[head_len..len].to_vec();
    let mut trial_tail = [0u8; TAIL];
    trial_tail[..tail.len()].copy_from_slice(tail);
    let mut same = false;
    for bit in (0..8).filter(|bit| last & (1 << bit) != 0) {
        trial_tail[0] = last & !(1 << bit);
        let mut trial = snapshot.clone();
        let (status, _, n) = decompress(&mut trial, &trial_tail[..tail.len()], out, head_len, ZLIB);
        same = status == TINFLStatus::Done && out[head_len..head_len + n] == produced[..];
        if same {
            break;
        }
    }
    out[head_len..len].copy_from_slice(&produced);
    if same {
        return Err("non-zero zlib padding bits");
    }
    Ok(len)
}

/// The compressor `deflate` uses, for input written in pieces.
pub fn deflater() -> ZlibEncoder<Vec<u8>> {
    ZlibEncoder::new(Vec::new(), Compression::best())
}

/// Compresses with zlib at the best level.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = deflater();
    z.write_all(bytes).expect("writing to a Vec cannot fail");
    z.finish().expect("writing to a Vec cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let qr = encode_qr(b"hello cose");
        assert!(qr.starts_with(PREFIX));
        assert_eq!(decode_qr(&qr).unwrap(), b"hello cose");
    }

    #[test]
    fn refuses_bombs_and_garbage() {
        let bomb = deflate(&vec![0u8; 10 * 1024 * 1024]);
        assert_eq!(
            inflate_capped(&bomb, 4096),
            Err("inflated size over the limit")
        );
        assert!(decode_qr("ZK2:ABC").is_err());
        assert!(decode_qr(&"A".repeat(5000)).is_err());
        assert_eq!(
            inflate_capped(&[0x78, 0x9c, 1, 2, 3], 10),
            Err("invalid zlib stream")
        );
    }

    /// Reference inflate (flate2's streaming decoder, which ignores padding).
    fn reference(deflated: &[u8]) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut out = Vec::new();
        let mut d = flate2::read::ZlibDecoder::new(deflated);
        d.read_to_end(&mut out).ok()?;
        (d.total_in() == deflated.len() as u64).then_some(out)
    }

    #[test]
    fn padding_bits_of_huffman_blocks_are_refused() {
        let mut padded = 0;
        for n in 1..200usize {
            let text: Vec<u8> = (0..n * 7)
                .map(|i| b"ZK1:credential "[i % 15] ^ (i / 97) as u8)
                .collect();
            let z = deflate(&text);
            assert_ne!(z[2] & 0b111, 0b001, "expected a Huffman block");
            assert_eq!(inflate_capped(&z, 4096).as_deref(), Ok(&text[..]), "{n}");
            let last = z.len() - 5;
            for bit in 0..8 {
                if z[last] & (1 << bit) != 0 {
                    continue;
                }
                let mut m = z.clone();
                m[last] |= 1 << bit;
                let ours = inflate_capped(&m, 4096);
                match reference(&m) {
                    Some(out) if out == text => {
                        padded += 1;
                        assert_eq!(ours, Err("non-zero zlib padding bits"), "{n} {bit}");
                    }
                    Some(out) => {
                        assert_ne!(ours.as_deref(), Ok(&text[..]), "{n} {bit} {}", out.len())
                    }
                    None => assert!(ours.is_err(), "{n} {bit}"),
                }
            }
        }
        assert!(padded > 100, "only {padded} padding cases exercised");
    }

    #[test]
    fn matches_the_reference_on_mutations() {
        let text: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8 / 3).collect();
        let z = deflate(&text);
        for i in 0..z.len() {
            for bit in 0..8 {
                let mut m = z.clone();
                m[i] ^= 1 << bit;
                let ours = inflate_capped(&m, 4096);
                if let Ok(out) = &ours {
                    assert_eq!(reference(&m).as_ref(), Some(out), "{i} {bit}");
                }
            }
        }
    }

    #[test]
    fn exact_cap_is_accepted() {
        let z = deflate(&[7u8; 4096]);
        assert_eq!(inflate_capped(&z, 4096).unwrap().len(), 4096);
    }
}
