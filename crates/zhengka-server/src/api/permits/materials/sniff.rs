//! What an uploaded file is, decided from its first bytes and never from its
//! name or the Content-Type the client sent. Only PDF, PNG and JPEG are taken.

/// Largest file accepted: 5 MiB.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Why a file was refused; `code` is the API error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefused {
    Empty,
    TooLarge,
    UnsupportedType,
}

impl FileRefused {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::TooLarge => "file_too_large",
            Self::UnsupportedType => "unsupported_file_type",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "the file is empty",
            Self::TooLarge => "the file is larger than 5 MiB",
            Self::UnsupportedType => "only PDF, PNG and JPEG files are accepted",
        }
    }
}

const SIGNATURES: &[(&[u8], FileType)] = &[
    (b"%PDF-", FileType::Pdf),
    (b"\x89PNG\r\n\x1a\n", FileType::Png),
    (b"\xff\xd8\xff", FileType::Jpeg),
];

/// Check size and type of an uploaded file by its content.
pub fn check_file(bytes: &[u8]) -> Result<FileType, FileRefused> {
    if bytes.is_empty() {
        return Err(FileRefused::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileRefused::TooLarge);
    }
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, t)| *t)
        .ok_or(FileRefused::UnsupportedType)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_are_found_by_their_first_bytes() {
        assert_eq!(check_file(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(
            check_file(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(FileType::Png)
        );
        assert_eq!(
            check_file(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Ok(FileType::Jpeg)
        );
        assert_eq!(FileType::Png.content_type(), "image/png");
    }

    #[test]
    fn anything_else_is_refused_whatever_it_is_called() {
        for bytes in [
            &b"MZ\x90\0\x03\0\0\0"[..], // Windows executable
            b"\x7fELF\x02\x01\x01",     // ELF
            b"PK\x03\x04",              // zip, docx
            b"GIF89a",                  // GIF
            b"<html><script>",          // HTML
            b" %PDF-1.7",               // not at the start
            b"%PDF",                    // too short to be sure
            b"\x89PNG",                 // truncated signature
            b"\xff\xd8",                // truncated signature
        ] {
            assert_eq!(
                check_file(bytes),
                Err(FileRefused::UnsupportedType),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn size_is_checked_empty_and_over_five_mib_refused() {
        assert_eq!(check_file(b""), Err(FileRefused::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES, b' ');
        assert_eq!(check_file(&big), Ok(FileType::Pdf), "exactly 5 MiB is fine");
        big.push(b' ');
        assert_eq!(check_file(&big), Err(FileRefused::TooLarge));
        assert_eq!(FileRefused::TooLarge.code(), "file_too_large");
        assert_eq!(FileRefused::UnsupportedType.code(), "unsupported_file_type");
    }
}
