//! Textmagic: `GET {base}/api/v2/user` with `X-TM-Username` and `X-TM-Key`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "textmagic",
    aliases: &[],
    about: "Textmagic",
    keys: &[
        KeySpec::text("username", "account username, sent as `X-TM-Username`").required(),
        KeySpec::secret(
            "api_key",
            "API v2 key, sent as `X-TM-Key` (v1 keys do not work)",
        )
        .required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://rest.textmagic.com"),
    build: Build::Described(|| {
        Description::get("/api/v2/user")
            .json()
            // The documented headers; the v2 SDK's HTTP Basic is not what the docs say.
            .header("X-TM-Username", "{username}")
            .requires("X-TM-Username")
            .auth(Auth::header("X-TM-Key", "api_key"))
            .balance("/balance")
            .currency("/currency/id")
            // `code` repeats the HTTP status.
            .error_code("/code")
            .error_message("/message")
    }),
    fixtures: crate::fixtures!("textmagic"),
};
