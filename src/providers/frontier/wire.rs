//! raystack Frontier billing balance bodies, for both server generations.

use serde::Deserialize;

use crate::money::Amount;

/// `{"balance":{"amount":"12500","currency":"VC","updated_at":null}}`. proto3 JSON
/// leaves out zero values, so a missing `amount` (or `balance`) is 0.
#[derive(Debug, Deserialize)]
pub struct BalanceResponse {
    pub balance: Option<BillingBalance>,
}

#[derive(Debug, Deserialize)]
pub struct BillingBalance {
    pub amount: Option<Amount>,
    pub currency: Option<String>,
}

/// Connect RPC request body of `GetBillingBalance`.
#[derive(Debug, serde::Serialize)]
pub struct GetBillingBalanceRequest<'a> {
    pub id: &'a str,
}

/// grpc-gateway (REST, up to v0.90): `{"code": 16, "message": "…", "details": []}`.
#[derive(Debug, Deserialize)]
pub struct RestError {
    pub code: Option<i64>,
    pub message: Option<String>,
}

/// Connect (v0.91 and later): `{"code": "unauthenticated", "message": "…"}`.
#[derive(Debug, Deserialize)]
pub struct ConnectError {
    pub code: Option<String>,
    pub message: Option<String>,
}
