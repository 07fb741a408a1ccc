//! Brevo (formerly Sendinblue): `GET {base}/v3/account` with an `api-key`
//! header; the balance is the SMS credits of the `plan` entry of type `sms`.
//! With `subaccounts`, a reseller's children from `GET {base}/v3/reseller/children`.

use serde_json::value::RawValue;

use crate::kit::json::{Pointer, string};
use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "brevo",
    aliases: &["sendinblue"],
    about: "Brevo (formerly Sendinblue), SMS credits",
    keys: &[KeySpec::secret(
        "api_key",
        "API key (xkeysib-…), sent as the `api-key` header",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://api.brevo.com"),
    build: Build::Described(|| {
        Description::get("/v3/account")
            .auth(Auth::header("api-key", "api_key"))
            .balance("/credits")
            // SMS credits, not money.
            .unit(Unit::Credits)
            .fixed_currency("credits")
            .error_code("/code")
            .error_message("/message")
            .codes(ErrorKind::Auth, &["unauthorized", "permission_denied"])
            .hooks(Hooks {
                amount: Some(sms_plan),
                ..Hooks::default()
            })
            .subaccounts("https://api.brevo.com", children())
    }),
    fixtures: crate::fixtures!("brevo"),
};

/// The `plan` entry whose `type` is `sms`. Other entries are skipped unread:
/// their `type` and `creditsType` may hold values the SDK enums lack.
fn sms_plan(doc: &RawValue) -> Option<&RawValue> {
    let plan = Pointer::known("/plan").resolve(doc)?;
    let entries: Vec<&RawValue> = serde_json::from_str(plan.get()).ok()?;
    let kind = Pointer::known("/type");
    entries
        .into_iter()
        .find(|e| kind.resolve(e).and_then(string).as_deref() == Some("sms"))
}

/// A reseller's children (Brevo's Swagger, GET /reseller/children: schema
/// `getChildrenList`, pages of at most 20 by `limit` and `offset`): each
/// child's SMS credits, `credits.smsCredits` (int64).
fn children() -> Description {
    Description::get("/v3/reseller/children")
        .auth(Auth::header("api-key", "api_key"))
        .each("/children", "/id", "/companyName", None)
        .paged("limit", "offset", 20, "/count")
        .balance("/credits/smsCredits")
        .unit(Unit::Credits)
        .fixed_currency("credits")
        .error_code("/code")
        .error_message("/message")
        .codes(ErrorKind::Auth, &["unauthorized", "permission_denied"])
}
