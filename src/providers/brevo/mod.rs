//! Brevo (formerly Sendinblue): `GET {base}/v3/account` with an `api-key`
//! header; the balance is the SMS credits of the `plan` entry of type `sms`.

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
