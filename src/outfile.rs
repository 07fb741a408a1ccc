//! `-o FILE`: replace a regular file atomically, or create one (SPEC §6).
//!
//! Only a regular file is ever replaced: a rename over `/dev/null`, a FIFO that a
//! reader waits on or a service's socket would break it for everyone else.

use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the bytes go, resolved and checked before anything is created.
struct Target {
    /// The file to rename over: the path given, or the file its symlink points at.
    path: PathBuf,
    /// The file there now, whose mode and owner the new one keeps.
    existing: Option<Metadata>,
}

/// Checks that `path` is a regular file, a symlink to one, or free in an existing
/// directory; nothing is created.
pub fn check(path: &Path) -> io::Result<()> {
    let target = resolve(path)?;
    if fs::metadata(directory(&target.path))?.is_dir() {
        Ok(())
    } else {
        Err(io::Error::from(io::ErrorKind::NotADirectory))
    }
}

fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a temporary file beside the target, then renames it over the
/// target: readers see the old file or the new one, never half of one. The
/// temporary file is removed on any failure, and when `proceed` says no just before
/// the rename (a signal arrived), leaving the target as it was.
pub fn replace(path: &Path, bytes: &[u8], proceed: impl Fn() -> bool) -> io::Result<()> {
    replace_with(path, |file| file.write_all(bytes), proceed)
}

/// `replace`, with the bytes written by `write` as it makes them (an export of
/// any size), into the temporary file.
pub fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    proceed: impl Fn() -> bool,
) -> io::Result<()> {
    let target = resolve(path)?;
    let dir = directory(&target.path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".balance-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file: 0644 (collectors such as node_exporter run as another user)
        // less the umask, which open(2) applies. An existing one is chmod-ed to its
        // old mode below, before anything is written.
        let mode = if target.existing.is_some() {
            0o600
        } else {
            0o644
        };
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    let mut file = builder.tempfile_in(dir)?;
    if let Some(old) = &target.existing {
        keep_owner_and_mode(file.as_file(), old)?;
    }
    {
        let mut buffered = io::BufWriter::new(file.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    file.as_file().sync_all()?;
    if !proceed() {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    // Narrows the race with whoever put a FIFO or device there since `resolve`.
    if let Ok(now) = fs::symlink_metadata(&target.path) {
        refuse_unless_regular(&now)?;
    }
    file.persist(&target.path).map_err(|e| e.error)?;
    Ok(())
}

fn resolve(path: &Path) -> io::Result<Target> {
    // A symlink (a textfile collector's `balance.prom` pointing into a data
    // directory, say) is followed to the file it points at, and the link stays;
    // but only a link of the user's or of the directory's owner (fsafe's rule):
    // one planted in /tmp by someone else would aim the write at any file.
    let real = crate::fsafe::trusted_target(path).map_err(|e| match e {
        crate::fsafe::FileError::Io(e) => e,
        e => io::Error::other(format!("{}; -o does not write through it", e.reason())),
    })?;
    let here = match fs::symlink_metadata(&real) {
        Err(e) if e.kind() == io::ErrorKind::NotFound && real != path => {
            return Err(refusal("a symbolic link to nothing"));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Target {
                path: real,
                existing: None,
            });
        }
        other => other?,
    };
    refuse_unless_regular(&here)?;
    Ok(Target {
        path: real,
        existing: Some(here),
    })
}

fn refuse_unless_regular(meta: &Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        special_kind(&kind)
    };
    Err(refusal(what))
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "not a regular file"
}

fn refusal(what: &str) -> io::Error {
    io::Error::other(format!(
        "it is {what}; -o only replaces a regular file (or creates one)"
    ))
}

/// The new file gets the old one's permission bits and, where allowed (root, or
/// a group the user is in), its owner and group: replacing a 0600 file must not
/// make it world-readable, nor hand root's cron job's file to root.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    let mine = file.metadata()?;
    let uid = (mine.uid() != old.uid()).then_some(old.uid());
    let gid = (mine.gid() != old.gid()).then_some(old.gid());
    if uid.is_some() || gid.is_some() {
        match fchown(file, uid, gid) {
            // Not root: the file becomes the user's, as any editor's save would.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && mine.uid() != 0 => {
                if uid.is_some() && gid.is_some() {
                    let _ = fchown(file, None, gid);
                }
            }
            other => other?,
        }
    }
    // After the chown, which clears set-id bits.
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, old: &Metadata) -> io::Result<()> {
    file.set_permissions(old.permissions())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".balance-"))
            .collect()
    }

    #[test]
    fn a_signal_before_the_rename_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("balance.prom");
        fs::write(&target, "old\n").unwrap();
        let err = replace(&target, b"new\n", || false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());

        let fresh = dir.path().join("new.prom");
        replace(&fresh, b"x\n", || false).unwrap_err();
        assert!(!fresh.exists());
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn refusals_name_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(dir.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            "it is a directory; -o only replaces a regular file (or creates one)"
        );
        let link = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert!(
            check(&link)
                .unwrap_err()
                .to_string()
                .starts_with("it is a symbolic link to nothing;")
        );
    }
}
