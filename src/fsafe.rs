//! The one rule for every file `balance` reads or writes (config, secret files,
//! the token cache, the history store, `-o`, import input, alert commands):
//!
//! - opened without blocking (`O_NONBLOCK`, cleared once open): a FIFO with no
//!   writer must not stall the run, nor a device wait for input;
//! - checked on the open descriptor (`fstat`), not the path: a regular file only,
//!   its size bounded *before* any read, and the read capped too (it may grow);
//! - a symbolic link is followed only when owned by the user or by the owner of
//!   the directory it sits in, as the kernel's `protected_symlinks` does for
//!   sticky directories: a link planted in `/tmp` by another user is refused.
//!   Only the last component is judged (the directories on the way are the
//!   operator's choice); the file finally opened is opened with `O_NOFOLLOW`, so
//!   a link swapped in after the check is refused, not followed.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Config files: generous for hundreds of profiles, far below harm.
pub const CONFIG_CAP: u64 = 1024 * 1024;
/// Secret files and token caches are small; a bigger file is a mistake.
pub const SMALL_CAP: u64 = 64 * 1024;
/// Links followed in a row before giving up, as the kernel's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// Why a file was refused.
#[derive(Debug)]
pub enum FileError {
    Io(io::Error),
    /// What the path is instead of a regular file ("a FIFO").
    NotRegular(&'static str),
    /// Larger than the cap, in bytes.
    TooLarge(u64),
    /// A symbolic link owned by `uid`, neither the user nor the directory's owner.
    Planted {
        link: PathBuf,
        uid: u32,
    },
}

impl FileError {
    /// One line naming the file: `what` is e.g. "secret file".
    pub fn message(&self, what: &str, path: &Path) -> String {
        let shown = path.display();
        match self {
            FileError::Io(e) => {
                format!(
                    "cannot read {what} {shown}: {}",
                    crate::without_os_error(e.to_string())
                )
            }
            FileError::NotRegular(kind) => format!("{what} {shown} is {kind}, not a regular file"),
            FileError::TooLarge(cap) => format!("{what} {shown} is larger than {}", size(*cap)),
            FileError::Planted { .. } => format!("{what} {shown}: {}", self.reason()),
        }
    }

    /// Why, without naming the file (for messages that already do).
    pub fn reason(&self) -> String {
        match self {
            FileError::Io(e) => crate::without_os_error(e.to_string()),
            FileError::NotRegular(kind) => format!("it is {kind}, not a regular file"),
            FileError::TooLarge(cap) => format!("it is larger than {}", size(*cap)),
            FileError::Planted { link, uid } => format!(
                "{} is a symbolic link owned by another user (uid {uid}) \
                 in a directory that user does not own; not followed",
                link.display()
            ),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, FileError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// `64 KiB`, `1 MiB`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A file read whole, with the metadata of the very file read.
pub struct SmallFile {
    pub bytes: Vec<u8>,
    pub meta: Metadata,
}

/// The bytes may be a secret: only their number is shown.
impl std::fmt::Debug for SmallFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmallFile({} bytes)", self.bytes.len())
    }
}

/// Where `path` leads: itself unless it is a symbolic link, else the end of its
/// chain of links, each of them trusted (owned by the user or by the owner of the
/// directory holding it). The end may not exist (`-o` creates it).
pub fn trusted_target(path: &Path) -> Result<PathBuf, FileError> {
    let mut here = path.to_owned();
    for _ in 0..MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&here) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(here),
            Err(e) => return Err(FileError::Io(e)),
        };
        if !meta.file_type().is_symlink() {
            return Ok(here);
        }
        let dir = parent(&here);
        trust(&here, &meta, &dir)?;
        let to = std::fs::read_link(&here).map_err(FileError::Io)?;
        here = if to.is_absolute() { to } else { dir.join(to) };
    }
    Err(FileError::Io(io::Error::other(
        "too many levels of symbolic links",
    )))
}

