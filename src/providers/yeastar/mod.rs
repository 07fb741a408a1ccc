//! Yeastar Partner Portal: an OAuth-style token (cached on disk), then
//! `GET {base}/user/openapi/user/v1/client/account_balance`.

mod cache;
mod sandbox;
mod wire;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use rust_decimal::prelude::ToPrimitive;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;
use url::Url;

use crate::debug;
use crate::http::{Reply, Verdict, by_status, retry_hint};
use crate::kit::prelude::*;
use crate::kit::{authorization, endpoint, parse_body, status_kind, vendor_error};
use crate::secret::SecretSource;
use cache::{Cached, REFRESH_LIFETIME_SECS, TokenCache, now};

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "yeastar",
    aliases: &[],
    about: "Yeastar Partner Portal",
    keys: &[
        KeySpec::text("client_id", "OpenAPI client id").required(),
        KeySpec::secret("client_secret", "OpenAPI client secret").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://openapi.partner.yeastar.com"),
    build: Build::Code {
        build,
        emulator: &sandbox::Emulator,
    },
    fixtures: crate::fixtures!("yeastar"),
};

/// Access tokens live 30 minutes when the answer does not say.
const DEFAULT_TOKEN_SECS: u64 = 1800;
const MAX_TOKEN_SECS: u64 = 24 * 3600;

#[derive(Debug)]
struct Yeastar {
    base_url: Url,
    client_id: String,
    client_secret: SecretSource,
}

fn build(values: Values, base_url: Url) -> Result<Box<dyn Adapter>, String> {
    let client_id = values.text("client_id").unwrap_or_default().to_owned();
    let client_secret = values
        .secret("client_secret")
        .cloned()
        .ok_or("`client_secret` is required")?;
    Ok(Box::new(Yeastar {
        base_url,
        client_id,
        client_secret,
    }))
}

impl Adapter for Yeastar {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let cache = TokenCache::new(ctx.cache_dir, self.base_url.as_str(), &self.client_id);
            let (token, new) = match cache.load() {
                Some(cached) if cached.fresh() => {
                    debug!(1, "using cached Yeastar token");
                    (cached, false)
                }
                Some(cached) if cached.refreshable() => match self.refresh(ctx, &cached).await {
                    Ok(token) => (token, true),
                    Err(e) => {
                        debug!(1, "token refresh failed ({e}); requesting a new token");
                        (self.grant(ctx).await?, true)
                    }
                },
                _ => (self.grant(ctx).await?, true),
            };
            if new {
                cache.store(&token);
            }
            match self.balance(ctx, &token).await {
                // A cached token may have been revoked: one fresh token, one more try.
                Err(e) if e.kind == ErrorKind::Auth && !new => {
                    debug!(1, "cached token rejected; requesting a new token");
                    cache.clear();
                    let token = self.grant(ctx).await?;
                    cache.store(&token);
                    self.balance(ctx, &token).await
                }
                result => result,
            }
        })
    }
}

impl Yeastar {
    async fn grant(&self, ctx: &Ctx<'_>) -> Result<Cached, CheckError> {
        let secret = ctx.secret(&self.client_secret).await?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", secret.expose_secret())
            .append_pair("grant_type", "pp_credentials")
            .finish();
        self.token_request(ctx, form.into()).await
    }

