//! OpenRouter: `GET {base}/api/v1/credits` with a management key (Bearer);
//! the balance is credits bought less credits used.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "openrouter",
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
            .balance_less("/data/total_credits", "/data/total_usage")
            // Credits are bought and priced in US dollars (unconfirmed as a
            // documented unit of this endpoint).
            .implied_currency("USD")
            .detail("total_credits", "/data/total_credits")
            .detail("total_usage", "/data/total_usage")
            .error_code("/error/code")
            .error_message("/error/message")
    }),
    fixtures: crate::fixtures!("openrouter"),
};
