//! A gate's state on disk, so a restart forgets nothing: the replay cache
//! (one `nonce-hex expiry` line per accepted presentation, written and synced
//! before the verdict is given) and the log of verdicts with the upload mark
//! (`<log>.uploaded` holds the byte offset up to which the server has the
//! log; it moves only after the server answered, so a crash in between
//! re-sends lines the server then counts as duplicates, and none is lost).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead as _, BufReader, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use crate::error::Rejection;
use crate::gate::{LineError, LogEntry, hex, unhex};
use crate::replay::ReplayCache;
use crate::verify::Policy;

/// A [`ReplayCache`] kept in a file across restarts.
#[derive(Debug)]
pub struct ReplayFile {
    cache: ReplayCache,
    file: File,
}

impl ReplayFile {
    /// Opens (or creates, mode 0600) the cache file, takes back the nonces
    /// still live at `now` and rewrites the file with only those.
    pub fn open(path: &Path, policy: &Policy, capacity: usize, now: i64) -> io::Result<Self> {
        let mut cache = ReplayCache::new(policy, capacity);
        match File::open(path) {
            Ok(f) => {
                for line in BufReader::new(f).lines() {
                    let line = line?;
                    let mut parts = line.split(' ');
                    let parsed = parts
                        .next()
                        .and_then(unhex)
                        .zip(parts.next().and_then(|e| e.trim().parse::<i64>().ok()));
                    // A torn last line (a crash mid-write) was never acknowledged.
                    if let Some((nonce, expiry)) = parsed {
                        cache.restore(&nonce, expiry, now);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let tmp = path.with_extension("tmp");
        let mut out = private_file(&tmp, false)?;
        for (nonce, expiry) in cache.live() {
            writeln!(out, "{} {expiry}", hex(nonce))?;
        }
        out.sync_all()?;
        fs::rename(&tmp, path)?;
        let file = private_file(path, true)?;
        Ok(ReplayFile { cache, file })
    }

    /// [`ReplayCache::check_and_insert`], the accepted nonce on disk before
    /// this returns `Ok(Ok(()))`.
    pub fn check_and_insert(
        &mut self,
        nonce: &[u8],
        iat: i64,
        now: i64,
    ) -> io::Result<Result<(), Rejection>> {
        if let Err(r) = self.cache.check_and_insert(nonce, iat, now) {
            return Ok(Err(r));
        }
        writeln!(self.file, "{} {}", hex(nonce), self.cache.expiry_of(iat))?;
        self.file.sync_data()?;
        Ok(Ok(()))
    }

    pub fn len(&self) -> usize {
        self.cache.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

fn private_file(path: &Path, append: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(path)
}

/// Appends `entry` to the gate's log (created 0600: it names permits), synced.
pub fn append_log(path: &Path, entry: &LogEntry) -> io::Result<()> {
    let mut f = private_file(path, true)?;
    f.write_all(format!("{}\n", entry.to_line()).as_bytes())?;
    f.sync_data()
}

fn mark_path(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".uploaded");
    PathBuf::from(name)
}

/// The byte offset up to which the log was uploaded.
pub fn uploaded_offset(log: &Path) -> io::Result<u64> {
    match fs::read_to_string(mark_path(log)) {
        Ok(s) => s
            .trim()
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad upload mark")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

/// Records that the server holds the log up to `offset` (atomic rename).
pub fn mark_uploaded(log: &Path, offset: u64) -> io::Result<()> {
    let path = mark_path(log);
    let tmp = path.with_extension("tmp");
    let mut f = private_file(&tmp, false)?;
    writeln!(f, "{offset}")?;
    f.sync_all()?;
    fs::rename(&tmp, &path)
}

/// A log line not yet uploaded, with the offset just past it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub entry: Result<LogEntry, LineError>,
    pub end: u64,
}

/// The complete lines after the upload mark (a line still being written,
/// without its newline, waits for the next upload).
pub fn pending(log: &Path) -> io::Result<Vec<Pending>> {
    let from = uploaded_offset(log)?;
    let mut f = match File::open(log) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    f.seek(io::SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let mut out = Vec::new();
    let mut end = from;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.last() != Some(&b'\n') {
            break;
        }
        end += line.len() as u64;
        let entry = std::str::from_utf8(&line[..line.len() - 1])
            .map_err(|_| LineError {
                field: "entry",
                code: "malformed_entry",
            })
            .and_then(LogEntry::from_line);
        out.push(Pending { entry, end });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_767_225_600;

    fn tmp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("zk-gate-{name}-{}", std::process::id()));
        let _ = fs::remove_file(&p);
        let _ = fs::remove_file(mark_path(&p));
        p
    }

    #[test]
    fn a_replay_is_refused_after_a_restart() {
        let path = tmp("replay");
        let policy = Policy::default();
        let mut c = ReplayFile::open(&path, &policy, 100, T).unwrap();
        assert_eq!(c.check_and_insert(b"n1", T, T + 1).unwrap(), Ok(()));
        assert_eq!(c.check_and_insert(b"n2", T, T + 1).unwrap(), Ok(()));
        drop(c);
        let mut again = ReplayFile::open(&path, &policy, 100, T + 2).unwrap();
        assert_eq!(again.len(), 2);
        assert!(again.check_and_insert(b"n1", T, T + 3).unwrap().is_err());
        drop(again);
        // Once stale, the nonces are dropped from the file at the next start.
        let later = ReplayFile::open(&path, &policy, 100, T + 60).unwrap();
        assert!(later.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        fs::remove_file(&path).unwrap();
    }

    #[test]
    fn pending_lines_follow_the_mark_and_a_torn_line_waits() {
        let log = tmp("log");
        let entry = |i: i64| LogEntry {
            id: format!("e{i}"),
            at: T + i,
            permit_number: Some("X1".into()),
            purpose: "transit".into(),
            credential_kind: "presentation".into(),
            result: "valid".into(),
            reason: None,
        };
        append_log(&log, &entry(1)).unwrap();
        append_log(&log, &entry(2)).unwrap();
        let first = pending(&log).unwrap();
        assert_eq!(first.len(), 2);
        mark_uploaded(&log, first[0].end).unwrap();
        OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"v1\te3\t")
            .unwrap();
        let rest = pending(&log).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].entry, Ok(entry(2)));
        mark_uploaded(&log, rest[0].end).unwrap();
        assert!(pending(&log).unwrap().is_empty());
        fs::remove_file(&log).unwrap();
        fs::remove_file(mark_path(&log)).unwrap();
    }
}
