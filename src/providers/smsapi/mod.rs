//! SMSAPI: `GET {base}/profile` with a Bearer token; the balance is `points`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "smsapi",
    aliases: &[],
    about: "SMSAPI (smsapi.pl, smsapi.com, .bg, .se)",
    keys: &[
        KeySpec::secret(
            "token",
            "OAuth access token, sent as `Authorization: Bearer`",
        )
        .required(),
        KeySpec::choice(
            "region",
            &["pl", "com", "bg", "se"],
            "pl, com (international), bg or se; or set base_url",
        ),
    ],
    rules: &[Rule::OneOf(&[&["region"], &["base_url"]])],
    // One domain per market, and no default among them.
    base_url: BaseUrl::ByKey {
        key: "region",
        urls: &[
            ("pl", "https://api.smsapi.pl"),
            ("com", "https://api.smsapi.com"),
            ("bg", "https://api.smsapi.bg"),
            ("se", "https://api.smsapi.se"),
        ],
        default: None,
    },
    build: Build::Described(|| {
        Description::get("/profile")
            .auth(Auth::bearer("token"))
            .balance("/points")
            // Points are SMSAPI's unit, not money.
            // SMSAPI's own credits, not money.
            .unit(Unit::Credits)
            .fixed_currency("points")
            .not_prepaid_when("/payment_type", "postpaid")
            .error_code("/error")
            .error_message("/message")
    }),
    fixtures: crate::fixtures!("smsapi"),
};
