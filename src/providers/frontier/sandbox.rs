//! Frontier's billing balance API, emulated for `balance sandbox`: the REST
//! gateway (up to v0.90) and the Connect RPC (v0.91 and later).

use rust_decimal::Decimal;

use super::wire;
use crate::money::Amount;
use crate::sandbox::{self, Answer, Request, Scenario, State, Voice as _};

pub struct Emulator;

const CONNECT_PATH: &str = "/raystack.frontier.v1beta1.FrontierService/GetBillingBalance";

impl sandbox::Emulator for Emulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        use hyper::Method;
        let scenario = request
            .basic_auth()
            .and_then(|(_, secret)| Scenario::from_key(&secret));
        if request.method == Method::POST && request.path == CONNECT_PATH {
            let Some(scenario) = scenario else {
                return Some(Connect.unauthorized());
            };
            if !request
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json"))
            {
                return Some(connect_error(415, "unknown", "unsupported content type"));
            }
            let id = serde_json::from_slice::<wire::GetBillingBalanceRequest>(&request.body)
                .ok()
                .map(|r| r.id.to_owned())
                .filter(|id| is_uuid(id));
            let Some(id) = id else {
                return Some(connect_error(
                    400,
                    "invalid_argument",
                    "id must be a billing account UUID",
                ));
            };
            return Some(state.play(&Connect, &id, scenario));
        }

        let rest = request.path.strip_prefix("/v1beta1/organizations/")?;
        let [_org, "billing", billing, "balance"] = rest.split('/').collect::<Vec<_>>()[..] else {
            return None;
        };
        if request.method != Method::GET {
            return None;
        }
        let Some(scenario) = scenario else {
            return Some(Rest.unauthorized());
        };
        if !is_uuid(billing) {
            return Some(rest_error(400, 3, "invalid billing account id"));
        }
        Some(state.play(&Rest, billing, scenario))
    }

    fn profiles(&self, base_url: &str, _: Scenario, secret: &str) -> Vec<(String, String)> {
        let keys = format!(
            "base_url = \"{base_url}\"\nbilling_id = \"5f0c2b9e-8a4d-4e1b-b7c3-9d2e6f1a4c80\"\nclient_id = \"sandbox\"\nclient_secret = {secret}\n"
        );
        vec![
            (
                String::new(),
                format!("{keys}org_id = \"a1d4c7e2-3b6f-4a9d-8c2e-7f1b5d9e3a60\"\n"),
            ),
            ("-connect".into(), format!("{keys}api = \"connect\"\n")),
        ]
    }
}

/// 8-4-4-4-12 hex digits, as Frontier's validators want.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn balance(amount: Decimal) -> Answer {
    Answer::json(
        200,
        &wire::BalanceResponse {
            balance: Some(wire::BillingBalance {
                // proto3 JSON leaves a zero out.
                amount: (!amount.is_zero()).then_some(Amount(amount)),
                currency: Some("VC".into()),
            }),
        },
    )
}

fn rest_error(status: u16, code: i64, message: &str) -> Answer {
    Answer::json(
        status,
        &wire::RestError {
            code: Some(code),
            message: Some(message.into()),
            details: Vec::new(),
        },
    )
}

fn connect_error(status: u16, code: &str, message: &str) -> Answer {
    Answer::json(
        status,
        &wire::ConnectError {
            code: Some(code.into()),
            message: Some(message.into()),
        },
    )
}

/// grpc-gateway: gRPC status codes in the body.
struct Rest;

impl sandbox::Voice for Rest {
    const HEALTHY: &'static str = "12500";
    const LOW: &'static str = "-250";

    fn balance(&self, amount: Decimal) -> Answer {
        balance(amount)
    }

    fn unauthorized(&self) -> Answer {
        rest_error(401, 16, "not authenticated")
    }

    fn rate_limited(&self) -> Answer {
        rest_error(429, 8, "rate limit exceeded")
    }

    fn server_error(&self) -> Answer {
        rest_error(500, 13, "internal server error")
    }
}

/// Connect RPC: code names in the body.
struct Connect;

impl sandbox::Voice for Connect {
    const HEALTHY: &'static str = <Rest as sandbox::Voice>::HEALTHY;
    const LOW: &'static str = <Rest as sandbox::Voice>::LOW;

    fn balance(&self, amount: Decimal) -> Answer {
        balance(amount)
    }

    fn unauthorized(&self) -> Answer {
        connect_error(401, "unauthenticated", "not authenticated")
    }

    fn rate_limited(&self) -> Answer {
        connect_error(429, "resource_exhausted", "rate limit exceeded")
    }

    fn server_error(&self) -> Answer {
        connect_error(500, "internal", "internal server error")
    }
}
