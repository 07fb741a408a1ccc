//! Infobip's balance API, emulated for `balance sandbox`.

use rust_decimal::Decimal;

use super::wire;
use crate::money::Amount;
use crate::sandbox::{self, Answer, Request, Scenario, State, Voice as _};

pub struct Emulator;

impl sandbox::Emulator for Emulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        if request.method != hyper::Method::GET || request.path != "/account/1/balance" {
            return None;
        }
        // `App {key}`, or Basic with the password picking the scenario.
        let key = match request.credential("App") {
            Some(key) => Some(key.to_owned()),
            None => request.basic_auth().map(|(_, password)| password),
        };
        let Some(scenario) = key.as_deref().and_then(Scenario::from_key) else {
            return Some(Voice.unauthorized());
        };
        let account = request.header("authorization").unwrap_or_default();
        Some(state.play(&Voice, account, scenario))
    }

    fn profiles(&self, base_url: &str, _: Scenario, secret: &str) -> Vec<(String, String)> {
        vec![(
            String::new(),
            format!("base_url = \"{base_url}\"\napi_key = {secret}\n"),
        )]
    }
}

struct Voice;

impl sandbox::Voice for Voice {
    const HEALTHY: &'static str = "47.79134";
    const LOW: &'static str = "2.5";

    fn balance(&self, amount: Decimal) -> Answer {
        Answer::json(
            200,
            &wire::AccountBalance {
                balance: Amount(amount),
                currency: Some("EUR".into()),
            },
        )
    }

    fn unauthorized(&self) -> Answer {
        Answer::json(
            401,
            &wire::ErrorBody::legacy("UNAUTHORIZED", "Invalid login details"),
        )
    }

    fn rate_limited(&self) -> Answer {
        Answer::json(
            429,
            &wire::ErrorBody::legacy("TOO_MANY_REQUESTS", "Too many requests"),
        )
    }

    /// In the newer error format, so that both formats are exercised.
    fn server_error(&self) -> Answer {
        Answer::json(
            500,
            &wire::ErrorBody {
                error_code: Some("E500".into()),
                description: Some("Something went wrong. Please contact support.".into()),
                ..wire::ErrorBody::default()
            },
        )
    }
}
