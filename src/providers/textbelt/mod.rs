//! TextBelt: `GET {base}/quota/{key}`; the key is the path's last segment,
//! the balance is SMS credit on that key.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "textbelt",
    aliases: &[],
    about: "TextBelt (SMS credit on a key)",
    keys: &[KeySpec::secret(
        "api_key",
        "API key, sent as the last path segment (never shown in -v lines)",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://textbelt.com"),
    build: Build::Described(|| {
        Description::get("/quota/{api_key}")
            .json()
            .auth(Auth::path("api_key"))
            // `success`: "whether or not we were able to look up this key".
            .refuse("/success", "false", ErrorKind::Auth)
            .balance("/quotaRemaining")
            // "The amount of SMS credit remaining on this key".
            .unit(Unit::Messages)
            .fixed_currency("credits")
            .error_message("/error")
    }),
    fixtures: crate::fixtures!("textbelt"),
};
