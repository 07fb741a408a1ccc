//! OpenRouter: `GET {base}/api/v1/credits` with a management key (Bearer);
//! the balance is credits bought less credits used.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "openrouter",
    aliases: &[],
    about: "OpenRouter (credits; management key)",
    keys: &[KeySpec::secret(
        "api_key",
        "management API key (an inference key is refused), sent as `Authorization: Bearer`",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://openrouter.ai"),
    build: Build::Described(|| {
        Description::get("/api/v1/credits")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/data/total_credits")
            .less("/data/total_usage")
            // Credits are bought and priced in US dollars, one credit a
            // dollar: money, not a count (unconfirmed as a documented unit of
            // this endpoint). What was bought is not a share of what is left,
            // so no parts: the two totals stay details.
            .implied_currency("USD")
            .detail("total_credits", "/data/total_credits")
            .detail("total_usage", "/data/total_usage")
            .error_code("/error/code")
            .error_message("/error/message")
    }),
    fixtures: crate::fixtures!("openrouter"),
};
