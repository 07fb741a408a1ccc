//! Every secret value the run has seen (config secrets, tokens, and what the run
//! itself sent that holds one), so that no line of output can carry one, in any
//! encoding a vendor might echo it back in.
//!
//! Process-wide rather than per check: stderr lines (`-v`, top-level errors) have
//! no check to ask. The encodings are worked out once, at registration, because
//! `scrub` runs on every line.
//!
//! Names are never redacted (issue 17 item 8): profile and provider names are
//! registered too, and `scrub` copies a whole name as written unless a longer
//! secret form starts at the same place. So a credential that is a short word
//! inside a name (`healthy` in `sg-healthy`) leaves the name alone, while a
//! secret that merely starts with a name is still removed whole. Secrets shorter
//! than `SAFE_CHARS` are removed as whole tokens only (not inside a longer
//! word), where a substring rule would blank out ordinary words; longer ones
//! anywhere. Values under `MIN_CHARS` are not credentials and are left alone.

use std::collections::BTreeSet;
use std::sync::{RwLock, RwLockReadGuard};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};

const REDACTED: &str = "[redacted]";

/// Secrets at least this long are removed wherever they appear; shorter ones
/// only as a whole token. Real keys are longer.
const SAFE_CHARS: usize = 8;

/// Shorter values are no credential and cannot be told from the program's own
/// words (`ok`, `low`): they are not scrubbed at all.
const MIN_CHARS: usize = 4;

struct Forms {
    /// The forms removed anywhere, end to end in one buffer. A secret has up to
    /// twenty forms and a run of 5,000 profiles as many secrets: a string and a
    /// map entry each came to 6 MiB, a third of that run's heap.
    text: Option<SecretBox<Vec<u8>>>,
    /// Where each form is in `text`, sorted by its first four bytes and then
    /// longest first, so that `scrub` looks at each position of a line once
    /// instead of searching it for every form.
    anywhere: Vec<Span>,
    /// Forms were added since `anywhere` was sorted: the next `scrub` sorts.
    unsorted: bool,
    /// Forms of short secrets, removed only between non-alphanumerics.
    tokens: Vec<SecretString>,
    /// Profile and provider names, printed as written.
    names: BTreeSet<String>,
}

/// One form: its first four bytes, and where it is in `Forms::text`.
#[derive(Clone, Copy)]
struct Span {
    key: [u8; 4],
    start: u32,
    len: u32,
}

static FORMS: RwLock<Forms> = RwLock::new(Forms {
    text: None,
    anywhere: Vec::new(),
    unsorted: false,
    tokens: Vec::new(),
    names: BTreeSet::new(),
});

/// The forms, sorted for `scrub`.
fn sorted_forms() -> RwLockReadGuard<'static, Forms> {
    let forms = FORMS.read().unwrap_or_else(|e| e.into_inner());
    if !forms.unsorted {
        return forms;
    }
    drop(forms);
    FORMS.write().unwrap_or_else(|e| e.into_inner()).sort();
    FORMS.read().unwrap_or_else(|e| e.into_inner())
}

/// A secret value: from now on `scrub` removes it raw, base64-, percent-, form-
/// and JSON-encoded, and inside the base64 of any text that holds it.
pub fn register(secret: &SecretString) {
    let value = secret.expose_secret();
    if value.chars().count() < MIN_CHARS {
        return;
    }
    let long = value.chars().count() >= SAFE_CHARS;
    let mut forms = vec![value.to_owned()];
    forms.extend(base64_forms(value));
    let urls = url_forms(value);
    if long {
        // The base64 of a form body, a JSON document or a header that holds the
        // secret (encoded or not) holds one of these, whatever surrounds it.
        for text in std::iter::once(value).chain(urls.iter().map(String::as_str)) {
            forms.extend(base64_cores(text.as_bytes()));
        }
    }
    forms.extend(urls);
    forms.extend(json_forms(value));
    add(forms, long);
}

/// HTTP Basic credentials: the password, and the base64 of `user:password` that
/// the `Authorization` header carries.
pub fn register_basic(user: &str, secret: &SecretString) {
    register(secret);
    if secret.expose_secret().is_empty() {
        return;
    }
    let pair = format!("{user}:{}", secret.expose_secret());
    if secret.expose_secret().chars().count() < MIN_CHARS {
        return;
    }
    let long = pair.chars().count() >= SAFE_CHARS;
    add(base64_forms(&pair), long);
}

/// Text the run itself sent (a form body it built for a token endpoint): when
/// it holds a registered secret in any form, its base64 is removed too, as a
/// vendor echoing the whole body back encoded would show it.
pub fn register_sent(text: &str) {
    if scrub(text) != text {
        add(base64_forms(text), true);
    }
}

