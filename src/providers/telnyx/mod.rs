//! Telnyx: `GET {base}/v2/balance`, `Authorization: Bearer {api_key}`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "telnyx",
    aliases: &[],
    about: "Telnyx",
    keys: &[
        KeySpec::secret("api_key", "API key (KEY…), sent as `Authorization: Bearer`").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://api.telnyx.com"),
    build: Build::Described(|| {
        // Every money field is a decimal string.
        Description::get("/v2/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/data/balance")
            .currency("/data/currency")
            .detail("credit_limit", "/data/credit_limit")
            .detail("available_credit", "/data/available_credit")
            .detail("pending", "/data/pending")
            .error_code("/errors/0/code")
            .error_message("/errors/0/detail")
            .error_message("/errors/0/title")
            .codes(ErrorKind::Auth, &["10009"])
            .codes(ErrorKind::RateLimited, &["10011"])
    }),
    fixtures: crate::fixtures!("telnyx"),
};
