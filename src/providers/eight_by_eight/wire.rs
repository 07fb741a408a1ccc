//! 8x8 CPaaS SMS API bodies (docs_oas/connect/sms_api.json, `AccountBalance`).
//! The adapter reads them and the sandbox writes them, so the two cannot drift.

use serde::{Deserialize, Serialize};

use crate::money::Amount;

/// 200 from `GET /api/v1/accounts/{accountId}/balance`.
#[derive(Debug, Deserialize, Serialize)]
pub struct AccountBalance {
    pub balance: Amount,
    pub currency: Option<String>,
}

/// Every 8x8 error: `{"code": 1200, "message": "…", "errorId": "…", "timestamp": "…"}`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: Option<i64>,
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

pub const NOT_AUTHENTICATED: i64 = 1200;
/// Account not in prepaid mode: the balance resource is for prepaid customers only.
pub const NOT_PREPAID: i64 = 1201;
pub const INTERNAL: i64 = 2000;
