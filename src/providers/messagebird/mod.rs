//! MessageBird (legacy REST): `GET {base}/balance`, `Authorization: AccessKey {access_key}`.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "messagebird",
    aliases: &["bird"],
    about: "MessageBird (legacy REST API)",
    keys: &[KeySpec::secret(
        "access_key",
        "access key (live, or test_…), sent as `AccessKey`",
    )
    .required()],
    rules: &[],
    base_url: BaseUrl::Default("https://rest.messagebird.com"),
    build: Build::Described(|| {
        Description::get("/balance")
            .json()
            .auth(Auth::scheme("AccessKey", "access_key"))
            // A number, integer or not.
            .balance("/amount")
            // Words for some units; an ISO code for every other currency.
            .currency("/type")
            .currency_word("credits", "credits")
            .currency_word("euros", "EUR")
            .currency_word("pounds", "GBP")
            .currency_word("dollars", "USD")
            .unit_when("/type", "credits", Unit::Credits)
            // "When postpaid is your payment method, the amount will be 0".
            .not_prepaid_when("/payment", "postpaid")
            // Also inside a 2xx answer, as the SDK reads it.
            .error_code("/errors/0/code")
            .error_message("/errors/0/description")
            .codes(ErrorKind::Auth, &["2"])
    }),
    fixtures: crate::fixtures!("messagebird"),
};
