//! raystack Frontier billing balance bodies, for both server generations.
//! The adapter reads them and the sandbox writes them, so the two cannot drift.

use serde::{Deserialize, Serialize};

use crate::money::Amount;

/// `{"balance":{"amount":"12500","currency":"VC","updated_at":null}}`. proto3 JSON
/// leaves out zero values, so a missing `amount` (or `balance`) is 0.
#[derive(Debug, Deserialize, Serialize)]
pub struct BalanceResponse {
    pub balance: Option<BillingBalance>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct BillingBalance {
    /// int64, which proto3 JSON writes as a string.
    #[serde(
        serialize_with = "Amount::serialize_as_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Amount>,
    pub currency: Option<String>,
}

/// Connect RPC request body of `GetBillingBalance`.
#[derive(Debug, Deserialize, Serialize)]
pub struct GetBillingBalanceRequest<'a> {
    pub id: &'a str,
}

/// grpc-gateway (REST, up to v0.90): `{"code": 16, "message": "…", "details": []}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct RestError {
    pub code: Option<i64>,
    pub message: Option<String>,
    #[serde(default)]
    pub details: Vec<serde_json::Value>,
}

/// Connect (v0.91 and later): `{"code": "unauthenticated", "message": "…"}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct ConnectError {
    pub code: Option<String>,
    pub message: Option<String>,
}
