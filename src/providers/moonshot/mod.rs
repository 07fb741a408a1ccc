//! Moonshot AI (Kimi): `GET {base}/v1/users/me/balance`, Bearer; the
//! available balance is cash plus vouchers, in USD at api.moonshot.ai and CNY
//! at api.moonshot.cn.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "moonshot",
    about: "Moonshot AI / Kimi (API credit)",
    keys: &[KeySpec::secret("api_key", "API key, sent as `Authorization: Bearer`").required()],
    rules: &[],
    base_url: BaseUrl::Default("https://api.moonshot.ai"),
    build: Build::Described(|| {
        Description::get("/v1/users/me/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            // "Including cash balance and voucher balance"; at or below 0 the
            // inference API refuses.
            .balance("/data/available_balance")
            // The answer names no currency; api.moonshot.cn accounts set
            // `currency = "CNY"` with that base_url.
            .default_currency("USD")
            .detail("voucher_balance", "/data/voucher_balance")
            .detail("cash_balance", "/data/cash_balance")
            .error_code("/error/type")
            .error_message("/error/message")
    }),
    fixtures: crate::fixtures!("moonshot"),
};
