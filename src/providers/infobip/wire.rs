//! Infobip account balance bodies (`GET /account/1/balance`).
//! The adapter reads them and the sandbox writes them, so the two cannot drift.

use serde::{Deserialize, Serialize};

use crate::money::Amount;

#[derive(Debug, Deserialize, Serialize)]
pub struct AccountBalance {
    pub balance: Amount,
    pub currency: Option<String>,
}

/// Infobip errors come in two shapes; either may appear.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Legacy: `{"requestError":{"serviceException":{"messageId":…,"text":…}}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_error: Option<RequestError>,
    /// Newer: `{"errorCode":"E401","description":"…",…}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestError {
    pub service_exception: Option<ServiceException>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceException {
    pub message_id: Option<String>,
    pub text: Option<String>,
}

impl ErrorBody {
    /// The legacy shape, which the docs' examples and the Java client use.
    pub fn legacy(message_id: &str, text: &str) -> Self {
        ErrorBody {
            request_error: Some(RequestError {
                service_exception: Some(ServiceException {
                    message_id: Some(message_id.into()),
                    text: Some(text.into()),
                }),
            }),
            ..ErrorBody::default()
        }
    }

    /// (provider code, message) from whichever format the body uses.
    pub fn code_and_message(self) -> (Option<String>, Option<String>) {
        let legacy = self.request_error.and_then(|r| r.service_exception);
        match legacy {
            Some(e) if e.message_id.is_some() || e.text.is_some() => (e.message_id, e.text),
            _ => (self.error_code, self.description),
        }
    }
}
