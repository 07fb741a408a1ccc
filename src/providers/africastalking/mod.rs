//! Africa's Talking: `GET {base}/version1/user?username=…` with an `apiKey` header;
//! the balance is a string with its currency code ("KES 1785.50").

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "africastalking",
    aliases: &[],
    about: "Africa's Talking (application balance)",
    keys: &[
        KeySpec::text("username", "app username; `sandbox` picks the sandbox host").required(),
        KeySpec::secret("api_key", "API key, sent as the `apiKey` header").required(),
    ],
    rules: &[],
    // As the SDKs do: the sandbox app's username picks the sandbox host.
    base_url: BaseUrl::ByKey {
        key: "username",
        urls: &[("sandbox", "https://api.sandbox.africastalking.com")],
        default: Some("https://api.africastalking.com"),
    },
    build: Build::Described(|| {
        Description::get("/version1/user")
            .query("username", "{username}")
            // Without it the answer is XML.
            .json()
            .requires("Accept")
            .auth(Auth::header("apiKey", "api_key"))
            // The SDK tests read `UserData`; one docs page writes `userData`.
            .balance("/UserData/balance")
            .balance("/userData/balance")
            .currency_required()
            // No documented error body: the SDKs show the raw text.
            .text_errors()
    }),
    fixtures: crate::fixtures!("africastalking"),
};
