//! A verifier's directory of downloaded lists: the pinned trust anchor
//! (`trust-anchor.pub`), the signed trust list (`trust-list.cose`) and the
//! status lists (`status-list-<id>.cose`). [`install`] checks new downloads
//! against the anchor before any file is replaced (each by an atomic rename)
//! and refuses an older list than the one held; [`load`] verifies them again
//! and, given a maximum age, refuses status lists issued longer ago than that
//! (by their own `iat`, not the files' times), so a gate that lost its
//! connection fails closed instead of trusting stale revocation data.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Rejection;
use crate::gate::{parse_public_key, public_key_text};
use crate::keys::PublicKey;
use crate::status::StatusList;
use crate::trust::TrustList;

pub const ANCHOR_FILE: &str = "trust-anchor.pub";
pub const TRUST_LIST_FILE: &str = "trust-list.cose";

/// The file of status list `id`.
pub fn status_list_file(id: &str) -> String {
    format!("status-list-{id}.cose")
}

/// Verified lists, ready for `verify_with_lists`.
#[derive(Debug, Clone)]
pub struct Lists {
    pub anchor: PublicKey,
    pub trust: TrustList,
    /// The status lists, by id (the `<id>` of their file).
    pub status: Vec<(String, StatusList)>,
}

impl Lists {
    pub fn status_lists(&self) -> Vec<&StatusList> {
        self.status.iter().map(|(_, l)| l).collect()
    }

