//! `-o FILE` (SPEC §6): only a regular file is replaced, its mode and owner are
//! kept, a new one follows the umask, and no temporary file survives an error or
//! SIGINT/SIGTERM. Through the real binary against a loopback vendor.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::hostile::{self, Action, Hostile};
use crate::common::{BIN, Home, code, fixture, stderr, stdout};

const BALANCE_PATH: &str = "/api/v1/accounts/0123456789abcdef0123456789abcdef/balance";

/// A HOME whose one profile `a` is an 8x8 account at `server`.
fn home(server: &Hostile, timeout: &str) -> Home {
    let home = Home::new();
    home.config(&format!(
        "[settings]\ntimeout = {timeout}\nretries = 0\n\n[profiles.a]\nprovider = \"8x8\"\n\
         base_url = \"{}\"\naccount_id = \"0123456789abcdef0123456789abcdef\"\napi_key = \"k\"\n",
        server.url()
    ));
    home
}

fn healthy() -> Hostile {
    let body = fixture("8x8", "balance");
    Hostile::start(move |request| {
        assert!(request.contains(BALANCE_PATH), "{request}");
        Action::Respond(hostile::json(200, &body))
    })
}

/// A directory of its own for the targets, to list leftovers in.
fn out_dir(home: &Home) -> PathBuf {
    let dir = home.path().join("out");
    fs::create_dir(&dir).unwrap();
    dir
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".balance-"))
        .collect()
}

