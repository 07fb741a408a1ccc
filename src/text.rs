//! The one gate for text that did not come from the program itself (vendor
//! messages, codes, currencies, config values, names, paths) on its way to an
//! output or to stderr.
//!
//! What passes is one trimmed line without control characters: a run of
//! whitespace and C0/C1/DEL controls becomes one space (so `a\x1b[2Jb` reads
//! `a [2Jb`: the sequence is defused, and what is left shows that something was
//! there); Unicode bidi controls, which can make a terminal line read
//! differently from its bytes, are dropped. Over the bound it is cut and ends in `…`.

use crate::redact;

/// The bound for one field of a result (a message, a code, a currency): wide
/// enough for our own longest message, a config error listing every provider,
/// which a table wraps rather than cuts.
pub const LINE_CHARS: usize = 1000;

/// `text` as one safe line of at most `max_chars` characters plus a closing `…`.
pub fn gate(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4 + 3));
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = count > 0;
            continue;
        }
        if is_bidi_control(c) {
            continue;
        }
        let needed = usize::from(pending_space) + 1;
        if count + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    out
}

/// `gate` with the bound for one field of a result.
pub fn line(text: &str) -> String {
    gate(text, LINE_CHARS)
}

/// Secrets removed from the whole text first, then gated: the order matters, a
/// secret cut in half by the bound would no longer be recognised.
pub fn clean(text: &str, max_chars: usize) -> String {
    let once = gate(&redact::scrub(text), max_chars);
    // Dropping controls can join the pieces of a secret a vendor split apart.
    let twice = redact::scrub(&once);
    if twice == once {
        once
    } else {
        gate(&twice, max_chars)
    }
}

/// Embeddings, overrides, isolates and the implicit marks (U+061C, U+200E, U+200F).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_whitespace_runs_become_one_space() {
        assert_eq!(gate("  Bad\nkey\t x \r\n", 100), "Bad key x");
        assert_eq!(
            gate("\u{1b}[2J\u{1b}]0;PWNED\u{7}x\nBALANCE OK", 100),
            "[2J ]0;PWNED x BALANCE OK"
        );
        assert_eq!(gate("a\u{7f}b\u{85}c\u{9b}d", 100), "a b c d");
        assert_eq!(gate("\u{1b}[31mEUR", 100), "[31mEUR");
        assert_eq!(gate("\u{2028}x\u{2029}", 100), "x");
        assert_eq!(gate("", 100), "");
        assert_eq!(gate("\n\t\u{1b}", 100), "");
    }

    #[test]
    fn bidi_controls_are_dropped() {
        assert_eq!(gate("abc\u{202E}fdp.exe", 100), "abcfdp.exe");
        assert_eq!(gate("\u{2066}x\u{2069}\u{200F}y\u{061C}", 100), "xy");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(gate("abcdef", 6), "abcdef");
        assert_eq!(gate("abcdefg", 6), "abcdef…");
        assert_eq!(gate("abc def", 4), "abc…");
        assert_eq!(gate("ééééé", 3), "ééé…");
        assert_eq!(line(&"x".repeat(5000)).chars().count(), LINE_CHARS + 1);
    }

    proptest::proptest! {
        /// Anything at all comes out as one bounded line without controls.
        #[test]
        fn any_text_is_one_safe_line(text in "\\PC{0,40}|(.|\\n|\\r|\\t|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}]){0,300}", max in 1usize..250) {
            let out = gate(&text, max);
            proptest::prop_assert!(out.chars().count() <= max + 1, "{out:?}");
            proptest::prop_assert!(!out.chars().any(|c| c.is_control() || is_bidi_control(c)), "{out:?}");
            proptest::prop_assert!(out.lines().count() <= 1, "{out:?}");
            proptest::prop_assert_eq!(out.trim(), &out);
            // Gating twice changes nothing more (short of the ellipsis itself).
            if out.chars().count() <= max {
                proptest::prop_assert_eq!(gate(&out, max), out.clone());
            }
        }
    }
}