    async fn refresh(&self, ctx: &Ctx<'_>, cached: &Cached) -> Result<Cached, CheckError> {
        let refresh_token = cached.refresh_token.as_deref().unwrap_or_default();
        // A failed refresh is logged with its message, which may echo the token.
        ctx.remember(refresh_token.to_owned().into());
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token)
            .finish();
        self.token_request(ctx, form.into()).await
    }

    async fn token_request(&self, ctx: &Ctx<'_>, form: SecretString) -> Result<Cached, CheckError> {
        let url = endpoint(&self.base_url, &["auth", "openapi", "v1", "oauth", "token"]);
        // A vendor echoing the body base64-encoded would carry the secret in it.
        crate::redact::register_sent(form.expose_secret());
        let reply = ctx
            .send_with(
                |c| {
                    c.post(url.clone())
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(form.expose_secret().to_owned())
                },
                retryable,
            )
            .await?;
        let token: wire::Token = open_as(&reply, "no token in `result`")?;
        ctx.remember(token.token.clone().into());
        if let Some(r) = &token.refresh_token {
            ctx.remember(r.clone().into());
        }
        // Refused here rather than at use: cached, a bad token would fail every run
        // until it expired.
        if token.token.len() > cache::MAX_TOKEN_BYTES {
            return Err(CheckError::provider(format!(
                "the token endpoint returned a token of {} bytes, over the {} limit",
                token.token.len(),
                crate::fsafe::size(cache::MAX_TOKEN_BYTES as u64)
            ))
            .status(reply.code()));
        }
        if !cache::usable_token(&token.token) {
            return Err(CheckError::provider(
                "the token endpoint returned an empty token or one unfit for a header",
            )
            .status(reply.code()));
        }
        let token_head = match token.token_head.as_deref().map(str::trim) {
            None | Some("") => "Bearer".to_owned(),
            Some(head) if cache::usable_token(head) => head.to_owned(),
            Some(_) => {
                return Err(CheckError::provider(
                    "the token endpoint returned a token head unfit for a header",
                )
                .status(reply.code()));
            }
        };
        let lifetime = token
            .expires_in
            .and_then(|a| a.0.to_u64())
            .filter(|s| *s > 0)
            .unwrap_or(DEFAULT_TOKEN_SECS)
            // An absurd lifetime from the vendor must not pin a token for years.
            .min(MAX_TOKEN_SECS);
        Ok(Cached {
            token: token.token,
            token_head,
            expires_at: now() + lifetime,
            // A bad refresh token only costs the refresh: the next token is granted anew.
            refresh_token: token.refresh_token.filter(|r| cache::usable_token(r)),
            refresh_expires_at: now() + REFRESH_LIFETIME_SECS,
        })
    }

    async fn balance(&self, ctx: &Ctx<'_>, token: &Cached) -> Result<Balance, CheckError> {
        ctx.remember(token.token.clone().into());
        let auth = authorization(token.token_head.trim(), &token.token).ok_or_else(|| {
            CheckError::provider("the token endpoint returned a token unfit for a header")
        })?;
        let url = endpoint(
            &self.base_url,
            &["user", "openapi", "user", "v1", "client", "account_balance"],
        );
        let reply = ctx
            .send_with(
                |c| c.get(url.clone()).header(AUTHORIZATION, auth.clone()),
                retryable,
            )
            .await?;
        interpret(&reply)
    }
}

/// Yeastar may say "429" or "5xx" in the envelope of an HTTP 200: that is the
/// same "try again" as the HTTP status would be.
fn retryable(reply: &Reply) -> Verdict {
    let body_status = serde_json::from_slice::<wire::Envelope>(&reply.body)
        .ok()
        .and_then(|e| e.status);
    match body_status {
        Some(429 | 500..=599) if reply.status.is_success() => Verdict::Retry {
            wait: retry_hint(reply),
        },
        _ => by_status(reply),
    }
}

/// The balance call's answer.
fn interpret(reply: &Reply) -> Result<Balance, CheckError> {
    let body: wire::AccountBalance = open_as(reply, "no `accountBalance` in `result`")?;
    Ok(Balance::new(body.account_balance.0, None))
}

/// The envelope's `result` as `T`; `missing` says what a wrong one lacks.
fn open_as<T: serde::de::DeserializeOwned>(reply: &Reply, missing: &str) -> Result<T, CheckError> {
    let result = open(reply)?;
    serde_json::from_str(result.get()).map_err(|_| {
        CheckError::provider(format!(
            "unexpected answer (HTTP {}): {missing}",
            reply.code()
        ))
        .status(reply.code())
    })
}

/// Unwraps the envelope: success needs `code == "success"`, not only HTTP 200.
fn open(reply: &Reply) -> Result<Box<RawValue>, CheckError> {
    let status = reply.code();
    let envelope: wire::Envelope = match parse_body(reply) {
        Ok(envelope) => envelope,
        Err(_) if !reply.status.is_success() => {
            return Err(vendor_error(status_kind(status), status, None, None));
        }
        Err(e) => return Err(e),
    };
    let body_status = envelope.status.unwrap_or(status);
    if reply.status.is_success() && envelope.code.as_deref() == Some(wire::SUCCESS) {
        return envelope.result.ok_or_else(|| {
            CheckError::provider(format!("unexpected answer (HTTP {status}): no `result`"))
                .status(status)
        });
    }
    let kind = match (status, body_status) {
        (401 | 403, _) | (_, 401 | 403) => ErrorKind::Auth,
        (429, _) | (_, 429) => ErrorKind::RateLimited,
        _ => ErrorKind::Provider,
    };
    Err(vendor_error(
        kind,
        status,
        envelope.code,
        envelope.detail_message.as_deref(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any status and body: a balance or a one-line error, never a panic.
    #[test]
    fn any_answer_is_handled() {
        crate::kit::check_any_answer(interpret);
    }
}
