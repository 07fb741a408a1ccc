//! Yeastar Partner Portal OpenAPI bodies. Every answer is wrapped in one envelope.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::money::Amount;

/// `{"code": "success" | error, "detailMessage": …, "requestId": …, "result": …, "status": 200}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub code: Option<String>,
    pub detail_message: Option<String>,
    pub result: Option<Box<RawValue>>,
    /// Mirrors the HTTP status.
    pub status: Option<u16>,
}

pub const SUCCESS: &str = "success";

/// `result` of the token endpoint (both grants).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub token: String,
    pub token_head: Option<String>,
    /// Seconds, documented as a string; a number is accepted too.
    pub expires_in: Option<Amount>,
    pub refresh_token: Option<String>,
}

/// `result` of `GET /user/openapi/user/v1/client/account_balance`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBalance {
    pub account_balance: Amount,
}
