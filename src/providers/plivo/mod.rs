//! Plivo: `GET {base}/v1/Account/{auth_id}/` (trailing slash kept), HTTP Basic.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "plivo",
    aliases: &[],
    about: "Plivo",
    keys: &[
        KeySpec::text(
            "auth_id",
            "Auth ID (20 characters, MA… or SA…); also in the path",
        )
        .required()
        .check(auth_id, "MA2025RK4E639VJFZAGV")
        .cases(
            &["MA2025RK4E639VJFZAGV", "SAXXXXXXXXXXXXXXXXXX"],
            &[
                "XA2025RK4E639VJFZAGV",
                "MA2025RK4E639VJFZAG",
                "MA2025RK4E639VJFZAGV1",
                "MA2025RK4E639VJFZ/GV",
                "MAéé25RK4E639VJFZA",
            ],
        ),
        KeySpec::secret("auth_token", "Auth Token (HTTP Basic password)").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://api.plivo.com"),
    build: Build::Described(|| {
        // The SDK always appends the slash.
        Description::get("/v1/Account/{auth_id}/")
            .json()
            .auth(Auth::basic("auth_id", "auth_token"))
            // "Credits of the account in USD", as a decimal string.
            .balance("/cash_credits")
            .fixed_currency("USD")
            // What cash_credits means for a postpaid account is unconfirmed.
            .not_prepaid_when("/billing_mode", "postpaid")
            .error_message("/error")
    }),
    fixtures: crate::fixtures!("plivo"),
};

/// 20 characters, `MA` (main account) or `SA` (subaccount), as the SDK's
/// validators say; letters and digits, as every documented id is.
fn auth_id(id: &str) -> Result<(), String> {
    let prefixed = id.starts_with("MA") || id.starts_with("SA");
    if prefixed && id.len() == 20 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err("is not a Plivo Auth ID (20 letters and digits, starting MA or SA)".into())
    }
}
