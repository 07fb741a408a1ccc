//! D7 Networks: `GET {base}/messages/v1/balance` with a Bearer API token.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "d7",
    aliases: &[],
    about: "D7 Networks (Direct7)",
    keys: &[KeySpec::secret(
        "api_key",
        "API access token, sent as `Authorization: Bearer`",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://api.d7networks.com"),
    build: Build::Described(|| {
        // No currency in the answer (unconfirmed which one): the profile's
        // `currency`, else none. Error bodies are undocumented: the SDKs
        // read the status alone.
        Description::get("/messages/v1/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/balance")
    }),
    fixtures: crate::fixtures!("d7"),
};