/// `balance --config … ARGS`, killed (and the test failed) if it runs past 20 s:
/// opening a FIFO for writing would block forever.
fn run_bounded(home: &Home, args: &[&str]) -> Output {
    let mut cmd = home.cmd();
    cmd.arg("--config")
        .arg(home.path().join("config.toml"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("balance {args:?} still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn is_root() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

fn file_type(path: &Path) -> fs::FileType {
    fs::symlink_metadata(path).unwrap().file_type()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Refused: exit 1, one line naming the path and what is there, no request made,
/// nothing created in the directory.
fn assert_refused(home: &Home, server: &Hostile, dir: &Path, target: &Path, what: &str) {
    let hits = server.hits();
    let out = run_bounded(home, &["check", "--json", "-o", target.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: {err}");
    assert!(
        err.contains(&format!("cannot write {}: it is {what};", target.display())),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(server.hits(), hits, "{what}: refused before any request");
    assert_eq!(leftovers(dir), Vec::<String>::new(), "{what}");
}

#[test]
fn special_files_are_refused_and_left_untouched() {
    let server = healthy();
    let home = home(&server, "5");
    let dir = out_dir(&home);

    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    assert_refused(&home, &server, &dir, &fifo, "a FIFO");
    assert!(file_type(&fifo).is_fifo(), "still a FIFO");

    let sub = dir.join("sub");
    fs::create_dir(&sub).unwrap();
    assert_refused(&home, &server, &dir, &sub, "a directory");
    assert!(file_type(&sub).is_dir());

    let socket = dir.join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    assert_refused(&home, &server, &dir, &socket, "a socket");
    assert!(file_type(&socket).is_socket(), "still a socket");

    // Through a symlink: the link's target decides; a dangling link is refused
    // rather than followed into a file nobody asked for.
    let to_fifo = dir.join("to-fifo");
    std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
    assert_refused(&home, &server, &dir, &to_fifo, "a FIFO");
    assert!(file_type(&to_fifo).is_symlink() && file_type(&fifo).is_fifo());
    let dangling = dir.join("dangling");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
    assert_refused(
        &home,
        &server,
        &dir,
        &dangling,
        "a symbolic link to nothing",
    );
    assert!(file_type(&dangling).is_symlink());
    assert!(!dir.join("nowhere").exists());

    // A missing directory is found before any request too.
    let missing = dir.join("missing").join("balance.prom");
    let hits = server.hits();
    let out = run_bounded(&home, &["check", "-o", missing.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No such file or directory"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.hits(), hits);

    // A device node of our own (same numbers as /dev/null), never the real one.
    if is_root() {
        let device = dir.join("null");
        let made = Command::new("mknod")
            .arg(&device)
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        if made.success() {
            assert_refused(&home, &server, &dir, &device, "a character device");
            assert!(file_type(&device).is_char_device(), "still a device");
        } else {
            eprintln!("note: mknod failed here; device case skipped");
        }
    } else {
        eprintln!("note: not root, cannot mknod; device case skipped");
    }
}

#[test]
fn nagios_mode_reports_a_refused_target_as_unknown() {
    let server = healthy();
    let home = home(&server, "5");
    let dir = out_dir(&home);
    let fifo = dir.join("balance.out");
    mkfifo(&fifo);
    let out = run_bounded(
        &home,
        &["check", "--format", "nagios", "-o", fifo.to_str().unwrap()],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("BALANCE UNKNOWN - cannot write "),
        "{line}"
    );
    assert!(line.contains("it is a FIFO"), "{line}");
    assert!(file_type(&fifo).is_fifo());
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

#[test]
fn an_existing_file_keeps_its_mode_and_owner() {
    let server = healthy();
    let home = home(&server, "5");
    let dir = out_dir(&home);
    let target = dir.join("latest.json");
    fs::write(&target, "old\n").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    // As root, hand it to another user first: the cron job must not take it over.
    let root = is_root();
    if root {
        std::os::unix::fs::chown(&target, Some(65534), Some(65534)).unwrap();
    }
    let out = run_bounded(&home, &["check", "--json", "-o", target.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        fs::read_to_string(&target)
            .unwrap()
            .contains("\"profile\": \"a\"")
    );
    assert_eq!(mode(&target), 0o600);
    if root {
        let meta = fs::metadata(&target).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    } else {
        eprintln!("note: not root; the owner case is skipped");
    }
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

#[test]
fn a_new_file_gets_0644_less_the_umask() {
    let server = healthy();
    let home = home(&server, "5");
    let dir = out_dir(&home);
    for (umask, want) in [("027", 0o640), ("022", 0o644), ("077", 0o600)] {
        let target = dir.join(format!("umask-{umask}.prom"));
        // The binary under `sh -c 'umask …; exec …'`, with the HOME's environment.
        let mut sh = Command::new("sh");
        for (k, v) in home.cmd().get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        sh.arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(BIN)
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--format", "prometheus", "-o"])
            .arg(&target);
        let out = sh.stdin(Stdio::null()).output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(mode(&target), want, "umask {umask}");
    }
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

#[test]
fn a_symlink_to_a_regular_file_updates_the_file_and_keeps_the_link() {
    let server = healthy();
    let home = home(&server, "5");
    let dir = out_dir(&home);
    let data = home.path().join("data");
    fs::create_dir(&data).unwrap();
    let real = data.join("balance.prom");
    fs::write(&real, "old\n").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("balance.prom");
    // Relative, as `ln -s ../data/balance.prom` makes it.
    std::os::unix::fs::symlink("../data/balance.prom", &link).unwrap();

    let out = run_bounded(
        &home,
        &[
            "check",
            "--format",
            "prometheus",
            "-o",
            link.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(file_type(&link).is_symlink(), "the link stays a link");
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("../data/balance.prom")
    );
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("balance_up{profile=\"a\"")
    );
    assert_eq!(mode(&real), 0o640);
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    assert_eq!(leftovers(&data), Vec::<String>::new());
}

/// SIGINT/SIGTERM while the check runs (the vendor never answers): the process
/// ends at once with 130/143 (Nagios: UNKNOWN, 3), the old file is intact and
/// no temporary file is left.
#[test]
fn a_signal_mid_run_leaves_the_old_file_and_no_temporary_file() {
    let server = Hostile::start(|_| Action::Hang);
    let home = home(&server, "30");
    let dir = out_dir(&home);
    let target = dir.join("balance.prom");
    fs::write(&target, "old\n").unwrap();

    for (signal, format, want) in [
        ("TERM", "prometheus", 143),
        ("INT", "json", 130),
        ("TERM", "nagios", 3),
    ] {
        let hits = server.hits();
        let mut child = home
            .cmd()
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--format", format, "-o"])
            .arg(&target)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The request has reached the vendor: the run is mid-check.
        let start = Instant::now();
        while server.hits() == hits {
            assert!(start.elapsed() < Duration::from_secs(20), "no request");
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = Instant::now();
        let kill = Command::new("sh")
            .args(["-c", &format!("kill -{signal} {}", child.id())])
            .status()
            .unwrap();
        assert!(kill.success());
        let mut status = None;
        while status.is_none() {
            assert!(
                sent.elapsed() < Duration::from_secs(10),
                "SIG{signal} did not end the run"
            );
            std::thread::sleep(Duration::from_millis(10));
            status = child.try_wait().unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(want),
            "SIG{signal} {format}: {:?} {}",
            out.status,
            stderr(&out)
        );
        let said = match signal {
            "INT" => "interrupted: 0 of 1 profiles checked".to_owned(),
            _ => format!("interrupted by SIG{signal}: 0 of 1 profiles checked"),
        };
        if format == "nagios" {
            assert_eq!(stdout(&out), format!("BALANCE UNKNOWN - {said}\n"));
        } else {
            assert_eq!(stderr(&out), format!("balance: {said}\n"));
            assert_eq!(stdout(&out), "", "-o: nothing on stdout");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(leftovers(&dir), Vec::<String>::new(), "SIG{signal}");
    }
}

/// SIGTERM at every moment of a run, swept from start-up to past the end: each
/// run is killed before the handlers exist (nothing created yet), caught (143)
/// or finished (0); never a leftover temporary file, never half a file.
#[test]
fn signals_at_any_moment_leave_no_temporary_file() {
    let body = fixture("8x8", "balance");
    // A vendor that takes 50 ms, so that a good share of the signals land mid-check.
    let server = Hostile::start(move |_| {
        std::thread::sleep(Duration::from_millis(50));
        Action::Respond(hostile::json(200, &body))
    });
    let home = home(&server, "5");
    let dir = out_dir(&home);
    let target = dir.join("balance.json");
    let spawn = || {
        home.cmd()
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--json", "-o"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let start = Instant::now();
    assert!(spawn().wait().unwrap().success());
    let run = start.elapsed();
    let whole = |text: &str| text.trim_end().ends_with(']');
    let mut caught = 0;
    for i in 0..40u32 {
        let mut child = spawn();
        std::thread::sleep(run * 6 / 5 * i / 40);
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -TERM {} 2>/dev/null", child.id())])
            .status();
        let status = child.wait().unwrap();
        assert!(
            matches!(status.code(), None | Some(0) | Some(143)),
            "run {i}: {status:?}"
        );
        caught += usize::from(status.code() == Some(143));
        assert_eq!(leftovers(&dir), Vec::<String>::new(), "run {i}");
        let text = fs::read_to_string(&target).unwrap();
        assert!(whole(&text), "run {i}: {text:?}");
    }
    assert!(
        caught > 0,
        "no signal landed while the handlers were installed"
    );
}

/// Issue 18 item 8: a symlink planted in a shared (1777) directory by another
/// user is never written through, even by root: a root-owned 0600 file
/// elsewhere stays as it was. The user's own link there is followed.
#[test]
fn a_symlink_planted_by_another_user_in_a_shared_directory_is_not_followed() {
    let server = healthy();
    let home = home(&server, "5");
    let shared = home.path().join("tmp");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let precious = home.path().join("precious");
    fs::write(&precious, "keep me\n").unwrap();
    fs::set_permissions(&precious, fs::Permissions::from_mode(0o600)).unwrap();
    let link = shared.join("balance.prom");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    let args = [
        "check",
        "--format",
        "prometheus",
        "-o",
        link.to_str().unwrap(),
    ];

    if is_root() {
        // As `nobody` would have planted it.
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
        let out = run_bounded(&home, &args);
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("is a symbolic link owned by another user (uid 65534)"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&precious).unwrap(), "keep me\n");
        assert!(file_type(&link).is_symlink());
        assert_eq!(leftovers(&shared), Vec::<String>::new());
        assert_eq!(leftovers(home.path()), Vec::<String>::new());
        // The same link, the user's own: followed, as before.
        std::os::unix::fs::lchown(&link, Some(0), Some(0)).unwrap();
    }
    let out = run_bounded(&home, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        fs::read_to_string(&precious)
            .unwrap()
            .contains("balance_up{profile=\"a\"")
    );
}
