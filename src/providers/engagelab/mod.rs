//! EngageLab SMS: `GET {base}/v1/balance` with Basic `dev_key:dev_secret`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "engagelab",
    aliases: &[],
    about: "EngageLab SMS",
    keys: &[
        KeySpec::text("dev_key", "developer key (HTTP Basic user)").required(),
        KeySpec::secret("dev_secret", "developer secret (HTTP Basic password)").required(),
    ],
    rules: &[],
    base_url: BaseUrl::Default("https://smsapi.engagelab.com"),
    build: Build::Described(|| {
        // The vendor asks clients to use the exact `*10000` integers; the
        // floats are a fallback. Total (general + gift) is what can be spent.
        Description::get("/v1/balance")
            .auth(Auth::basic("dev_key", "dev_secret"))
            .scaled_balance("/total_balance10000", 10000)
            .balance("/total_balance")
            .available_sum(&[Part::Cash, Part::Bonus])
            .scaled_part(Part::Cash, "/balance10000", 10000)
            .part(Part::Cash, "/balance")
            .scaled_part(Part::Bonus, "/gift_balance10000", 10000)
            .part(Part::Bonus, "/gift_balance")
            .error_code("/code")
            .error_message("/message")
            .codes(ErrorKind::Auth, &["2001", "2002", "2004"])
    }),
    fixtures: crate::fixtures!("engagelab"),
};
