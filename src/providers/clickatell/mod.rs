//! Clickatell One API: `GET {base}/public-client/balance` with the raw API key
//! as `Authorization` (no scheme word).

use crate::http::Reply;
use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "clickatell",
    aliases: &[],
    about: "Clickatell (One API)",
    keys: &[KeySpec::secret(
        "api_key",
        "integration API key, sent as the whole `Authorization` value",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://platform.clickatell.com"),
    build: Build::Described(|| {
        Description::get("/public-client/balance")
            .json()
            .auth(Auth::scheme("", "api_key"))
            .balance("/balance")
            .currency("/currency")
            // The error body's field names are unknown: any `…code` member.
            .error_code_named("code")
            .error_message("/error/description")
            .error_message("/errorDescription")
            .error_message("/error")
            .error_message("/description")
            .hooks(Hooks {
                classify: Some(classify),
                ..Hooks::default()
            })
    }),
    fixtures: crate::fixtures!("clickatell"),
};

/// The One API error table sends its rate limit as HTTP 400 code 43 "Rate
/// limit", and an inactive account as 400 code 2; the code or its words tell
/// them from other 400s. Other statuses: 401/403 auth, 429 rate_limited, else
/// the vendor's.
fn classify(reply: &Reply, code: Option<&str>) -> Option<ErrorKind> {
    if reply.code() != 400 {
        return None;
    }
    let code = code.and_then(|c| c.parse::<u32>().ok());
    let says = |words: &str| {
        let text = String::from_utf8_lossy(&reply.body).to_ascii_lowercase();
        text.contains(words)
    };
    Some(match code {
        Some(43) => ErrorKind::RateLimited,
        Some(2) => ErrorKind::Auth,
        Some(_) => ErrorKind::Provider,
        None if says("rate limit") => ErrorKind::RateLimited,
        None if says("account is not active") => ErrorKind::Auth,
        None => ErrorKind::Provider,
    })
}
