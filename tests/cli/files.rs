//! Issue 18 item 1, 2 and 7: every file `balance` reads or writes follows one
//! rule (fsafe): opened without blocking, a regular file of bounded size, no
//! link planted by someone else. Through the real binary, each run bounded so
//! that the old behaviour (a hang, memory without end) fails instead of hanging.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{BIN, Home, Sandbox, code, stderr, stdout};
use crate::watchdog::run_within;

const LIMIT: Duration = Duration::from_secs(10);

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `balance --config CONFIG ARGS` under a 2 GiB address-space limit (reading
/// /dev/zero whole would pass it) and umask 022, killed past `LIMIT`.
fn run(home: &Home, config: &Path, args: &[&str]) -> Output {
    let mut cmd = home.cmd();
    cmd.arg("--config").arg(config).args(args);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o022);
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    run_within(cmd, LIMIT).0
}

fn one_line_config_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 3, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{needle:?} in {err}");
    assert!(stdout(out).is_empty());
}

#[test]
fn a_config_that_is_not_a_bounded_regular_file_is_a_config_error() {
    let home = Home::new();
    let fifo = home.path().join("config.fifo");
    mkfifo(&fifo);
    let out = run(&home, &fifo, &["check"]);
    one_line_config_error(
        &out,
        &format!(
            "config file {} is a FIFO, not a regular file",
            fifo.display()
        ),
    );

    let zero = home.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let out = run(&home, &zero, &["check"]);
    one_line_config_error(&out, "is a character device, not a regular file");

    let out = run(&home, home.path(), &["check"]);
    one_line_config_error(&out, "is a directory, not a regular file");

    let big = home.path().join("big.toml");
    let mut text = "# padding\n".repeat(1024 * 1024 / 10);
    text.push_str("[profiles.a]\nprovider = \"demo\"\n");
    crate::common::write_private(&big, &text);
    let out = run(&home, &big, &["check"]);
    one_line_config_error(
        &out,
        &format!("config file {} is larger than 1 MiB", big.display()),
    );
}

/// A profile on the sandbox, recording into `history`.
fn config(home: &Home, sandbox: &Sandbox, history: &str) -> std::path::PathBuf {
    home.config(&format!(
        "[settings]\ntimeout = 2\nretries = 0\n{history}\n\
         [profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = {{ env = \"IB_KEY\" }}\n",
        sandbox.url("infobip")
    ))
}

fn with_key(mut out: Command) -> Command {
    out.env("IB_KEY", "healthy");
    out
}

#[test]
fn a_store_that_is_a_fifo_costs_one_warning_and_never_blocks() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let off = config(&home, &sandbox, "history = false");
    let mut cmd = with_key(home.cmd());
    cmd.arg("--config")
        .arg(&off)
        .args(["check", "--format", "value"]);
    let (plain, _) = run_within(cmd, LIMIT);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));

    let fifo = home.path().join("history.fifo");
    mkfifo(&fifo);
    let path = config(
        &home,
        &sandbox,
        &format!("history = \"{}\"", fifo.display()),
    );
    let mut cmd = with_key(home.cmd());
    cmd.arg("--config")
        .arg(&path)
        .args(["check", "--format", "value"]);
    let (out, _) = run_within(cmd, LIMIT);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(stdout(&out), stdout(&plain), "output unchanged");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("it is a FIFO, not a regular file"), "{err}");

    for args in [&["history"][..], &["report"][..]] {
        let mut cmd = with_key(home.cmd());
        cmd.arg("--config").arg(&path).args(args);
        let (out, _) = run_within(cmd, LIMIT);
        let err = stderr(&out);
        assert_ne!(code(&out), 0, "{args:?}: {err}");
        assert!(err.contains("is a FIFO"), "{args:?}: {err}");
    }

    let mut cmd = with_key(home.cmd());
    cmd.arg("--config")
        .arg(&off)
        .args(["history", "import"])
        .arg(&fifo);
    let (out, _) = run_within(cmd, LIMIT);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("is a FIFO, not a regular file"), "{err}");
}

/// Issue 18 item 7: the store and its directory are the user's alone whatever
/// the umask, and a reader who may not write (a dashboard user; here `nobody`
/// when the tests run as root) can still read them.
#[test]
fn the_store_is_private_and_readable_without_write_access() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let path = config(&home, &sandbox, "");
    let mut cmd = with_key(home.cmd());
    cmd.arg("--config")
        .arg(&path)
        .args(["check", "--format", "value"]);
    // SAFETY: umask only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    let (out, _) = run_within(cmd, LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let store = home.history_path();
    let dir = store.parent().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o7777;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    assert_eq!(mode(&store), 0o600);
    for side in ["-wal", "-shm"] {
        let p = store.with_file_name(format!("history.sqlite3{side}"));
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }

    // Shared read-only, as an operator would for a dashboard user.
    let set = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    set(&store, 0o444).unwrap();
    set(dir, 0o555).unwrap();
    for d in [home.path(), &home.path().join("data")] {
        set(d, 0o755).unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    // The binary where `nobody` may run it: the checkout may sit in a
    // directory only root can enter (/root/...).
    let bin_dir = tempfile::tempdir().unwrap();
    let mut cmd = if is_root() {
        let bin = bin_dir.path().join("balance");
        std::fs::copy(BIN, &bin).unwrap();
        set(bin_dir.path(), 0o755).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin);
        c.env_clear()
            .envs(home.cmd().get_envs().filter_map(|(k, v)| Some((k, v?))));
        c
    } else {
        home.cmd()
    };
    cmd.env("IB_KEY", "healthy")
        .arg("--config")
        .arg(&path)
        .args(["history", "--format", "csv"]);
    let (out, _) = run_within(cmd, LIMIT);
    set(dir, 0o700).unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(stdout(&out).contains(",ib,infobip,ok,"), "{}", stdout(&out));
}
