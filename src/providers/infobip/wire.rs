//! Infobip account balance bodies (`GET /account/1/balance`).

use serde::Deserialize;

use crate::money::Amount;

#[derive(Debug, Deserialize)]
pub struct AccountBalance {
    pub balance: Amount,
    pub currency: Option<String>,
}

/// Infobip errors come in two shapes; either may appear.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Legacy: `{"requestError":{"serviceException":{"messageId":…,"text":…}}}`.
    pub request_error: Option<RequestError>,
    /// Newer: `{"errorCode":"E401","description":"…",…}`.
    pub error_code: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestError {
    pub service_exception: Option<ServiceException>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceException {
    pub message_id: Option<String>,
    pub text: Option<String>,
}

impl ErrorBody {
    /// (provider code, message) from whichever format the body uses.
    pub fn code_and_message(self) -> (Option<String>, Option<String>) {
        let legacy = self.request_error.and_then(|r| r.service_exception);
        match legacy {
            Some(e) if e.message_id.is_some() || e.text.is_some() => (e.message_id, e.text),
            _ => (self.error_code, self.description),
        }
    }
}
