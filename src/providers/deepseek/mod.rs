//! DeepSeek: `GET {base}/user/balance`, Bearer; one balance per currency in
//! `balance_infos`: each a result (`profile/CNY`), or the one the profile's
//! `currency` picks.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "deepseek",
    aliases: &[],
    about: "DeepSeek (API credit; one result per currency, or `currency` picks one)",
    keys: &[KeySpec::secret("api_key", "API key, sent as `Authorization: Bearer`").required()],
    rules: &[],
    base_url: BaseUrl::Default("https://api.deepseek.com"),
    build: Build::Described(|| {
        Description::get("/user/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            // CNY and USD balances come as separate entries: the profile's
            // `currency` picks one; unset, each is a result of its own.
            .entry("/balance_infos", "/currency", "currency")
            // "Total available balance, including granted and topped-up".
            .balance("/total_balance")
            .currency("/currency")
            // Read in the picked entry, as the total is.
            .part(Part::Cash, "/topped_up_balance")
            .part(Part::Bonus, "/granted_balance")
            .error_code("/error/type")
            .error_message("/error/message")
    }),
    fixtures: crate::fixtures!("deepseek"),
};
