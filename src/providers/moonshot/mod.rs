//! Moonshot AI (Kimi): `GET {base}/v1/users/me/balance`, Bearer; the
//! available balance is cash plus vouchers, in USD at api.moonshot.ai and CNY
//! at api.moonshot.cn.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "moonshot",
    aliases: &[],
    about: "Moonshot AI / Kimi (API credit)",
    keys: &[
        KeySpec::secret("api_key", "API key, sent as `Authorization: Bearer`").required(),
        KeySpec::choice(
            "region",
            &["global", "cn"],
            "global (default, api.moonshot.ai, USD) or cn (api.moonshot.cn, CNY); or set base_url",
        ),
    ],
    rules: &[Rule::NotBoth("region", "base_url")],
    // A key works in the region it was made in; each bills in its own currency.
    base_url: BaseUrl::ByKey {
        key: "region",
        urls: &[
            ("global", "https://api.moonshot.ai"),
            ("cn", "https://api.moonshot.cn"),
        ],
        default: Some("https://api.moonshot.ai"),
    },
    build: Build::Described(|| {
        Description::get("/v1/users/me/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            // "Including cash balance and voucher balance"; at or below 0 the
            // inference API refuses.
            .balance("/data/available_balance")
            // The answer names no currency: the docs of each platform give
            // its unit (a profile's `currency` still wins, for a proxy).
            .default_currency("USD")
            .default_currency_when("region", "cn", "CNY")
            // Not summed: with cash in debt, available is the voucher alone.
            .part(Part::Cash, "/data/cash_balance")
            .part(Part::Bonus, "/data/voucher_balance")
            .error_code("/error/type")
            .error_message("/error/message")
    }),
    fixtures: crate::fixtures!("moonshot"),
};
