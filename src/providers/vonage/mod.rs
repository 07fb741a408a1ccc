//! Vonage (Nexmo): `GET {base}/account/get-balance`, HTTP Basic `api_key:api_secret`;
//! with `subaccounts`, `GET {api}/accounts/{api_key}/subaccounts` (the
//! Subaccounts API: the primary account and each subaccount, with balances).

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "vonage",
    aliases: &["nexmo"],
    about: "Vonage (Nexmo) SMS API",
    keys: &[
        KeySpec::text("api_key", "API key (HTTP Basic user)").required(),
        KeySpec::secret("api_secret", "API secret (HTTP Basic password)").required(),
    ],
    rules: &[],
    // The balance path's own server, not the spec's general api.nexmo.com.
    base_url: BaseUrl::Default("https://rest.nexmo.com"),
    build: Build::Described(|| {
        // Basic, not the older spec's query parameters: the secret stays out of URLs.
        Description::get("/account/get-balance")
            .json()
            .auth(Auth::basic("api_key", "api_secret"))
            .balance("/value")
            // Always EUR, even when the dashboard shows USD (nexmo-cli #26).
            .fixed_currency("EUR")
            .error_code("/error-code")
            .error_message("/error-code-label")
            .subaccounts("https://api.nexmo.com", subaccounts())
    }),
    fixtures: crate::fixtures!("vonage"),
};

/// The Subaccounts API's list (vonage-python-sdk `subaccounts.py`
/// `list_subaccounts`: `api_host`, Basic auth; `responses.py` types
/// `balance` and `credit_limit` as numbers, the former nullable).
fn subaccounts() -> Description {
    Description::get("/accounts/{api_key}/subaccounts")
        .json()
        .auth(Auth::basic("api_key", "api_secret"))
        // The primary account is reported as the profile itself.
        .scope("/_embedded/primary_account")
        .each(
            "/_embedded/subaccounts",
            "/api_key",
            "/name",
            // Such a subaccount spends the primary's balance: none of its own.
            Some("/use_primary_account_balance"),
        )
        .part(Part::Cash, "/balance")
        // Unconfirmed: that `credit_limit` is what the account may spend
        // beyond its balance, as the money model's available amount takes it
        // (the SDK fixture's limits are all 0).
        .part(Part::Credit, "/credit_limit")
        .available_sum(&[Part::Cash, Part::Credit])
        // Unconfirmed: the list gives no currency; the account API's is EUR.
        .fixed_currency("EUR")
        // RFC 7807, as Vonage's other account endpoints answer.
        .error_code("/type")
        .error_message("/detail")
        .error_message("/title")
        .hooks(Hooks {
            code: Some(Hooks::after_hash),
            ..Hooks::default()
        })
}
