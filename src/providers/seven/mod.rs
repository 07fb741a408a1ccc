//! seven.io (formerly sms77): `GET {base}/api/balance` with `X-Api-Key`, or an
//! OAuth token given as `Bearer …` in `Authorization` (as js-client does).

use crate::http::Reply;
use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "seven",
    aliases: &[],
    about: "seven.io (formerly sms77)",
    keys: &[KeySpec::secret(
        "api_key",
        "API key (sent as X-Api-Key), or an OAuth token written `Bearer …`",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://gateway.seven.io"),
    build: Build::Described(|| {
        Description::get("/api/balance")
            .json()
            .auth(Auth::prefixed("Bearer ", "api_key"))
            .auth(Auth::header("X-Api-Key", "api_key"))
            .balance("/amount")
            .currency("/currency")
            // Errors are a bare number as the whole body, sent with any status.
            .bare_code()
            .hooks(Hooks {
                classify: Some(classify),
                ..Hooks::default()
            })
    }),
    fixtures: crate::fixtures!("seven"),
};

/// A bare code decides whatever the status (its status is unconfirmed): the
/// auth codes are auth, any other is the vendor's (500 is "insufficient
/// credits", not HTTP 500). Only a 429 says more: rate limiting.
fn classify(reply: &Reply, code: Option<&str>) -> Option<ErrorKind> {
    let code = code.filter(|_| reply.code() != 429)?;
    Some(match code {
        "900" | "902" | "903" | "300" => ErrorKind::Auth,
        _ => ErrorKind::Provider,
    })
}