/// A profile or provider name: never rewritten by `scrub`.
pub fn register_name(name: &str) {
    if name.is_empty() {
        return;
    }
    let mut forms = FORMS.write().unwrap_or_else(|e| e.into_inner());
    if !forms.names.contains(name) {
        forms.names.insert(name.to_owned());
    }
}

/// `text` with every registered form replaced by `[redacted]`; leftmost match
/// first, the longest form at a position wins, and a registered name at least
/// as long as the secret form there is kept as written.
pub fn scrub(text: &str) -> String {
    let forms = sorted_forms();
    if forms.anywhere.is_empty() && forms.tokens.is_empty() {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let secret = forms.secret_at(bytes, i);
        let name = forms.name_at(bytes, i);
        if name > 0 && name >= secret {
            // Names are made of ASCII, so the span ends on a char boundary.
            out.push_str(&text[i..i + name]);
            i += name;
        } else if secret > 0 {
            // Forms are whole UTF-8 strings, so a match starting on a char
            // boundary also ends on one.
            out.push_str(REDACTED);
            i += secret;
        } else {
            let c = text[i..].chars().next().expect("i is a char boundary");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

impl Forms {
    fn form(&self, span: &Span) -> &[u8] {
        let text = self.text.as_ref().map_or(&[][..], |t| t.expose_secret());
        &text[span.start as usize..(span.start + span.len) as usize]
    }

    /// `anywhere` sorted by first four bytes and longest first, each form
    /// once, and `text` holding only those forms.
    fn sort(&mut self) {
        let mut spans = std::mem::take(&mut self.anywhere);
        spans.sort_by(|a, b| {
            (a.key, std::cmp::Reverse(a.len), self.form(a)).cmp(&(
                b.key,
                std::cmp::Reverse(b.len),
                self.form(b),
            ))
        });
        spans.dedup_by(|a, b| self.form(a) == self.form(b));
        let mut text = Vec::with_capacity(spans.iter().map(|s| s.len as usize).sum());
        for span in &mut spans {
            let start = text.len() as u32;
            text.extend_from_slice(self.form(span));
            span.start = start;
        }
        // The old buffer is zeroed as it is dropped.
        self.text = Some(SecretBox::new(Box::new(text)));
        self.anywhere = spans;
        self.unsorted = false;
    }

    /// Appends `form` to `text`, moving it to a buffer twice the size when
    /// full (the old one zeroed), so that no copy of a secret is left behind.
    fn push(&mut self, form: &[u8]) {
        let Some(key) = form.get(..4) else {
            return;
        };
        let text = self
            .text
            .get_or_insert_with(|| SecretBox::new(Box::new(Vec::with_capacity(4096))));
        if text.expose_secret().len() + form.len() > text.expose_secret().capacity() {
            let old = text.expose_secret();
            let mut grown = Vec::with_capacity((old.capacity() * 2).max(old.len() + form.len()));
            grown.extend_from_slice(old);
            *text = SecretBox::new(Box::new(grown));
        }
        let buffer = text.expose_secret_mut();
        let start = buffer.len() as u32;
        buffer.extend_from_slice(form);
        self.anywhere.push(Span {
            key: <[u8; 4]>::try_from(key).expect("four bytes"),
            start,
            len: form.len() as u32,
        });
        self.unsorted = true;
    }

    /// The length of the longest secret form starting at `i`, or 0.
    fn secret_at(&self, bytes: &[u8], i: usize) -> usize {
        let rest = &bytes[i..];
        let mut best = bytes
            .get(i..i + 4)
            .and_then(|k| {
                let k = <[u8; 4]>::try_from(k).expect("four bytes");
                let from = self.anywhere.partition_point(|s| s.key < k);
                let to = from + self.anywhere[from..].partition_point(|s| s.key == k);
                self.anywhere[from..to]
                    .iter()
                    .map(|s| self.form(s))
                    .find(|f| rest.starts_with(f))
                    .map(<[u8]>::len)
            })
            .unwrap_or(0);
        if !self.tokens.is_empty() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            for form in &self.tokens {
                let form = form.expose_secret().as_bytes();
                if form.len() > best
                    && rest.starts_with(form)
                    && rest
                        .get(form.len())
                        .is_none_or(|b| !b.is_ascii_alphanumeric())
                {
                    best = form.len();
                }
            }
        }
        best
    }

    /// The length of a registered name standing whole at `i` (not part of a
    /// longer identifier; a sentence's closing dot may follow), or 0.
    fn name_at(&self, bytes: &[u8], i: usize) -> usize {
        let in_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
        if self.names.is_empty() || (i > 0 && in_name(&bytes[i - 1])) {
            return 0;
        }
        let run = bytes[i..].iter().take_while(|b| in_name(b)).count();
        let mut end = run;
        loop {
            let word = std::str::from_utf8(&bytes[i..i + end]).expect("ASCII");
            if end > 0 && self.names.contains(word) {
                return end;
            }
            if end == 0 || bytes[i + end - 1] != b'.' {
                return 0;
            }
            end -= 1;
        }
    }
}

fn add(mut forms: Vec<String>, anywhere: bool) {
    // Most forms of a plain key are the key itself (its URL and JSON forms):
    // each is stored once. Repeats across secrets go at the next sort.
    forms.sort_unstable();
    forms.dedup();
    let mut map = FORMS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !anywhere {
            if !form.is_empty() && !map.tokens.iter().any(|f| f.expose_secret() == form) {
                map.tokens.push(form.into());
            }
            continue;
        }
        map.push(form.as_bytes());
        // The String held a copy of the secret: zeroed as the SecretString drops.
        drop(SecretString::from(form));
    }
}

/// The base64 characters that depend on `value`'s bytes alone, at each of the
/// three alignments it can have inside a longer text, in both alphabets: what
/// any base64 of a text holding `value` contains.
fn base64_cores(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for k in 0..3 {
        let mut stream = vec![0u8; k];
        stream.extend_from_slice(value);
        let encoded = STANDARD_NO_PAD.encode(&stream);
        // Character j holds bits [6j, 6j + 6): wholly the value's from the first
        // j with 6j >= 8k, up to the last with 6j + 6 <= 8(k + n).
        let from = (8 * k).div_ceil(6);
        let to = (8 * (k + value.len())) / 6;
        if to <= from + 4 {
            continue;
        }
        let core = &encoded[from..to];
        out.push(core.to_owned());
        out.push(core.replace('+', "-").replace('/', "_"));
    }
    out
}

fn base64_forms(value: &str) -> Vec<String> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .map(|engine| engine.encode(value))
        .collect()
}

