//! 8x8 CPaaS SMS API bodies (docs_oas/connect/sms_api.json, `AccountBalance`).

use serde::Deserialize;

use crate::money::Amount;

/// 200 from `GET /api/v1/accounts/{accountId}/balance`.
#[derive(Debug, Deserialize)]
pub struct AccountBalance {
    pub balance: Amount,
    pub currency: Option<String>,
}

/// Every 8x8 error: `{"code": 1200, "message": "…", "errorId": "…", "timestamp": "…"}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub code: Option<i64>,
    pub message: Option<String>,
}

/// Account not in prepaid mode: the balance resource is for prepaid customers only.
pub const NOT_PREPAID: i64 = 1201;
