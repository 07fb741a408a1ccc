//! EngageLab SMS balance bodies (`GET /v1/balance`).

use serde::Deserialize;

use crate::money::Amount;

/// `{"balance10000":123456,"gift_balance10000":20000,"balance":12.3456,
///   "gift_balance":2,"total_balance10000":143456,"total_balance":14.3456}`.
/// The `*10000` integers are the exact ones; the floats are a fallback.
#[derive(Debug, Deserialize)]
pub struct BalanceBody {
    pub balance10000: Option<Amount>,
    pub gift_balance10000: Option<Amount>,
    pub total_balance10000: Option<Amount>,
    pub balance: Option<Amount>,
    pub gift_balance: Option<Amount>,
    pub total_balance: Option<Amount>,
    /// Present on errors only.
    pub code: Option<i64>,
}

/// `{"code": 2001, "message": "…"}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub code: Option<i64>,
    pub message: Option<String>,
}
