//! SMS.to: `GET {base}/api/balance` with `Authorization: Bearer {api_key}`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "smsto",
    aliases: &[],
    about: "SMS.to",
    keys: &[KeySpec::secret("api_key", "API key, sent as `Authorization: Bearer`").required()],
    rules: &[],
    base_url: BaseUrl::Default("https://auth.sms.to"),
    build: Build::Described(|| {
        Description::get("/api/balance")
            .json()
            .auth(Auth::bearer("api_key"))
            .balance("/balance")
            .currency("/currency")
            // "REMAINING SMS (APROX.)", as the vendor's README puts it.
            .detail("sms_count", "/sms_count")
            // The vendor's SDK shows `message` when there is no balance.
            .error_message("/message")
    }),
    fixtures: crate::fixtures!("smsto"),
};
