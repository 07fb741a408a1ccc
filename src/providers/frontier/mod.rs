//! raystack Frontier (self-hosted): billing balance in virtual credits, over the
//! REST gateway (`api = "rest"`, up to v0.90) or Connect RPC (`api = "connect"`).
//! Two descriptions; code only to pick one, and to emulate both.

use std::sync::Arc;

use url::Url;

use crate::kit::described::Described;
use crate::kit::emulate::{self, Answer, Emulator, Request, Scenario, State};
use crate::kit::fixture::Fixture;
use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "frontier",
    aliases: &[],
    about: "raystack Frontier (self-hosted), balance in virtual credits (VC)",
    keys: &[
        KeySpec::choice(
            "api",
            &["rest", "connect"],
            "\"rest\" (default, up to v0.90) or \"connect\" (v0.91 and later)",
        ),
        KeySpec::text("org_id", "organization id (required for api = \"rest\")")
            .example("4a1d2c3b-0000-4000-8000-000000000001"),
        KeySpec::text("billing_id", "billing account id")
            .required()
            .example("9f8e7d6c-0000-4000-8000-000000000002"),
        KeySpec::text("client_id", "service user client id (HTTP Basic user)").required(),
        KeySpec::secret(
            "client_secret",
            "service user client secret (HTTP Basic password)",
        )
        .required(),
    ],
    rules: &[Rule::OnlyWhen {
        key: "org_id",
        when: "api",
        value: "rest",
        default: "rest",
    }],
    base_url: BaseUrl::Required,
    build: Build::Code {
        build,
        emulator: &FrontierEmulator,
    },
    fixtures: crate::fixtures!("frontier"),
};

fn rest() -> Description {
    Description::get("/v1beta1/organizations/{org_id}/billing/{billing_id}/balance")
        .json()
        .auth(Auth::basic("client_id", "client_secret"))
        // An int64: proto3 JSON writes it as a string.
        .balance("/balance/amount")
        .currency("/balance/currency")
        .implied_currency("VC")
        // Virtual credits, not money.
        .unit(Unit::Credits)
        // gRPC codes, as grpc-gateway puts them in the body.
        .error_code("/code")
        .error_message("/message")
        .codes(ErrorKind::Auth, &["16", "7"])
        .codes(ErrorKind::RateLimited, &["8"])
}

fn connect() -> Description {
    Description::post(
        "/raystack.frontier.v1beta1.FrontierService/GetBillingBalance",
        r#"{"id": "{billing_id}"}"#,
    )
    .auth(Auth::basic("client_id", "client_secret"))
    .balance("/balance/amount")
    // proto3 JSON leaves a zero amount out.
    .absent_is_zero()
    .currency("/balance/currency")
    .implied_currency("VC")
    .unit(Unit::Credits)
    .error_code("/code")
    .error_message("/message")
    .codes(ErrorKind::Auth, &["unauthenticated", "permission_denied"])
    .codes(ErrorKind::RateLimited, &["resource_exhausted"])
}

fn build(values: Values, base_url: Url) -> Result<Box<dyn Adapter>, String> {
    let description = match values.text("api") {
        Some("connect") => connect(),
        _ => rest(),
    };
    Ok(Box::new(Described {
        description: Arc::new(description),
        base_url,
        subaccounts_url: None,
        values,
    }))
}

/// Both generations at once: the path tells which one a request is for.
struct FrontierEmulator;

impl FrontierEmulator {
    fn generations() -> [(Description, Vec<Fixture>); 2] {
        let (c, r): (Vec<Fixture>, Vec<Fixture>) = SPEC
            .fixtures()
            .into_iter()
            .partition(|f| f.name.ends_with(".connect.http"));
        [(rest(), r), (connect(), c)]
    }
}

impl Emulator for FrontierEmulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        Self::generations().iter().find_map(|(d, fixtures)| {
            let emulator = emulate::Described {
                provider: "frontier",
                description: d,
                fixtures,
            };
            emulator
                .serves(request)
                .then(|| emulator.answer(request, state))
        })
    }

    fn profiles(&self, base_url: &str, _: Scenario, secret: &str) -> Vec<(String, String)> {
        let keys = |api: &str| {
            let org = if api == "rest" {
                format!("org_id = \"{}\"\n", SPEC.keys[1].example)
            } else {
                String::new()
            };
            format!(
                "base_url = \"{base_url}\"\napi = \"{api}\"\n{org}billing_id = \"{}\"\nclient_id = \"svc-balance\"\nclient_secret = {secret}\n",
                SPEC.keys[2].example
            )
        };
        vec![
            (String::new(), keys("rest")),
            ("-connect".into(), keys("connect")),
        ]
    }
}

#[cfg(test)]
mod tests {
    /// Both generations read their own documented answers as expected.
    #[test]
    fn fixtures_read_as_expected() {
        for (d, fixtures) in super::FrontierEmulator::generations() {
            crate::providers::fixtures_read_as_expected::check("frontier", &d, &fixtures);
        }
    }
}
