//! Diagnostics on stderr for `-v`/`-vv`. Callers pass only what is safe to print:
//! methods, URLs (which never carry credentials), statuses, timings. Every line
//! still passes `text::clean`: an error quoted into one may carry vendor text.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(0);

pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

pub fn enabled(level: u8) -> bool {
    LEVEL.load(Ordering::Relaxed) >= level
}

/// Longer than a result's field: a line here may quote a whole error message.
const LINE_CHARS: usize = 1000;

tokio::task_local! {
    /// The profile whose check is being polled: concurrent checks interleave
    /// their lines, so each line says whose it is.
    static PROFILE: String;
}

/// Runs `check` with its lines prefixed by `profile`'s name.
pub async fn for_profile<F: std::future::Future>(profile: &str, check: F) -> F::Output {
    PROFILE.scope(profile.to_owned(), check).await
}

/// One line on stderr, prefixed `balance: ` (and the profile's name inside
/// `for_profile`), secrets removed and control characters gone. Unlike
/// `eprintln!`, a closed or full stderr is ignored rather than a panic.
pub fn line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let text = PROFILE
        .try_with(|profile| format!("{profile}: {args}"))
        .unwrap_or_else(|_| args.to_string());
    let text = crate::text::clean(&text, LINE_CHARS);
    let _ = writeln!(std::io::stderr().lock(), "balance: {text}");
}

/// `debug!(1, "…")` prints at `-v` and above, `debug!(2, "…")` at `-vv`.
#[macro_export]
macro_rules! debug {
    ($level:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::line(format_args!($($arg)*));
        }
    };
}
