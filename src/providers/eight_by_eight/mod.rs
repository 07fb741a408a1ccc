//! 8x8 CPaaS: `GET {base}/api/v1/accounts/{account_id}/balance` with a Bearer key.

use crate::error::ErrorKind::NotPrepaid;
use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "8x8",
    aliases: &[],
    about: "8x8 CPaaS (SMS API)",
    keys: &[
        KeySpec::text("account_id", "account id (UUID, with or without dashes)")
            .required()
            .check(account_id, "0b5c7e4a-1f3d-4c8e-9a6b-2d7f1e3c5a90")
            .cases(
                &[
                    "0123456789abcdef0123456789ABCDEF",
                    "01234567-89ab-cdef-0123-456789abcdef",
                    "01234567-89abcdef-0123456789abcdef",
                ],
                &[
                    "01234567-89ab-cdef-0123-456789abcde",
                    "01234567--89ab-cdef-0123-456789abcdef",
                    "0123456789abcdef0123456789abcdeg",
                    "my-account",
                    "",
                ],
            ),
        KeySpec::secret("api_key", "API key, sent as `Authorization: Bearer`").required(),
        KeySpec::choice(
            "region",
            &["ap", "us", "eu", "id"],
            "ap (default), us, eu or id; or set base_url",
        ),
    ],
    rules: &[Rule::NotBoth("region", "base_url")],
    // The account lives in one region; each region has its own host.
    base_url: BaseUrl::ByKey {
        key: "region",
        urls: &[
            ("ap", "https://sms.8x8.com"),
            ("us", "https://sms.us.8x8.com"),
            ("eu", "https://sms.8x8.uk"),
            ("id", "https://sms.8x8.id"),
        ],
        default: Some("https://sms.8x8.com"),
    },
    build: Build::Described(|| {
        Description::get("/api/v1/accounts/{account_id}/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/balance")
            .currency("/currency")
            .error_code("/code")
            .error_message("/message")
            // The balance resource is for prepaid customers only.
            .codes(NotPrepaid, &["1201"])
    }),
    fixtures: crate::fixtures!("eight_by_eight"),
};

/// `^[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}$`, as 8x8's OpenAPI says.
fn account_id(id: &str) -> Result<(), String> {
    let mut rest = id.as_bytes();
    for (i, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        let valid = rest
            .split_at_checked(len)
            .filter(|(group, _)| group.iter().all(u8::is_ascii_hexdigit));
        let Some((_, tail)) = valid else {
            return Err("is not an 8x8 account id (32 hex digits, dashes optional)".into());
        };
        rest = if i < 4 {
            tail.strip_prefix(b"-").unwrap_or(tail)
        } else {
            tail
        };
    }
    if rest.is_empty() {
        Ok(())
    } else {
        Err("is not an 8x8 account id (32 hex digits, dashes optional)".into())
    }
}
