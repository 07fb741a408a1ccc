//! Every secret value the run has seen (config secrets, tokens), so that no line
//! of output can carry one, in any encoding a vendor might echo it back in.
//!
//! Process-wide rather than per check: stderr lines (`-v`, top-level errors) have
//! no check to ask. The encodings are worked out once, at registration, because
//! `scrub` runs on every line.

use std::collections::BTreeMap;
use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};

const REDACTED: &str = "[redacted]";

/// Shorter values would blank out ordinary words; real keys are longer.
const MIN_CHARS: usize = 4;

/// Every form to remove, keyed by its first four bytes: `scrub` looks at each
/// position of a line once instead of searching the line for every form.
static FORMS: RwLock<BTreeMap<[u8; 4], Vec<SecretString>>> = RwLock::new(BTreeMap::new());

/// A secret value: from now on `scrub` removes it raw, base64-, percent-, form-
/// and JSON-encoded.
pub fn register(secret: &SecretString) {
    let value = secret.expose_secret();
    if value.chars().count() < MIN_CHARS {
        return;
    }
    let mut forms = vec![value.to_owned()];
    forms.extend(base64_forms(value));
    forms.extend(url_forms(value));
    forms.extend(json_forms(value));
    add(forms);
}

/// HTTP Basic credentials: the password, and the base64 of `user:password` that
/// the `Authorization` header carries.
pub fn register_basic(user: &str, secret: &SecretString) {
    register(secret);
    if secret.expose_secret().is_empty() {
        return;
    }
    add(base64_forms(&format!("{user}:{}", secret.expose_secret())));
}

/// `text` with every registered form replaced by `[redacted]`; leftmost match
/// first, the longest form at a position wins.
pub fn scrub(text: &str) -> String {
    let forms = FORMS.read().unwrap_or_else(|e| e.into_inner());
    if forms.is_empty() {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < text.len() {
        if let Some(candidates) = bytes
            .get(i..i + 4)
            .and_then(|k| forms.get(&<[u8; 4]>::try_from(k).expect("four bytes")))
        {
            for form in candidates {
                let form = form.expose_secret();
                // Forms are whole UTF-8 strings, so a match starting on a char
                // boundary also ends on one.
                if bytes[i..].starts_with(form.as_bytes()) {
                    out.push_str(REDACTED);
                    i += form.len();
                    continue 'scan;
                }
            }
        }
        let c = text[i..].chars().next().expect("i is a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn add(forms: Vec<String>) {
    let mut map = FORMS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        let Some(key) = form.as_bytes().get(..4) else {
            continue;
        };
        let bucket = map
            .entry(<[u8; 4]>::try_from(key).expect("four bytes"))
            .or_default();
        if bucket.iter().any(|f| f.expose_secret() == form) {
            continue;
        }
        bucket.push(form.into());
        bucket.sort_by_key(|f| std::cmp::Reverse(f.expose_secret().len()));
    }
}

fn base64_forms(value: &str) -> Vec<String> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .map(|engine| engine.encode(value))
        .collect()
}

/// RFC 3986 percent-encoding of everything but the unreserved characters, in
/// either case of hex; and `application/x-www-form-urlencoded` (`+` for space),
/// as the `url` crate and most form encoders write it.
fn url_forms(value: &str) -> Vec<String> {
    let mut upper = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            upper.push(char::from(b));
        } else {
            upper.push_str(&format!("%{b:02X}"));
        }
    }
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let lower = lower_hex(&upper);
    let form_lower = lower_hex(&form);
    vec![upper, lower, form, form_lower]
}

/// `%2F` → `%2f`, leaving the rest alone.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            out.push(c);
            if c == '%' {
                hex_left = 2;
            }
        }
    }
    out
}

/// Inside a JSON string: serde_json's escaping, with `/` escaped too (PHP's
/// default), and with everything beyond ASCII as `\uXXXX` (Python's default).
fn json_forms(value: &str) -> Vec<String> {
    let quoted = serde_json::to_string(value).expect("a string serialises");
    let plain = quoted[1..quoted.len() - 1].to_owned();
    let slashes = plain.replace('/', "\\/");
    let ascii = |text: &str| {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        out
    };
    vec![ascii(&plain), ascii(&slashes), plain, slashes]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        text.to_owned().into()
    }

    #[test]
    fn every_encoding_is_removed() {
        let value = "RX-unit-k3y+/= &ü";
        register(&secret(value));
        let encoded = [
            value.to_owned(),
            STANDARD.encode(value),
            STANDARD_NO_PAD.encode(value),
            URL_SAFE.encode(value),
            URL_SAFE_NO_PAD.encode(value),
            "RX-unit-k3y%2B%2F%3D%20%26%C3%BC".to_owned(),
            "RX-unit-k3y%2b%2f%3d%20%26%c3%bc".to_owned(),
            "RX-unit-k3y%2B%2F%3D+%26%C3%BC".to_owned(),
            "RX-unit-k3y%2b%2f%3d+%26%c3%bc".to_owned(),
            "RX-unit-k3y+\\/= &ü".to_owned(),
            "RX-unit-k3y+/= &\\u00fc".to_owned(),
            "RX-unit-k3y+\\/= &\\u00fc".to_owned(),
        ];
        for form in encoded {
            let text = format!("before {form} after");
            assert_eq!(scrub(&text), "before [redacted] after", "{form}");
        }
    }

    #[test]
    fn basic_credentials_are_removed_as_the_header_carries_them() {
        register_basic("unit-user", &secret("RX-basic-pw-2b"));
        let header = format!("Basic {}", STANDARD.encode("unit-user:RX-basic-pw-2b"));
        assert_eq!(scrub(&header), "Basic [redacted]");
        assert_eq!(scrub("pw RX-basic-pw-2b"), "pw [redacted]");
    }

    #[test]
    fn short_values_and_unknown_text_pass() {
        register(&secret("RX3"));
        assert_eq!(scrub("RX3 stays"), "RX3 stays");
        assert_eq!(scrub("héllo wörld"), "héllo wörld");
        assert_eq!(scrub(""), "");
    }

    #[test]
    fn longest_form_wins_and_repeats_are_removed() {
        register(&secret("RX-long-9"));
        // The padded base64 is removed whole, not its unpadded prefix plus `=`.
        let text = format!("{0}{0} {1}", "RX-long-9", STANDARD.encode("RX-long-9"));
        assert_eq!(scrub(&text), "[redacted][redacted] [redacted]");
    }

    proptest::proptest! {
        /// A registered value is gone from any text it is put into, at any place.
        #[test]
        fn registered_value_never_survives(
            // A prefix of its own keeps these values out of the other tests' text.
            value in "PT-[!-~]{1,24}",
            before in "\\PC{0,40}",
            after in "\\PC{0,40}",
        ) {
            register(&secret(&value));
            let out = scrub(&format!("{before}{value}{after}"));
            proptest::prop_assert!(!out.contains(&value), "{out:?}");
            let b64 = STANDARD.encode(&value);
            let out = scrub(&format!("{before}{b64}{after}"));
            proptest::prop_assert!(!out.contains(&b64), "{out:?}");
        }
    }
}
