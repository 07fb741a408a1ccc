//! Textlocal: `POST {base}/balance/` with the API key as a form field; the
//! balance is SMS credits.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "textlocal",
    aliases: &[],
    about: "Textlocal (UK api.txtlocal.com, India api.textlocal.in)",
    keys: &[
        KeySpec::secret("api_key", "API key, sent as the `apiKey` form field").required(),
        KeySpec::choice(
            "region",
            &["uk", "in"],
            "uk (default) or in (India); or set base_url",
        ),
    ],
    rules: &[Rule::NotBoth("region", "base_url")],
    // The vendor's own API class ships one build per market, each with its host.
    base_url: BaseUrl::ByKey {
        key: "region",
        urls: &[
            ("uk", "https://api.txtlocal.com"),
            ("in", "https://api.textlocal.in"),
        ],
        default: Some("https://api.txtlocal.com"),
    },
    build: Build::Described(|| {
        // As Textlocal's API class sends it: a form POST, so the key stays
        // out of URLs. Errors come in an HTTP 200 with `status` "failure".
        Description::post_form("/balance/")
            .json()
            .auth(Auth::form("apiKey", "api_key"))
            .success("/status", "success")
            .balance("/balance/sms")
            // SMS credits, not money.
            .unit(Unit::Credits)
            .fixed_currency("credits")
            .detail("mms", "/balance/mms")
            .error_code("/errors/0/code")
            .error_message("/errors/0/message")
            // Unconfirmed: the code number of "Invalid login details".
            .codes(ErrorKind::Auth, &["3"])
    }),
    fixtures: crate::fixtures!("textlocal"),
};
