//! Yeastar Partner Portal OpenAPI bodies. Every answer is wrapped in one envelope.
//! The adapter reads them and the sandbox writes them, so the two cannot drift.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::money::Amount;

/// `{"code": "success" | error, "detailMessage": …, "requestId": …, "result": …, "status": 200}`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub code: Option<String>,
    pub detail_message: Option<String>,
    #[serde(default, skip_deserializing)]
    pub request_id: String,
    pub result: Option<Box<RawValue>>,
    /// Mirrors the HTTP status.
    pub status: Option<u16>,
}

pub const SUCCESS: &str = "success";

/// `result` of the token endpoint (both grants).
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub token: String,
    pub token_head: Option<String>,
    /// Seconds, documented as a string; a number is accepted too.
    #[serde(serialize_with = "Amount::serialize_as_string")]
    pub expires_in: Option<Amount>,
    pub refresh_token: Option<String>,
}

/// `result` of `GET /user/openapi/user/v1/client/account_balance`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBalance {
    pub account_balance: Amount,
}
