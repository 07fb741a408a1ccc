//! ClickSend: `GET {base}/v3/account`, HTTP Basic with the API username and key.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "clicksend",
    aliases: &[],
    about: "ClickSend",
    keys: &[
        KeySpec::text("username", "API username (Dashboard → API Credentials)").required(),
        // The docs also take the account password here: the key is what we ask for.
        KeySpec::secret("api_key", "API key, sent with username as HTTP Basic").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://rest.clicksend.com"),
    build: Build::Described(|| {
        Description::get("/v3/account")
            .json()
            // As the official SDK sends it.
            .header("Content-Type", "application/json")
            .auth(Auth::basic("username", "api_key"))
            // A decimal string in the docs and the SDK; a number reads as well.
            .balance("/data/balance")
            // Balances are kept in AUD and converted weekly for other currencies.
            .currency("/data/_currency/currency_name_short")
            .error_code("/response_code")
            .error_message("/response_msg")
            // The vendor's OpenAPI `subaccount` schema (GET /v3/subaccounts)
            // has users and permissions, no balance.
            .no_subaccount_balances(
                "subaccounts have no balance of their own (its subaccount endpoints, GET /v3/subaccounts, list users and permissions only); prepaid subaccounts share the main account's balance, which this profile checks",
            )
    }),
    fixtures: crate::fixtures!("clicksend"),
};
