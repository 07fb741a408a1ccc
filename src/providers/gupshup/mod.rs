//! Gupshup (Partner API): `GET {base}/partner/app/{app_id}/wallet/balance`
//! with the app's access token as `Authorization`; the wallet is in USD.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "gupshup",
    aliases: &[],
    about: "Gupshup (Partner API app wallet)",
    keys: &[
        KeySpec::text("app_id", "Gupshup app id (in the path)").required(),
        KeySpec::secret(
            "app_token",
            "partner app access token, sent as the whole `Authorization` value",
        )
        .required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://partner.gupshup.io"),
    build: Build::Described(|| {
        Description::get("/partner/app/{app_id}/wallet/balance")
            .json()
            .auth(Auth::scheme("", "app_token"))
            .balance("/walletResponse/currentBalance")
            .currency("/walletResponse/currency")
            // Not a credit part: whether a positive limit adds to what can be
            // spent is unconfirmed (the docs mask the figures).
            .detail("overdraft_limit", "/walletResponse/overDraftLimit")
            .error_message("/message")
    }),
    fixtures: crate::fixtures!("gupshup"),
};
