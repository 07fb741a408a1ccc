//! Infobip: `GET {base}/account/1/balance`, `Authorization: App {api_key}` or Basic.

mod sandbox;
mod wire;

use url::Url;

use super::{
    Adapter, Balance, BoxFuture, KeySpec, ProviderSpec, default_url, endpoint, parse_body,
    parse_error_body, secret_authorization, status_kind, vendor_error,
};
use crate::check::Ctx;
use crate::config::Keys;
use crate::error::{CheckError, ErrorKind};
use crate::http::Reply;
use crate::secret::SecretSource;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "infobip",
    about: "Infobip",
    keys: &[
        KeySpec::optional(
            "base_url",
            "your personal https://xxxxx.api.infobip.com (default https://api.infobip.com)",
        ),
        KeySpec::optional(
            "api_key",
            "API key, sent as `Authorization: App`; or username + password",
        )
        .secret(),
        KeySpec::optional("username", "for HTTP Basic auth, with password"),
        KeySpec::optional("password", "for HTTP Basic auth, with username").secret(),
    ],
    build,
    emulator: &sandbox::Emulator,
};

#[derive(Debug)]
enum Auth {
    ApiKey(SecretSource),
    Basic {
        username: String,
        password: SecretSource,
    },
}

#[derive(Debug)]
struct Infobip {
    base_url: Url,
    auth: Auth,
}

fn build(keys: &mut Keys<'_>) -> Result<Box<dyn Adapter>, String> {
    let api_key = keys.secret("api_key")?;
    let username = keys.string("username")?;
    let password = keys.secret("password")?;
    let auth = match (api_key, username, password) {
        (Some(key), None, None) => Auth::ApiKey(key),
        (None, Some(username), Some(password)) => Auth::Basic { username, password },
        (None, None, None) => return Err("set `api_key`, or `username` and `password`".into()),
        (Some(_), _, _) => {
            return Err("set either `api_key` or `username` + `password`, not both".into());
        }
        (None, _, _) => return Err("`username` and `password` go together".into()),
    };
    let base_url = keys
        .base_url()
        .unwrap_or_else(|| default_url("https://api.infobip.com"));
    Ok(Box::new(Infobip { base_url, auth }))
}

impl Adapter for Infobip {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let url = endpoint(&self.base_url, &["account", "1", "balance"]);
            let request = |c: &reqwest::Client| {
                c.get(url.clone())
                    .header(reqwest::header::ACCEPT, "application/json")
            };
            let reply = match &self.auth {
                Auth::ApiKey(source) => {
                    // The scheme word is `App`: not `Api`, not `Bearer`.
                    let value = secret_authorization("App", "api_key", &ctx.secret(source).await?)?;
                    ctx.send(|c| request(c).header(reqwest::header::AUTHORIZATION, value.clone()))
                        .await?
                }
                Auth::Basic { username, password } => {
                    let password = ctx.secret(password).await?;
                    ctx.send(|c| ctx.basic_auth(request(c), username, &password))
                        .await?
                }
            };
            interpret(&reply)
        })
    }
}

fn interpret(reply: &Reply) -> Result<Balance, CheckError> {
    if reply.status.is_success() {
        let body: wire::AccountBalance = parse_body(reply)?;
        return Ok(Balance::new(body.balance.0, body.currency));
    }
    let status = reply.code();
    let (code, message) = parse_error_body::<wire::ErrorBody>(reply)
        .map_or((None, None), wire::ErrorBody::code_and_message);
    let kind = match code.as_deref() {
        Some("UNAUTHORIZED" | "E401" | "FORBIDDEN" | "E403") => ErrorKind::Auth,
        Some("TOO_MANY_REQUESTS" | "E429") => ErrorKind::RateLimited,
        _ => status_kind(status),
    };
    Err(vendor_error(kind, status, code, message.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any status and body: a balance or a one-line error, never a panic.
    #[test]
    fn any_answer_is_handled() {
        crate::providers::check_any_answer(interpret);
    }
}
