//! Vonage (Nexmo): `GET {base}/account/get-balance`, HTTP Basic `api_key:api_secret`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "vonage",
    aliases: &["nexmo"],
    about: "Vonage (Nexmo) SMS API",
    keys: &[
        KeySpec::text("api_key", "API key (HTTP Basic user)").required(),
        KeySpec::secret("api_secret", "API secret (HTTP Basic password)").required(),
    ],
    rules: &[],
    // The balance path's own server, not the spec's general api.nexmo.com.
    base_url: BaseUrl::Default("https://rest.nexmo.com"),
    build: Build::Described(|| {
        // Basic, not the older spec's query parameters: the secret stays out of URLs.
        Description::get("/account/get-balance")
            .json()
            .auth(Auth::basic("api_key", "api_secret"))
            .balance("/value")
            // Always EUR, even when the dashboard shows USD (nexmo-cli #26).
            .fixed_currency("EUR")
            .error_code("/error-code")
            .error_message("/error-code-label")
    }),
    fixtures: crate::fixtures!("vonage"),
};
