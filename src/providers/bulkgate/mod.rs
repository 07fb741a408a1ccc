//! BulkGate: `POST {base}/api/2.0/advanced/info` with the application id and
//! token in the JSON body; the balance is in BulkGate credits.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "bulkgate",
    aliases: &[],
    about: "BulkGate (credit balance)",
    keys: &[
        KeySpec::text(
            "application_id",
            "application id (digits), sent in the body",
        )
        .required()
        .check(application_id, "36014")
        .cases(&["1", "36014"], &["", "36 014", "abc", "1\"}"]),
        KeySpec::secret(
            "application_token",
            "application token, sent in the JSON body",
        )
        .required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://portal.bulkgate.com"),
    build: Build::Described(|| {
        Description::post(
            "/api/2.0/advanced/info",
            r#"{"application_id": "{application_id}"}"#,
        )
        .json()
        .auth(Auth::json_field("application_token", "application_token"))
        .balance("/data/credit")
        // The documented answer says `"currency": "credits"`.
        .currency("/data/currency")
        .unit(Unit::Credits)
        .detail("free_messages", "/data/free_messages")
        .error_code("/error")
        .error_message("/error")
        // The error's HTTP status is undocumented: the body's word decides.
        .codes(ErrorKind::Auth, &["authentication_failed"])
    }),
    fixtures: crate::fixtures!("bulkgate"),
};

/// The documented ids are numbers.
fn application_id(id: &str) -> Result<(), String> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("is not a BulkGate application id (digits only)".into())
    }
}