/// Percent-encodings as the common encoders write them, each in either case of
/// hex: which characters besides ASCII letters and digits they leave alone, and
/// whether a space is `+` (form encoding) or `%20`.
const URL_ENCODERS: &[(&str, bool)] = &[
    // RFC 3986 (PHP rawurlencode, Python quote(safe=''), Go PathEscape).
    ("-._~", false),
    // Python quote() with its default safe '/'.
    ("-._~/", false),
    // Python quote_plus, Go url.QueryEscape.
    ("-._~", true),
    // application/x-www-form-urlencoded as WHATWG, Java URLEncoder and the url crate write it.
    ("-._*", true),
    // PHP urlencode (`~` as %7E, `*` as %2A).
    ("-._", true),
    // JavaScript encodeURIComponent.
    ("-._~!'()*", false),
    // JavaScript encodeURI.
    ("-._~!'()*;,/?:@&=+$#", false),
];

fn url_forms(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (keep, plus) in URL_ENCODERS {
        let mut upper = String::new();
        for b in value.bytes() {
            if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) {
                upper.push(char::from(b));
            } else if b == b' ' && *plus {
                upper.push('+');
            } else {
                upper.push_str(&format!("%{b:02X}"));
            }
        }
        let lower = lower_hex(&upper);
        for form in [upper, lower] {
            if !out.contains(&form) {
                out.push(form);
            }
        }
    }
    out
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
    fn short_values_go_as_whole_tokens_only() {
        register(&secret("RX3w"));
        assert_eq!(scrub("RX3w stays?"), "[redacted] stays?");
        assert_eq!(scrub("key=RX3w&x"), "key=[redacted]&x");
        assert_eq!(scrub("xRX3w RX3wy RX3wRX3w"), "xRX3w RX3wy RX3wRX3w");
        // Under four characters, no credential: the program's own words stay.
        register(&secret("low"));
        assert_eq!(scrub("ib: low: min 10"), "ib: low: min 10");
        assert_eq!(scrub("héllo wörld"), "héllo wörld");
        assert_eq!(scrub(""), "");
    }

    /// What real encoders make of a marker secret holding a space and the
    /// characters they disagree on: Python 3 `quote`/`quote_plus`, JavaScript
    /// `encodeURIComponent` and `URLSearchParams` (node), Java
    /// `URLEncoder.encode(s, "UTF-8")` (run in the shell), and PHP
    /// `urlencode`/`rawurlencode` and Go `url.QueryEscape` as their manuals
    /// define them (PHP: `~` and `*` encoded; Go: `~` kept, space `+`).
    const ENCODED: &[(&str, &str)] = &[
        ("python quote", "RX%20sp%21%27%28%29%2A~%2B/%3D%26%C3%BC"),
        (
            "python quote safe=''",
            "RX%20sp%21%27%28%29%2A~%2B%2F%3D%26%C3%BC",
        ),
        (
            "python quote_plus",
            "RX+sp%21%27%28%29%2A~%2B%2F%3D%26%C3%BC",
        ),
        ("js encodeURIComponent", "RX%20sp!'()*~%2B%2F%3D%26%C3%BC"),
        (
            "js URLSearchParams",
            "RX+sp%21%27%28%29*%7E%2B%2F%3D%26%C3%BC",
        ),
        ("java URLEncoder", "RX+sp%21%27%28%29*%7E%2B%2F%3D%26%C3%BC"),
        ("php urlencode", "RX+sp%21%27%28%29%2A%7E%2B%2F%3D%26%C3%BC"),
        (
            "php rawurlencode",
            "RX%20sp%21%27%28%29%2A~%2B%2F%3D%26%C3%BC",
        ),
        ("go QueryEscape", "RX+sp%21%27%28%29%2A~%2B%2F%3D%26%C3%BC"),
    ];

    #[test]
    fn every_encoder_in_the_table_is_removed() {
        register(&secret("RX sp!'()*~+/=&ü"));
        for (encoder, form) in ENCODED {
            let text = format!("password={form}&next=1");
            assert_eq!(scrub(&text), "password=[redacted]&next=1", "{encoder}");
            let lower = lower_hex(form);
            assert_eq!(
                scrub(&format!("p={lower}")),
                "p=[redacted]",
                "{encoder} in lower-case hex"
            );
        }
    }

    #[test]
    fn base64_of_any_text_holding_the_secret_is_removed() {
        let value = "RX-b64-k3y-9 z";
        register(&secret(value));
        for prefix in ["", "a", "ab", "username=admin&password="] {
            for secret_form in [value.to_owned(), "RX-b64-k3y-9+z".to_owned()] {
                let body = format!("{prefix}{secret_form}&grant=1");
                for engine in [STANDARD, URL_SAFE_NO_PAD] {
                    let b64 = engine.encode(&body);
                    let out = scrub(&format!("echo {b64} end"));
                    assert!(out.contains("[redacted]"), "{body}: {out}");
                    // Nothing decodes back to the secret from what is left.
                    for piece in out.split("[redacted]") {
                        let piece = piece.trim_start_matches("echo ").trim_end_matches(" end");
                        if let Ok(bytes) = engine.decode(piece) {
                            assert!(!String::from_utf8_lossy(&bytes).contains(value));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_body_the_run_sent_is_removed_base64_encoded() {
        register(&secret("RX-sent-pw-77"));
        let body = "username=u&password=RX-sent-pw-77";
        register_sent(body);
        let b64 = STANDARD.encode(body);
        assert_eq!(scrub(&format!("<{b64}>")), "<[redacted]>");
        // Text without a secret is not registered.
        register_sent("nothing=here-at-all");
        let plain = STANDARD.encode("nothing=here-at-all");
        assert_eq!(scrub(&plain), plain);
    }

    #[test]
    fn names_are_printed_as_written() {
        register_name("sg-hxalthy");
        register_name("eu-RXlongsecret9");
        register_name("sg");
        register(&secret("hxalthy"));
        register(&secret("RXlongsecret9"));
        register(&secret("sg-RXlong-secret"));
        assert_eq!(
            scrub("sg-hxalthy: not finished within the 3s deadline"),
            "sg-hxalthy: not finished within the 3s deadline"
        );
        assert_eq!(scrub("profile sg-hxalthy."), "profile sg-hxalthy.");
        assert_eq!(scrub("key hxalthy rejected"), "key [redacted] rejected");
        assert_eq!(scrub("eu-RXlongsecret9 ok"), "eu-RXlongsecret9 ok");
        assert_eq!(scrub("x-RXlongsecret9"), "x-[redacted]");
        // A secret longer than the name at the same place is still removed.
        assert_eq!(scrub("sg-RXlong-secret!"), "[redacted]!");
        assert_eq!(scrub("sg: ok"), "sg: ok");
    }

    #[test]
    fn longest_form_wins_and_repeats_are_removed() {
        register(&secret("RX-long-9"));
        // The padded base64 is removed whole, not its unpadded prefix plus `=`.
        let text = format!("{0}{0} {1}", "RX-long-9", STANDARD.encode("RX-long-9"));
        assert_eq!(scrub(&text), "[redacted][redacted] [redacted]");
    }

    proptest::proptest! {
        /// A registered value of a safe length is gone from any text it is put
        /// into, at any place.
        #[test]
        fn registered_value_never_survives(
            // A prefix of its own keeps these values out of the other tests' text.
            value in "PT-[!-~]{5,24}",
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
