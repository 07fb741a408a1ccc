//! 8x8's balance API, emulated for `balance sandbox`.

use rust_decimal::Decimal;

use super::{valid_account_id, wire};
use crate::money::Amount;
use crate::sandbox::{self, Answer, Request, Scenario, State, Voice as _};

pub struct Emulator;

impl sandbox::Emulator for Emulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        let account = request
            .path
            .strip_prefix("/api/v1/accounts/")?
            .strip_suffix("/balance")?;
        if request.method != hyper::Method::GET || account.contains('/') {
            return None;
        }
        let Some(scenario) = request.credential("Bearer").and_then(Scenario::from_key) else {
            return Some(Voice.unauthorized());
        };
        if !valid_account_id(account) {
            return Some(error(400, None, "accountId must be a UUID"));
        }
        Some(state.play(&Voice, account, scenario))
    }

    fn profiles(&self, base_url: &str, _: Scenario, secret: &str) -> Vec<(String, String)> {
        vec![(
            String::new(),
            format!(
                "base_url = \"{base_url}\"\naccount_id = \"0b5c7e4a-1f3d-4c8e-9a6b-2d7f1e3c5a90\"\napi_key = {secret}\n"
            ),
        )]
    }
}

struct Voice;

fn error(status: u16, code: Option<i64>, message: &str) -> Answer {
    Answer::json(
        status,
        &wire::ErrorBody {
            code,
            message: Some(message.into()),
            // 8x8's OpenAPI: `errorId` is a UUID.
            error_id: Some(sandbox::uuid()),
            timestamp: Some(
                humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            ),
        },
    )
}

impl sandbox::Voice for Voice {
    const HEALTHY: &'static str = "149309.7985931";
    const LOW: &'static str = "3.75";

    fn balance(&self, amount: Decimal) -> Answer {
        Answer::json(
            200,
            &wire::AccountBalance {
                balance: Amount(amount),
                currency: Some("USD".into()),
            },
        )
    }

    fn unauthorized(&self) -> Answer {
        error(
            401,
            Some(wire::NOT_AUTHENTICATED),
            "Request was not authenticated properly",
        )
    }

    fn not_prepaid(&self) -> Option<Answer> {
        Some(error(
            403,
            Some(wire::NOT_PREPAID),
            "Account not in prepaid mode",
        ))
    }

    fn rate_limited(&self) -> Answer {
        error(
            429,
            Some(429),
            "Quota exceeded. Please try again in 1 second(s).",
        )
        .header(hyper::header::RETRY_AFTER, "1")
    }

    fn server_error(&self) -> Answer {
        error(500, Some(wire::INTERNAL), "Internal server error")
    }
}
