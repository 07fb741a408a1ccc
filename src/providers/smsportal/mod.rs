//! SMSPortal (MyMobileAPI REST v3): `GET {base}/v3/Balance` with the API
//! credentials as HTTP Basic; the balance is in SMS credits.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "smsportal",
    aliases: &[],
    about: "SMSPortal (REST API v3, credits)",
    keys: &[
        KeySpec::text("client_id", "API client id (HTTP Basic user)").required(),
        KeySpec::secret("api_secret", "API secret (HTTP Basic password)").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://rest.smsportal.com"),
    build: Build::Described(|| {
        // "All endpoints support API credential authentication": no token step.
        Description::get("/v3/Balance")
            .json()
            .auth(Auth::basic("client_id", "api_secret"))
            // The docs' example writes `Balance`; clients read `balance`.
            .balance("/balance")
            .balance("/Balance")
            // "Balance will always return a value of 1000000 on Post Paid accounts".
            .not_prepaid_if_amount("1000000")
            .unit(Unit::Credits)
            .fixed_currency("credits")
    }),
    fixtures: crate::fixtures!("smsportal"),
};
