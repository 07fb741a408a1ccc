//! EngageLab SMS: `GET {base}/v1/balance` with HTTP Basic `dev_key:dev_secret`.

mod sandbox;
mod wire;

use rust_decimal::Decimal;
use url::Url;

use super::{
    Adapter, Balance, BoxFuture, KeySpec, ProviderSpec, default_url, endpoint, parse_body,
    parse_error_body, status_kind, vendor_error,
};
use crate::check::Ctx;
use crate::config::Keys;
use crate::error::{CheckError, ErrorKind};
use crate::http::Reply;
use crate::money::Amount;
use crate::secret::SecretSource;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "engagelab",
    about: "EngageLab SMS; balance = general + gift",
    keys: &[
        KeySpec::required("dev_key", "DevKey (HTTP Basic user)"),
        KeySpec::required("dev_secret", "DevSecret (HTTP Basic password)").secret(),
        KeySpec::optional("base_url", "default https://smsapi.engagelab.com"),
        KeySpec::optional("currency", "the answer has no currency: say which it is"),
    ],
    build,
    emulator: &sandbox::Emulator,
};

#[derive(Debug)]
struct EngageLab {
    base_url: Url,
    dev_key: String,
    dev_secret: SecretSource,
}

fn build(keys: &mut Keys<'_>) -> Result<Box<dyn Adapter>, String> {
    let dev_key = keys.required_string("dev_key")?;
    let dev_secret = keys.required_secret("dev_secret")?;
    let base_url = keys
        .base_url()
        .unwrap_or_else(|| default_url("https://smsapi.engagelab.com"));
    Ok(Box::new(EngageLab {
        base_url,
        dev_key,
        dev_secret,
    }))
}

impl Adapter for EngageLab {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let secret = ctx.secret(&self.dev_secret).await?;
            let url = endpoint(&self.base_url, &["v1", "balance"]);
            let reply = ctx
                .send(|c| ctx.basic_auth(c.get(url.clone()), &self.dev_key, &secret))
                .await?;
            interpret(&reply)
        })
    }
}

// Error codes from EngageLab's SMS error-code table.
const INVALID_TOKEN: i64 = 2001;
const TOKEN_EXPIRED: i64 = 2002;
const NO_PERMISSION: i64 = 2004;

fn interpret(reply: &Reply) -> Result<Balance, CheckError> {
    let status = reply.code();
    if reply.status.is_success() {
        let body: wire::BalanceBody = parse_body(reply)?;
        if let Some(balance) = balance(&body)? {
            return Ok(balance);
        }
        if body.code.is_none() {
            return Err(CheckError::provider(format!(
                "unexpected answer (HTTP {status}): no balance fields"
            ))
            .status(status));
        }
    }
    let body: Option<wire::ErrorBody> = parse_error_body(reply);
    let (code, message) = body.map_or((None, None), |b| (b.code, b.message));
    let kind = match code {
        Some(INVALID_TOKEN | TOKEN_EXPIRED | NO_PERMISSION) => ErrorKind::Auth,
        _ if status == 429 => ErrorKind::RateLimited,
        Some(_) if reply.status.is_success() => ErrorKind::Provider,
        _ => status_kind(status),
    };
    Err(vendor_error(
        kind,
        status,
        code.map(|c| c.to_string()),
        message.as_deref(),
    ))
}

/// Total (what can be spent) with general and gift in `details`; from the exact
/// `*10000` integers when present, else from the float fields' text.
fn balance(body: &wire::BalanceBody) -> Result<Option<Balance>, CheckError> {
    let scaled = |a: Option<Amount>| -> Result<Option<Decimal>, CheckError> {
        a.map(|a| {
            a.0.checked_mul(Decimal::new(1, 4))
                .map(|d| d.normalize())
                .ok_or_else(|| CheckError::provider("unexpected answer: balance out of range"))
        })
        .transpose()
    };
    let general = scaled(body.balance10000)?.or(body.balance.map(|a| a.0));
    let gift = scaled(body.gift_balance10000)?.or(body.gift_balance.map(|a| a.0));
    let total = match scaled(body.total_balance10000)?.or(body.total_balance.map(|a| a.0)) {
        Some(total) => total,
        None => match general {
            Some(general) => general
                .checked_add(gift.unwrap_or_default())
                .ok_or_else(|| CheckError::provider("unexpected answer: balance out of range"))?,
            None => return Ok(None),
        },
    };
    let mut balance = Balance::new(total, None);
    if let Some(general) = general {
        balance.details.push(("general_balance".into(), general));
    }
    if let Some(gift) = gift {
        balance.details.push(("gift_balance".into(), gift));
    }
    Ok(Some(balance))
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
