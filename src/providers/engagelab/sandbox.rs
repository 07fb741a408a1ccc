//! EngageLab's SMS balance API, emulated for `balance sandbox`.

use rust_decimal::Decimal;

use super::wire;
use crate::money::Amount;
use crate::sandbox::{self, Answer, Request, Scenario, State, Voice as _};

pub struct Emulator;

impl sandbox::Emulator for Emulator {
    fn answer(&self, request: &Request, state: &State) -> Option<Answer> {
        if request.method != hyper::Method::GET || request.path != "/v1/balance" {
            return None;
        }
        let Some((dev_key, dev_secret)) = request.basic_auth() else {
            return Some(Voice.unauthorized());
        };
        let Some(scenario) = Scenario::from_key(&dev_secret) else {
            return Some(Voice.unauthorized());
        };
        Some(state.play(&Voice, &dev_key, scenario))
    }

    fn profiles(&self, base_url: &str, scenario: Scenario, secret: &str) -> Vec<(String, String)> {
        vec![(
            String::new(),
            format!(
                "base_url = \"{base_url}\"\ndev_key = \"sandbox-{}\"\ndev_secret = {secret}\ncurrency = \"USD\"\n",
                scenario.key()
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
        },
    )
}

impl sandbox::Voice for Voice {
    const HEALTHY: &'static str = "14.3456";
    const LOW: &'static str = "0.5";

    /// The documented body: `*10000` integers and their float twins, with 2 of
    /// the total as gift balance when there is that much.
    fn balance(&self, total: Decimal) -> Answer {
        let gift = if total >= Decimal::TWO {
            Decimal::TWO
        } else {
            Decimal::ZERO
        };
        let general = total - gift;
        let scaled = |d: Decimal| Some(Amount((d * Decimal::from(10_000)).normalize()));
        let plain = |d: Decimal| Some(Amount(d.normalize()));
        Answer::json(
            200,
            &wire::BalanceBody {
                balance10000: scaled(general),
                gift_balance10000: scaled(gift),
                total_balance10000: scaled(total),
                balance: plain(general),
                gift_balance: plain(gift),
                total_balance: plain(total),
                code: None,
            },
        )
    }

    fn unauthorized(&self) -> Answer {
        error(401, Some(wire::INVALID_TOKEN), "invalid token")
    }

    fn rate_limited(&self) -> Answer {
        error(429, None, "too many requests")
    }

    fn server_error(&self) -> Answer {
        error(500, Some(wire::INTERNAL), "internal error")
    }
}