/// The directory `path` sits in (`.` for a bare name).
pub fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn trust(link: &Path, meta: &Metadata, dir: &Path) -> Result<(), FileError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid cannot fail and touches no memory.
    let me = unsafe { libc::geteuid() };
    let owner = meta.uid();
    if owner == me {
        return Ok(());
    }
    let dir_owner = std::fs::metadata(dir).map_err(FileError::Io)?.uid();
    if owner == dir_owner {
        return Ok(());
    }
    Err(FileError::Planted {
        link: link.to_owned(),
        uid: owner,
    })
}

#[cfg(not(unix))]
fn trust(_: &Path, _: &Metadata, _: &Path) -> Result<(), FileError> {
    Ok(())
}

/// Opens `path` for reading: a regular file of at most `cap` bytes (any size
/// when `None`), following only trusted links when `follow`, never blocking.
/// The descriptor is left blocking for the reads that follow.
pub fn open_regular(
    path: &Path,
    cap: Option<u64>,
    follow: bool,
) -> Result<(File, Metadata), FileError> {
    let real = if follow {
        trusted_target(path)?
    } else {
        path.to_owned()
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOCTTY: a terminal device must not become our controlling terminal.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(&real).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FileError::NotRegular("a symbolic link"));
    }
    let file = match options.open(&real) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(FileError::NotRegular("a symbolic link"));
        }
        Err(e) => return Err(FileError::Io(e)),
    };
    // fstat of the open file, not stat of the path: what is checked is what is read.
    let meta = file.metadata().map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind_of(&meta.file_type())));
    }
    if let Some(cap) = cap
        && meta.len() > cap
    {
        return Err(FileError::TooLarge(cap));
    }
    #[cfg(unix)]
    blocking(&file).map_err(FileError::Io)?;
    Ok((file, meta))
}

#[cfg(unix)]
fn blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads a regular file of at most `cap` bytes, whole.
pub fn read_capped(path: &Path, cap: u64, follow: bool) -> Result<SmallFile, FileError> {
    let (file, meta) = open_regular(path, Some(cap), follow)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte more than the cap tells a file that grew since fstat from one at the cap.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(FileError::TooLarge(cap));
    }
    Ok(SmallFile { bytes, meta })
}

/// Checks a path a library will open itself (SQLite's store): absent, or a
/// regular file reached through trusted links only. Opening it here cannot
/// block, so a FIFO is refused before anything waits on it.
pub fn check_existing(path: &Path) -> Result<(), FileError> {
    match open_regular(path, None, true) {
        Err(e) if e.is_not_found() => Ok(()),
        other => other.map(drop),
    }
}

/// A program given by path (an alert or secret command): an executable regular
/// file, reached through trusted links only. A bare name is found on `PATH` by
/// the spawn, and judged there.
pub fn check_program(program: &str) -> Result<(), String> {
    if !program.contains('/') {
        return Ok(());
    }
    let path = Path::new(program);
    let fail = |e: FileError| e.message("program", path);
    let real = trusted_target(path).map_err(fail)?;
    // stat, not open: a program may be execute-only, and stat never blocks.
    let meta = std::fs::metadata(&real).map_err(|e| fail(FileError::Io(e)))?;
    if !meta.is_file() {
        return Err(fail(FileError::NotRegular(kind_of(&meta.file_type()))));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(format!("program {} is not executable", path.display()));
        }
    }
    Ok(())
}

/// Creates `dir` and its missing parents 0700 whatever the umask (a store's
/// directory holds account names and balances); an existing one is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    // The umask may have taken bits (0o077 is fine, 0o277 is not): say it exactly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `path` empty and 0600 whatever the umask when nothing is there, so
/// that a library creating it later (SQLite, whose `-wal` and `-shm` take the
/// main file's mode) never makes it readable by others. Something already
/// there is left alone.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    match options.open(path) {
        Ok(file) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            drop(file);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// `path` as an SQLite `file:` URI: every byte but unreserved ones and `/`
/// percent-encoded, so `?`, `#` and `%` in a name stay part of the name.
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

