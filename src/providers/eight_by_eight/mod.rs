//! 8x8 CPaaS: `GET {base}/api/v1/accounts/{account_id}/balance` with a Bearer key.

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
    name: "8x8",
    about: "8x8 CPaaS (SMS API)",
    keys: &[
        KeySpec::required("account_id", "account id (UUID, with or without dashes)"),
        KeySpec::required("api_key", "API key, sent as `Authorization: Bearer`").secret(),
        KeySpec::optional("region", "ap (default), us, eu or id; or set base_url"),
        KeySpec::optional(
            "base_url",
            "default from region; https://sms.8x8.com for ap",
        ),
    ],
    build,
    emulator: &sandbox::Emulator,
};

/// The account lives in one region; each region has its own host.
const REGIONS: &[(&str, &str)] = &[
    ("ap", "https://sms.8x8.com"),
    ("us", "https://sms.us.8x8.com"),
    ("eu", "https://sms.8x8.uk"),
    ("id", "https://sms.8x8.id"),
];

#[derive(Debug)]
struct EightByEight {
    base_url: Url,
    account_id: String,
    api_key: SecretSource,
}

fn build(keys: &mut Keys<'_>) -> Result<Box<dyn Adapter>, String> {
    let account_id = keys.required_string("account_id")?;
    if !valid_account_id(&account_id) {
        return Err(format!(
            "`account_id` `{account_id}` is not an 8x8 account id (32 hex digits, dashes optional)"
        ));
    }
    let api_key = keys.required_secret("api_key")?;
    let region = keys.string("region")?;
    let base_url = match (keys.base_url(), region) {
        (Some(_), Some(_)) => return Err("set `region` or `base_url`, not both".into()),
        (Some(url), None) => url,
        (None, region) => {
            let region = region.unwrap_or_else(|| "ap".into());
            let (_, url) = REGIONS
                .iter()
                .find(|(r, _)| *r == region)
                .ok_or_else(|| format!("`region` `{region}` is not one of: ap, us, eu, id"))?;
            default_url(url)
        }
    };
    Ok(Box::new(EightByEight {
        base_url,
        account_id,
        api_key,
    }))
}

/// `^[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}$`, as 8x8's OpenAPI says.
fn valid_account_id(id: &str) -> bool {
    let mut rest = id.as_bytes();
    for (i, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        let Some((group, tail)) = rest.split_at_checked(len) else {
            return false;
        };
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return false;
        }
        rest = if i < 4 {
            tail.strip_prefix(b"-").unwrap_or(tail)
        } else {
            tail
        };
    }
    rest.is_empty()
}

impl Adapter for EightByEight {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let auth =
                secret_authorization("Bearer", "api_key", &ctx.secret(&self.api_key).await?)?;
            let url = endpoint(
                &self.base_url,
                &["api", "v1", "accounts", &self.account_id, "balance"],
            );
            let reply = ctx
                .send(|c| {
                    c.get(url.clone())
                        .header(reqwest::header::AUTHORIZATION, auth.clone())
                        .header(reqwest::header::ACCEPT, "application/json")
                })
                .await?;
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
    let body: Option<wire::ErrorBody> = parse_error_body(reply);
    let (code, message) = body.map_or((None, None), |b| (b.code, b.message));
    let kind = match (status, code) {
        (403, Some(wire::NOT_PREPAID)) => ErrorKind::NotPrepaid,
        _ => status_kind(status),
    };
    Err(vendor_error(
        kind,
        status,
        code.map(|c| c.to_string()),
        message.as_deref(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any status and body: a balance or a one-line error, never a panic.
    #[test]
    fn any_answer_is_handled() {
        crate::providers::check_any_answer(interpret);
    }

    #[test]
    fn account_ids() {
        assert!(valid_account_id("0123456789abcdef0123456789ABCDEF"));
        assert!(valid_account_id("01234567-89ab-cdef-0123-456789abcdef"));
        assert!(valid_account_id("01234567-89abcdef-0123456789abcdef"));
        assert!(!valid_account_id("01234567-89ab-cdef-0123-456789abcde"));
        assert!(!valid_account_id("01234567--89ab-cdef-0123-456789abcdef"));
        assert!(!valid_account_id("0123456789abcdef0123456789abcdeg"));
        assert!(!valid_account_id("my-account"));
        assert!(!valid_account_id(""));
    }
}
