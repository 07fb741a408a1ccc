//! 46elks: `GET {base}/a1/me` with HTTP Basic; the balance is an integer of
//! 1/10000 of the account's currency.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "46elks",
    aliases: &[],
    about: "46elks (Sweden)",
    keys: &[
        KeySpec::text("username", "API username (u…), the HTTP Basic user").required(),
        KeySpec::secret("password", "API password, the HTTP Basic password").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://api.46elks.com"),
    build: Build::Described(|| {
        // As the vendor's own CLI reads it: amounts / 10000, a missing
        // `balance` is 0, and no `currency` means the account is not set up.
        // `creditlimit` is taken as spendable beyond the balance
        // (unconfirmed: the CLI prints it beside the balance, no more).
        Description::get("/a1/me")
            .auth(Auth::basic("username", "password"))
            .available_sum(&[Part::Cash, Part::Credit])
            .scaled_part(Part::Cash, "/balance", 10000)
            .scaled_part(Part::Credit, "/creditlimit", 10000)
            .absent_is_zero()
            .currency("/currency")
            .currency_required()
            .scaled_detail("credit_alert", "/creditalert", 10000)
            // No documented error body; the clients report the status alone.
            .text_errors()
    }),
    fixtures: crate::fixtures!("elks46"),
};
