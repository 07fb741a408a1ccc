//! raystack Frontier (self-hosted): billing balance in virtual credits, over the
//! REST gateway (`api = "rest"`, up to v0.90) or Connect RPC (`api = "connect"`).

mod sandbox;
mod wire;

use rust_decimal::Decimal;
use url::Url;

use super::{
    Adapter, Balance, BoxFuture, KeySpec, ProviderSpec, endpoint, parse_body, parse_error_body,
    status_kind, vendor_error,
};
use crate::check::Ctx;
use crate::config::Keys;
use crate::error::{CheckError, ErrorKind};
use crate::http::Reply;
use crate::secret::SecretSource;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "frontier",
    about: "raystack Frontier (self-hosted), balance in virtual credits (VC)",
    keys: &[
        KeySpec::required("base_url", "your Frontier server (no default)"),
        KeySpec::optional(
            "api",
            "\"rest\" (default, up to v0.90) or \"connect\" (v0.91 and later)",
        ),
        KeySpec::optional("org_id", "organization id (required for api = \"rest\")"),
        KeySpec::required("billing_id", "billing account id"),
        KeySpec::required("client_id", "service user client id (HTTP Basic user)"),
        KeySpec::required(
            "client_secret",
            "service user client secret (HTTP Basic password)",
        )
        .secret(),
    ],
    build,
    emulator: &sandbox::Emulator,
};

#[derive(Debug)]
enum Api {
    Rest { org_id: String },
    Connect,
}

#[derive(Debug)]
struct Frontier {
    base_url: Url,
    api: Api,
    billing_id: String,
    client_id: String,
    client_secret: SecretSource,
}

fn build(keys: &mut Keys<'_>) -> Result<Box<dyn Adapter>, String> {
    let base_url = keys
        .base_url()
        .ok_or("`base_url` is required: Frontier is self-hosted")?;
    let api = keys.string("api")?;
    let org_id = keys.string("org_id")?;
    let api = match api.as_deref().unwrap_or("rest") {
        "rest" => Api::Rest {
            org_id: org_id.ok_or("`org_id` is required for api = \"rest\"")?,
        },
        "connect" => Api::Connect,
        other => return Err(format!("`api` `{other}` is not \"rest\" or \"connect\"")),
    };
    let billing_id = keys.required_string("billing_id")?;
    let client_id = keys.required_string("client_id")?;
    let client_secret = keys.required_secret("client_secret")?;
    Ok(Box::new(Frontier {
        base_url,
        api,
        billing_id,
        client_id,
        client_secret,
    }))
}

impl Adapter for Frontier {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let secret = ctx.secret(&self.client_secret).await?;
            let auth = |rb: reqwest::RequestBuilder| ctx.basic_auth(rb, &self.client_id, &secret);
            let reply = match &self.api {
                Api::Rest { org_id } => {
                    let url = endpoint(
                        &self.base_url,
                        &[
                            "v1beta1",
                            "organizations",
                            org_id,
                            "billing",
                            &self.billing_id,
                            "balance",
                        ],
                    );
                    ctx.send(|c| {
                        auth(
                            c.get(url.clone())
                                .header(reqwest::header::ACCEPT, "application/json"),
                        )
                    })
                    .await?
                }
                Api::Connect => {
                    let url = endpoint(
                        &self.base_url,
                        &[
                            "raystack.frontier.v1beta1.FrontierService",
                            "GetBillingBalance",
                        ],
                    );
                    let body = serde_json::to_vec(&wire::GetBillingBalanceRequest {
                        id: &self.billing_id,
                    })
                    .expect("serialisable");
                    // Connect's unary GetBillingBalance has no side effects, so retrying it is safe.
                    ctx.send(|c| {
                        auth(c.post(url.clone()))
                            .header(reqwest::header::CONTENT_TYPE, "application/json")
                            .body(body.clone())
                    })
                    .await?
                }
            };
            match self.api {
                Api::Rest { .. } => interpret(&reply, rest_error),
                Api::Connect => interpret(&reply, connect_error),
            }
        })
    }
}

fn interpret(reply: &Reply, error: fn(&Reply) -> CheckError) -> Result<Balance, CheckError> {
    if !reply.status.is_success() {
        return Err(error(reply));
    }
    let body: wire::BalanceResponse = parse_body(reply)?;
    let balance = body.balance.unwrap_or(wire::BillingBalance {
        amount: None,
        currency: None,
    });
    let amount = balance.amount.map_or(Decimal::ZERO, |a| a.0);
    // Frontier's unit is always virtual credits; the server says "VC".
    let currency = balance
        .currency
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "VC".into());
    Ok(Balance::new(amount, Some(currency)))
}

/// gRPC status codes, as grpc-gateway puts them in the body.
fn rest_error(reply: &Reply) -> CheckError {
    let status = reply.code();
    let body: Option<wire::RestError> = parse_error_body(reply);
    let (code, message) = body.map_or((None, None), |b| (b.code, b.message));
    let kind = match (status, code) {
        // An auth proxy in front of Frontier answers 401/403 with codes of its own.
        (401 | 403, _) => ErrorKind::Auth,
        (_, Some(16 | 7)) => ErrorKind::Auth, // UNAUTHENTICATED, PERMISSION_DENIED
        (_, Some(8)) => ErrorKind::RateLimited, // RESOURCE_EXHAUSTED
        // Codes of someone else's, or none: the status says what happened.
        _ => status_kind(status),
    };
    vendor_error(
        kind,
        status,
        code.map(|c| c.to_string()),
        message.as_deref(),
    )
}

fn connect_error(reply: &Reply) -> CheckError {
    let status = reply.code();
    let body: Option<wire::ConnectError> = parse_error_body(reply);
    let (code, message) = body.map_or((None, None), |b| (b.code, b.message));
    let kind = match (status, code.as_deref()) {
        // An auth proxy in front of Frontier answers 401/403 with codes of its own.
        (401 | 403, _) => ErrorKind::Auth,
        (_, Some("unauthenticated" | "permission_denied")) => ErrorKind::Auth,
        (_, Some("resource_exhausted")) => ErrorKind::RateLimited,
        // Codes of someone else's, or none: the status says what happened.
        _ => status_kind(status),
    };
    vendor_error(kind, status, code, message.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any status and body: a balance or a one-line error, never a panic.
    #[test]
    fn any_answer_is_handled() {
        crate::providers::check_any_answer(|reply| interpret(reply, rest_error));
        crate::providers::check_any_answer(|reply| interpret(reply, connect_error));
    }
}
