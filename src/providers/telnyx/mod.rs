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
        // Every money field is a decimal string. What can be spent is
        // `available_credit` ("balance + credit limit"), the vendor's own
        // figure; `balance` alone goes negative on a credit account. Pending
        // is shown, not subtracted: the vendor's sum leaves it out.
        Description::get("/v2/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/data/available_credit")
            .available_sum(&[Part::Cash, Part::Credit])
            .part(Part::Cash, "/data/balance")
            .part(Part::Credit, "/data/credit_limit")
            .part(Part::Reserved, "/data/pending")
            .currency("/data/currency")
            .error_code("/errors/0/code")
            .error_message("/errors/0/detail")
            .error_message("/errors/0/title")
            .codes(ErrorKind::Auth, &["10009"])
            .codes(ErrorKind::RateLimited, &["10011"])
    }),
    fixtures: crate::fixtures!("telnyx"),
};
