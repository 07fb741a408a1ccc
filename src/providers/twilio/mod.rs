//! Twilio: `GET {base}/2010-04-01/Accounts/{account_sid}/Balance.json`, HTTP Basic.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "twilio",
    aliases: &[],
    about: "Twilio (Programmable Messaging / Voice)",
    keys: &[
        KeySpec::text(
            "account_sid",
            "account SID (AC + 32 hex digits); also in the path",
        )
        .required()
        .check(account_sid, "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .cases(
            &[
                "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "AC0123456789ABCDEF0123456789abcdef",
            ],
            &[
                "SK0123456789abcdef0123456789abcdef",
                "AC0123456789abcdef0123456789abcde",
                "AC0123456789abcdef0123456789abcdeg",
                "ac0123456789abcdef0123456789abcdef",
                "AC",
            ],
        ),
        KeySpec::secret("auth_token", "auth token (HTTP Basic with account_sid)"),
        KeySpec::text("api_key_sid", "API key SID (SK…), with api_key_secret"),
        KeySpec::secret(
            "api_key_secret",
            "API key secret (HTTP Basic with api_key_sid)",
        ),
    ],
    rules: &[Rule::OneOf(&[
        &["auth_token"],
        &["api_key_sid", "api_key_secret"],
    ])],
    // Whether Balance answers on regional hosts is unconfirmed: no `region`.
    base_url: BaseUrl::Default("https://api.twilio.com"),
    build: Build::Described(|| {
        Description::get("/2010-04-01/Accounts/{account_sid}/Balance.json")
            .json()
            .auth(Auth::basic("account_sid", "auth_token"))
            .auth(Auth::basic("api_key_sid", "api_key_secret"))
            // A decimal string; a null `currency` leaves the profile's.
            .balance("/balance")
            .currency("/currency")
            .error_code("/code")
            .error_message("/message")
            .codes(ErrorKind::Auth, &["20003"])
            // "Child accounts do not contain balance information" (spec).
            .codes(ErrorKind::NotPrepaid, &["20404"])
            .codes(ErrorKind::RateLimited, &["20429"])
            .no_subaccount_balances(
                "subaccounts have no balance of their own (Twilio's API reference: \"Child accounts do not contain balance information\"); their spending is the parent account's, which this profile checks",
            )
    }),
    fixtures: crate::fixtures!("twilio"),
};

/// `^AC[0-9a-fA-F]{32}$`.
fn account_sid(sid: &str) -> Result<(), String> {
    match sid.strip_prefix("AC") {
        Some(hex) if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(()),
        _ => Err("is not a Twilio account SID (AC followed by 32 hex digits)".into()),
    }
}
