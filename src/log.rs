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

/// One line on stderr, prefixed `balance: `, secrets removed and control
/// characters gone. Unlike `eprintln!`, a closed or full stderr is ignored
/// rather than a panic.
pub fn line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let text = crate::text::clean(&args.to_string(), LINE_CHARS);
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