pub fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "something else"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn regular_and_capped_only() {
        let dir = tempfile::tempdir().unwrap();
        let at_cap = dir.path().join("at-cap");
        std::fs::write(&at_cap, vec![b'k'; 100]).unwrap();
        assert_eq!(read_capped(&at_cap, 100, false).unwrap().bytes.len(), 100);
        let err = read_capped(&at_cap, 99, true).unwrap_err();
        assert_eq!(
            err.message("secret file", Path::new("f")),
            "secret file f is larger than 99 bytes"
        );
        let err = read_capped(dir.path(), 100, true).unwrap_err();
        assert!(
            matches!(err, FileError::NotRegular("a directory")),
            "{err:?}"
        );
        let link = dir.path().join("link");
        symlink(&at_cap, &link).unwrap();
        assert!(read_capped(&link, 100, true).is_ok());
        let err = read_capped(&link, 100, false).unwrap_err();
        assert_eq!(
            err.message("cache", &link),
            format!(
                "cache {} is a symbolic link, not a regular file",
                link.display()
            )
        );
        assert!(
            read_capped(&dir.path().join("none"), 1, true)
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(size(CONFIG_CAP), "1 MiB");
        assert_eq!(size(SMALL_CAP), "64 KiB");
    }

    #[test]
    fn a_fifo_and_a_device_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = open_regular(&fifo, None, true).unwrap_err();
        assert!(matches!(err, FileError::NotRegular("a FIFO")), "{err:?}");
        assert!(matches!(
            check_existing(&fifo),
            Err(FileError::NotRegular("a FIFO"))
        ));
        let err = read_capped(Path::new("/dev/zero"), CONFIG_CAP, true).unwrap_err();
        assert!(
            matches!(err, FileError::NotRegular("a character device")),
            "{err:?}"
        );
        assert!(check_existing(&dir.path().join("absent")).is_ok());
    }

    /// Who runs the tests (root in CI, a user elsewhere), and another uid.
    fn other_uid() -> u32 {
        // SAFETY: geteuid cannot fail.
        if unsafe { libc::geteuid() } == 65534 {
            65533
        } else {
            65534
        }
    }

    /// A link owned by `uid` (root can make one; others cannot, and then the
    /// test is about a link of their own).
    fn lchown(path: &Path, uid: u32) -> bool {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; gid unchanged.
        unsafe { libc::lchown(c.as_ptr(), uid, u32::MAX) == 0 }
    }

    #[test]
    fn a_link_planted_by_another_user_in_a_shared_directory_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("tmp");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let secret = dir.path().join("precious");
        std::fs::write(&secret, "root only").unwrap();
        let link = shared.join("balance.prom");
        symlink(&secret, &link).unwrap();
        // The user's own link is followed.
        assert_eq!(trusted_target(&link).unwrap(), secret);
        if !lchown(&link, other_uid()) {
            // Not root: nobody else's link can be made here; the rule is the
            // same comparison, exercised by CI (root) below.
            return;
        }
        let err = trusted_target(&link).unwrap_err();
        assert!(
            matches!(err, FileError::Planted { uid, .. } if uid == other_uid()),
            "{err:?}"
        );
        assert!(
            err.message("config file", &link)
                .contains(&format!("owned by another user (uid {})", other_uid()))
        );
        assert!(read_capped(&link, 100, true).is_err());
        // The directory's owner may link in their own directory.
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        let c = std::ffi::CString::new(theirs.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::chown(c.as_ptr(), other_uid(), u32::MAX) }, 0);
        let link = theirs.join("link");
        symlink(&secret, &link).unwrap();
        assert!(lchown(&link, other_uid()));
        assert_eq!(trusted_target(&link).unwrap(), secret);
    }

    #[test]
    fn programs_are_executable_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("notify");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let shown = script.to_str().unwrap();
        assert_eq!(
            check_program(shown).unwrap_err(),
            format!("program {shown} is not executable")
        );
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(check_program(shown).is_ok());
        let d = dir.path().to_str().unwrap();
        assert!(check_program(d).unwrap_err().contains("is a directory"));
        assert!(check_program("sh").is_ok());
    }
}
