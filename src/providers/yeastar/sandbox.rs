//! Yeastar Partner Portal's token and balance APIs, emulated for `balance sandbox`.
//! The client_secret picks the scenario when a token is issued; the token carries it.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::{RawValue, to_raw_value};

use super::wire;
use crate::kit::emulate::{self as sandbox, Answer, Request, Scenario, State, Voice as _};
use crate::money::Amount;

pub struct Emulator;

const TOKEN_PATH: &str = "/auth/openapi/v1/oauth/token";
const BALANCE_PATH: &str = "/user/openapi/user/v1/client/account_balance";

impl sandbox::Emulator for Emulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        use hyper::Method;
        let token = match (&request.method, request.path.as_str()) {
            (&Method::POST, TOKEN_PATH) => true,
            (&Method::GET, BALANCE_PATH) => false,
            _ => return None,
        };
        if request.header("user-agent").is_none_or(str::is_empty) {
            return Some(envelope(
                400,
                "invalid_request",
                "User-Agent header is required",
                None,
            ));
        }
        if token {
            return Some(token_answer(request, state));
        }
        let token = request.credential("Bearer").unwrap_or_default();
        if let Some(name) = state.token_fixture(token) {
            return Some(sandbox::fixture_answer(&super::SPEC.fixtures(), &name));
        }
        let Some(scenario) = state.token(token) else {
            return Some(envelope(
                401,
                "token_invalid",
                "access token is invalid or expired",
                None,
            ));
        };
        Some(state.play(&Voice, token, scenario))
    }

    fn profiles(&self, base_url: &str, scenario: Scenario, secret: &str) -> Vec<(String, String)> {
        // Each scenario (and each fixture) its own client_id: the token cache is
        // per client_id.
        let client = fixture_name(secret.trim_matches('"')).unwrap_or(scenario.key());
        vec![(
            String::new(),
            format!(
                "base_url = \"{base_url}\"\nclient_id = \"sandbox-{client}\"\nclient_secret = {secret}\ncurrency = \"USD\"\n"
            ),
        )]
    }
}

fn token_answer(request: &Request, state: &State) -> Answer {
    let form_type = "application/x-www-form-urlencoded";
    if !request
        .header("content-type")
        .is_some_and(|t| t.starts_with(form_type))
    {
        return envelope(
            400,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
            None,
        );
    }
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let fixture = match field("grant_type") {
        "pp_credentials" if !field("client_id").is_empty() => {
            fixture_name(field("client_secret")).map(str::to_owned)
        }
        "refresh_token" => state.token_fixture(field("refresh_token")),
        _ => None,
    };
    if let Some(name) = fixture {
        // The refresh token is spent as any other (each works once).
        state.take_refresh_token(field("refresh_token"));
        let (token, refresh_token) = state.issue_fixture_token(&name);
        return token_envelope(state, token, refresh_token);
    }
    let scenario = match field("grant_type") {
        "pp_credentials" if !field("client_id").is_empty() => {
            Scenario::from_key(field("client_secret")).filter(|s| *s != Scenario::BadCredentials)
        }
        "refresh_token" => state.take_refresh_token(field("refresh_token")),
        "pp_credentials" => None,
        _ => {
            return envelope(
                400,
                "unsupported_grant_type",
                "grant_type must be pp_credentials or refresh_token",
                None,
            );
        }
    };
    let Some(scenario) = scenario else {
        return Voice.unauthorized();
    };
    let (token, refresh_token) = state.issue_token(scenario);
    token_envelope(state, token, refresh_token)
}

/// `NAME` of a `fixture:NAME` client_secret: its tokens answer with that fixture.
fn fixture_name(secret: &str) -> Option<&str> {
    secret.strip_prefix("fixture:")
}

fn token_envelope(state: &State, token: String, refresh_token: String) -> Answer {
    let result = wire::Token {
        token,
        token_head: Some("Bearer".into()),
        expires_in: Some(Amount(Decimal::from(state.token_ttl.as_secs()))),
        refresh_token: Some(refresh_token),
    };
    envelope(200, wire::SUCCESS, "", Some(raw(&result)))
}

fn raw(value: &impl Serialize) -> Box<RawValue> {
    to_raw_value(value).expect("wire types serialise")
}

/// Every Yeastar answer: the envelope, its `status` mirroring the HTTP status.
fn envelope(status: u16, code: &str, message: &str, result: Option<Box<RawValue>>) -> Answer {
    Answer::json(
        status,
        &wire::Envelope {
            code: Some(code.into()),
            detail_message: Some(message.into()),
            request_id: sandbox::request_id(),
            result,
            status: Some(status),
        },
    )
}

struct Voice;

impl sandbox::Voice for Voice {
    const HEALTHY: &'static str = "675.24";
    const LOW: &'static str = "1.5";

    fn balance(&self, amount: Decimal) -> Answer {
        let result = wire::AccountBalance {
            account_balance: Amount(amount),
        };
        envelope(200, wire::SUCCESS, "", Some(raw(&result)))
    }

    fn unauthorized(&self) -> Answer {
        envelope(
            401,
            "invalid_client",
            "client_id or client_secret is wrong",
            None,
        )
    }

    fn rate_limited(&self) -> Answer {
        envelope(
            429,
            "too_many_requests",
            "request rate limit exceeded",
            None,
        )
    }

    fn server_error(&self) -> Answer {
        envelope(500, "internal_error", "internal server error", None)
    }
}
