//! The transport pipeline shared by every QR: `ZK1:` + Base45(zlib(COSE_Sign1)).
//! Decoding is bounded at each step, before any allocation that depends on input.

pub mod base45;
pub mod cbor_guard;

use std::io::{Read, Write};

use flate2::{Compression, read::ZlibDecoder, write::ZlibEncoder};

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
/// `cap` bytes without ever holding more than `cap + 1` of them.
pub fn inflate_capped(deflated: &[u8], cap: usize) -> Result<Vec<u8>, &'static str> {
    if deflated.first().is_none_or(|b| b & 0x0f != 8) {
        return Err("not a zlib stream");
    }
    let mut out = Vec::new();
    let mut decoder = ZlibDecoder::new(deflated);
    (&mut decoder)
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| "invalid zlib stream")?;
    if out.len() > cap {
        return Err("inflated size over the limit");
    }
    if decoder.total_in() != deflated.len() as u64 {
        return Err("trailing bytes after the zlib stream");
    }
    check_padding(deflated, &out, cap)?;
    Ok(out)
}

/// Refuses set padding bits, which a decoder ignores, so that one credential has
/// exactly one encoding and no bit of a QR can change without it being refused.
/// A single stored block (`BFINAL=1, BTYPE=00`) must have its 5 padding bits
/// zero; otherwise every set bit of the last deflate byte must matter.
fn check_padding(deflated: &[u8], out: &[u8], cap: usize) -> Result<(), &'static str> {
    let first = deflated.get(2).copied().unwrap_or(0);
    if first & 0b111 == 0b001 {
        return if first >> 3 == 0 {
            Ok(())
        } else {
            Err("non-zero zlib padding bits")
        };
    }
    let last = deflated.len().saturating_sub(5);
    for bit in 0..8 {
        if deflated[last] & (1 << bit) == 0 {
            continue;
        }
        let mut trial = deflated.to_vec();
        trial[last] &= !(1 << bit);
        let mut other = Vec::new();
        let read = ZlibDecoder::new(&trial[..])
            .take(cap as u64 + 1)
            .read_to_end(&mut other);
        if read.is_ok() && other == out {
            return Err("non-zero zlib padding bits");
        }
    }
    Ok(())
}

/// Compresses with zlib at the best level.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
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

    #[test]
    fn exact_cap_is_accepted() {
        let z = deflate(&[7u8; 4096]);
        assert_eq!(inflate_capped(&z, 4096).unwrap().len(), 4096);
    }
}
