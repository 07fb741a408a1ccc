//! Yeastar tokens kept on disk between runs, so a cron job that runs every minute
//! does not fetch a token every minute. Files are 0600 in a 0700 directory and are
//! replaced atomically.
//!
//! A cache entry is only a shortcut, so anything doubtful about it means "fetch a
//! new token": a file or directory open to group or others (the token may have
//! leaked, or been planted), a path that is not a small regular file, or a token
//! that a header cannot carry. The next store rewrites the file 0600 and tightens
//! the directory to 0700.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::debug;

/// A token is not used in its last minute: it could expire in flight.
const MARGIN_SECS: u64 = 60;
/// The refresh token lives 15 days.
pub const REFRESH_LIFETIME_SECS: u64 = 15 * 24 * 3600;

#[derive(Clone, Serialize, Deserialize)]
pub struct Cached {
    pub token: String,
    pub token_head: String,
    pub expires_at: u64,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: u64,
}

impl fmt::Debug for Cached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cached {{ expires_at: {}, .. }}", self.expires_at)
    }
}

impl Cached {
    pub fn fresh(&self) -> bool {
        now() + MARGIN_SECS < self.expires_at
    }

    pub fn refreshable(&self) -> bool {
        self.refresh_token.is_some() && now() + MARGIN_SECS < self.refresh_expires_at
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One file per (base URL, client id).
#[derive(Debug)]
pub struct TokenCache {
    path: Option<PathBuf>,
}

impl TokenCache {
    pub fn new(dir: Option<&Path>, base_url: &str, client_id: &str) -> Self {
        let key = fnv1a(format!("{base_url}\0{client_id}").as_bytes());
        TokenCache {
            path: dir.map(|d| d.join(format!("yeastar-{key:016x}.json"))),
        }
    }

    pub fn load(&self) -> Option<Cached> {
        let path = self.path.as_ref()?;
        match read_trusted(path) {
            Ok(cached) => Some(cached),
            Err(None) => None,
            Err(Some(why)) => {
                debug!(1, "ignoring token cache: {why}");
                None
            }
        }
    }

    /// Best effort: a cache that cannot be written costs a token request next run.
    pub fn store(&self, cached: &Cached) {
        let Some(path) = &self.path else { return };
        if !cached.usable() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(cached) else {
            return;
        };
        if let Err(e) = write_private(path, &bytes) {
            debug!(1, "cannot write token cache {}: {e}", path.display());
        }
    }

    pub fn clear(&self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A cache entry fit to use, `Err(None)` when there is none, else why it is not.
fn read_trusted(path: &Path) -> Result<Cached, Option<String>> {
    let file = match crate::fsafe::read_capped(path, crate::fsafe::SMALL_CAP, false) {
        Ok(file) => file,
        Err(e) if e.is_not_found() => return Err(None),
        Err(e) => return Err(Some(e.message("token cache", path))),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.meta.permissions().mode() & 0o077 != 0 {
            return Err(Some(format!(
                "{} is open to group or others",
                path.display()
            )));
        }
        if let Some(dir) = path.parent()
            && std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
        {
            return Err(Some(format!(
                "directory {} is open to group or others",
                dir.display()
            )));
        }
    }
    let cached: Cached = serde_json::from_slice(&file.bytes)
        .map_err(|_| Some(format!("{} is not a token cache", path.display())))?;
    if !cached.usable() {
        return Err(Some(format!("{} holds an unusable token", path.display())));
    }
    Ok(cached)
}

/// Tokens longer than this are refused: real ones are a few hundred bytes, and
/// servers commonly reject request headers over 8 KiB, so a bigger one would be
/// sent on every request only to fail.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Fit to send in a header as is: non-empty, at most [`MAX_TOKEN_BYTES`],
/// visible ASCII only (no space, no control character). A token that is not
/// would fail every request until it expires.
pub fn usable_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_TOKEN_BYTES && s.bytes().all(|b| b.is_ascii_graphic())
}

impl Cached {
    fn usable(&self) -> bool {
        usable_token(&self.token)
            && usable_token(&self.token_head)
            && self.refresh_token.as_deref().is_none_or(usable_token)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no directory"))?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // An existing directory keeps its mode; one open to others would make
        // `load` distrust every token written into it.
        if std::fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    // tempfile creates files 0600 on unix.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A stable file name; std's hasher may change between Rust releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(Some(&dir.path().join("sub")), "https://x", "id");
        assert!(cache.load().is_none());
        let cached = Cached {
            token: "tok".into(),
            token_head: "Bearer".into(),
            expires_at: now() + 1800,
            refresh_token: Some("r".into()),
            refresh_expires_at: now() + 100,
        };
        cache.store(&cached);
        let back = cache.load().unwrap();
        assert!(back.fresh() && back.refreshable());
        assert_eq!(back.token, "tok");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let file = std::fs::read_dir(dir.path().join("sub"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap();
            assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{back:?}").contains("tok\""));
        cache.clear();
        assert!(cache.load().is_none());
    }

    #[test]
    fn expiry_margin() {
        let mut c = Cached {
            token: String::new(),
            token_head: String::new(),
            expires_at: now() + 30,
            refresh_token: None,
            refresh_expires_at: now() + 1000,
        };
        assert!(!c.fresh() && !c.refreshable());
        c.expires_at = now() + 600;
        assert!(c.fresh());
    }
}