    /// The issued-at of the oldest status list (None without any).
    pub fn oldest_status(&self) -> Option<i64> {
        self.status.iter().map(|(_, l)| l.iat).min()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListsError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the trust anchor is not ALG:hex of a public key")]
    Anchor,
    #[error("no trust anchor: give one (it is then pinned in the directory)")]
    NoAnchor,
    #[error("the trust list does not verify: {}", .0.code())]
    TrustList(Rejection),
    #[error("status list {id} does not verify: {}", source.code())]
    StatusList { id: String, source: Rejection },
    #[error("no status list in the directory")]
    NoStatusList,
    #[error("status list {id} was issued {age} s ago, more than the maximum age of {max_age} s")]
    Stale { id: String, age: i64, max_age: i64 },
    #[error("the download is older than the {what} held (held {held}, got {got})")]
    Rollback {
        what: &'static str,
        held: i64,
        got: i64,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ListsError + '_ {
    move |source| ListsError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Verifies downloaded bytes against `anchor` at `now`.
pub fn check(
    anchor: &PublicKey,
    trust: &[u8],
    status: &[(String, Vec<u8>)],
    now: i64,
) -> Result<Lists, ListsError> {
    let trust = TrustList::from_signed(trust, anchor, now).map_err(ListsError::TrustList)?;
    let status = status
        .iter()
        .map(|(id, bytes)| {
            StatusList::from_token(bytes, &trust)
                .map(|l| (id.clone(), l))
                .map_err(|source| ListsError::StatusList {
                    id: id.clone(),
                    source,
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(Lists {
        anchor: anchor.clone(),
        trust,
        status,
    })
}

/// Reads the pinned anchor of `dir`, if there is one.
pub fn pinned_anchor(dir: &Path) -> Result<Option<PublicKey>, ListsError> {
    let path = dir.join(ANCHOR_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => parse_public_key(&text)
            .map(Some)
            .map_err(|_| ListsError::Anchor),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Checks the downloads against `anchor` (or the anchor pinned in `dir`),
/// refuses a trust list of a lower `seq` or a status list issued before the
/// one held, then replaces the files one by one (write a temporary file,
/// sync, rename), trust list first.
pub fn install(
    dir: &Path,
    anchor: Option<&PublicKey>,
    trust: &[u8],
    status: &[(String, Vec<u8>)],
    now: i64,
) -> Result<Lists, ListsError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let anchor = match anchor {
        Some(a) => a.clone(),
        None => pinned_anchor(dir)?.ok_or(ListsError::NoAnchor)?,
    };
    let new = check(&anchor, trust, status, now)?;
    if let Ok(held) = load(dir, now, None)
        && held.anchor == anchor
    {
        refuse_rollback(&held, &new)?;
    }
    let anchor_text = format!("{}\n", public_key_text(&anchor));
    replace(&dir.join(ANCHOR_FILE), anchor_text.as_bytes())?;
    replace(&dir.join(TRUST_LIST_FILE), trust)?;
    for (id, bytes) in status {
        replace(&dir.join(status_list_file(id)), bytes)?;
    }
    Ok(new)
}

fn refuse_rollback(held: &Lists, new: &Lists) -> Result<(), ListsError> {
    if new.trust.seq < held.trust.seq {
        return Err(ListsError::Rollback {
            what: "trust list",
            held: held.trust.seq as i64,
            got: new.trust.seq as i64,
        });
    }
    for (id, list) in &new.status {
        if let Some((_, old)) = held.status.iter().find(|(i, _)| i == id)
            && list.iat < old.iat
        {
            return Err(ListsError::Rollback {
                what: "status list",
                held: old.iat,
                got: list.iat,
            });
        }
    }
    Ok(())
}

/// Atomically replaces `path` with `bytes` (public data: mode 0644).
fn replace(path: &Path, bytes: &[u8]) -> Result<(), ListsError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o644)).map_err(io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io(path))
}

/// Loads and verifies the lists of `dir` at `now`; with `max_age`, refuses
/// when there is no status list or one was issued more than `max_age`
/// seconds ago (or is past its own `exp`/`ttl`).
pub fn load(dir: &Path, now: i64, max_age: Option<i64>) -> Result<Lists, ListsError> {
    let anchor = pinned_anchor(dir)?.ok_or(ListsError::NoAnchor)?;
    let trust_path = dir.join(TRUST_LIST_FILE);
    let trust = fs::read(&trust_path).map_err(io(&trust_path))?;
    let mut status = Vec::new();
    for file in fs::read_dir(dir).map_err(io(dir))? {
        let path = file.map_err(io(dir))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(id) = name
            .strip_prefix("status-list-")
            .and_then(|n| n.strip_suffix(".cose"))
        {
            status.push((id.to_owned(), fs::read(&path).map_err(io(&path))?));
        }
    }
    status.sort();
    let lists = check(&anchor, &trust, &status, now)?;
    if let Some(max_age) = max_age {
        if lists.status.is_empty() {
            return Err(ListsError::NoStatusList);
        }
        for (id, list) in &lists.status {
            if !list.is_fresh(now, max_age) {
                return Err(ListsError::Stale {
                    id: id.clone(),
                    age: now - list.iat,
                    max_age,
                });
            }
        }
    }
    Ok(lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::keys::SigningKey;
    use crate::status::{MIN_ENTRIES, StatusBits};
    use crate::trust::{IssuerKey, KeyPurpose};

    const T: i64 = 1_767_225_600;

    struct Deployment {
        anchor: SigningKey,
        issuer: SigningKey,
    }

    impl Deployment {
        fn new() -> Self {
            Deployment {
                anchor: SigningKey::generate(Algorithm::EdDsa).unwrap(),
                issuer: SigningKey::generate(Algorithm::EdDsa).unwrap(),
            }
        }

        fn trust(&self, seq: u64) -> Vec<u8> {
            TrustList {
                iss: "test".into(),
                seq,
                iat: T,
                exp: T + 86_400,
                keys: vec![IssuerKey {
                    public_key: self.issuer.public_key().clone(),
                    region: "440000".into(),
                    purposes: vec![KeyPurpose::StatusList],
                    valid_from: T - 10,
                    valid_to: T + 86_400,
                }],
            }
            .sign(&self.anchor)
        }

        fn status(&self, iat: i64) -> Vec<(String, Vec<u8>)> {
            let list = StatusList {
                uri: "https://zk.example/api/v1/status-lists/1".into(),
                iat,
                exp: iat + 86_400,
                ttl: 86_400,
                bits: StatusBits::new(MIN_ENTRIES),
            };
            vec![("1".into(), list.sign(&self.issuer))]
        }
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("zk-lists-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn lists_older_than_the_maximum_age_are_refused() {
        let (d, dep) = (dir("age"), Deployment::new());
        install(
            &d,
            Some(dep.anchor.public_key()),
            &dep.trust(1),
            &dep.status(T),
            T,
        )
        .unwrap();
        assert!(load(&d, T + 300, Some(300)).is_ok());
        let stale = load(&d, T + 301, Some(300)).unwrap_err();
        assert!(
            matches!(stale, ListsError::Stale { age: 301, .. }),
            "{stale}"
        );
        assert!(
            load(&d, T + 3_000, None).is_ok(),
            "no maximum age: no freshness rule"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_download_that_does_not_verify_or_is_older_replaces_nothing() {
        let (d, dep) = (dir("install"), Deployment::new());
        // No anchor given and none pinned.
        assert!(matches!(
            install(&d, None, &dep.trust(1), &dep.status(T), T),
            Err(ListsError::NoAnchor)
        ));
        install(
            &d,
            Some(dep.anchor.public_key()),
            &dep.trust(2),
            &dep.status(T + 60),
            T + 60,
        )
        .unwrap();
        let held = fs::read(d.join(TRUST_LIST_FILE)).unwrap();
        let other = Deployment::new();
        assert!(matches!(
            install(&d, None, &other.trust(5), &other.status(T + 90), T + 90),
            Err(ListsError::TrustList(_))
        ));
        assert!(matches!(
            install(&d, None, &dep.trust(1), &dep.status(T + 90), T + 90),
            Err(ListsError::Rollback { .. })
        ));
        assert!(matches!(
            install(&d, None, &dep.trust(2), &dep.status(T), T + 90),
            Err(ListsError::Rollback { .. })
        ));
        // A status list signed by a key the trust list does not hold.
        let mut foreign = dep.status(T + 90);
        foreign[0].1 = other.status(T + 90).remove(0).1;
        assert!(matches!(
            install(&d, None, &dep.trust(3), &foreign, T + 90),
            Err(ListsError::StatusList { .. })
        ));
        assert_eq!(fs::read(d.join(TRUST_LIST_FILE)).unwrap(), held);
        // The pinned anchor serves the next sync.
        let lists = install(&d, None, &dep.trust(3), &dep.status(T + 120), T + 120).unwrap();
        assert_eq!((lists.trust.seq, lists.oldest_status()), (3, Some(T + 120)));
        fs::remove_dir_all(&d).unwrap();
    }
}
