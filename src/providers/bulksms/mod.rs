//! BulkSMS: `GET {base}/v1/profile`, HTTP Basic; the balance is in credits.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "bulksms",
    aliases: &[],
    about: "BulkSMS (JSON API v1)",
    keys: &[
        KeySpec::text("username", "account username").required(),
        // API tokens exist, but whether they work here is unconfirmed.
        KeySpec::secret(
            "password",
            "account password, sent with username as HTTP Basic",
        )
        .required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://api.bulksms.com"),
    build: Build::Described(|| {
        Description::get("/v1/profile")
            .json()
            // "All requests should send it", GETs included.
            .header("Content-Type", "application/json")
            .auth(Auth::basic("username", "password"))
            .balance("/credits/balance")
            .unit(Unit::Credits)
            .fixed_currency("credits")
            // The daily sending quota, in messages: a limit beside the
            // balance, not a part of it. (`credits.limit` is undocumented.)
            .detail("quota_size", "/quota/size")
            .detail("quota_remaining", "/quota/remaining")
            .error_code("/type")
            .error_message("/detail")
            .error_message("/title")
            // Out of credits is a 403, but not about credentials.
            .codes(ErrorKind::Provider, &["insufficient-credits"])
            .hooks(Hooks {
                code: Some(Hooks::after_hash),
                ..Hooks::default()
            })
    }),
    fixtures: crate::fixtures!("bulksms"),
};
