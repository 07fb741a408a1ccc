//! EngageLab SMS balance bodies (`GET /v1/balance`).
//! The adapter reads them and the sandbox writes them, so the two cannot drift.

use serde::{Deserialize, Serialize};

use crate::money::Amount;

/// `{"balance10000":123456,"gift_balance10000":20000,"balance":12.3456,
///   "gift_balance":2,"total_balance10000":143456,"total_balance":14.3456}`.
/// The `*10000` integers are the exact ones; the floats are a fallback.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct BalanceBody {
    pub balance10000: Option<Amount>,
    pub gift_balance10000: Option<Amount>,
    pub total_balance10000: Option<Amount>,
    pub balance: Option<Amount>,
    pub gift_balance: Option<Amount>,
    pub total_balance: Option<Amount>,
    /// Present on errors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
}

/// `{"code": 2001, "message": "…"}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    pub message: Option<String>,
}

pub const INVALID_TOKEN: i64 = 2001;
pub const INTERNAL: i64 = 1000;
