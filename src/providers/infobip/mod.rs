//! Infobip: `GET {base}/account/1/balance`, `Authorization: App {api_key}` or Basic.

use crate::kit::prelude::*;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "infobip",
    aliases: &[],
    about: "Infobip",
    keys: &[
        KeySpec::secret(
            "api_key",
            "API key, sent as `Authorization: App`; or username + password",
        ),
        KeySpec::text("username", "for HTTP Basic auth, with password"),
        KeySpec::secret("password", "for HTTP Basic auth, with username"),
    ],
    rules: &[Rule::OneOf(&[&["api_key"], &["username", "password"]])],
    // Each account has a personal https://xxxxx.api.infobip.com: use it.
    base_url: BaseUrl::Default("https://api.infobip.com"),
    build: Build::Described(|| {
        Description::get("/account/1/balance")
            .json()
            // The scheme word is `App`: not `Api`, not `Bearer`.
            .auth(Auth::scheme("App", "api_key"))
            .auth(Auth::basic("username", "password"))
            .balance("/balance")
            .currency("/currency")
            // Two error formats: the legacy envelope and the newer flat one.
            .error_code("/requestError/serviceException/messageId")
            .error_code("/errorCode")
            .error_message("/requestError/serviceException/text")
            .error_message("/description")
            .codes(
                ErrorKind::Auth,
                &["UNAUTHORIZED", "E401", "FORBIDDEN", "E403"],
            )
            .codes(ErrorKind::RateLimited, &["TOO_MANY_REQUESTS", "E429"])
    }),
    fixtures: crate::fixtures!("infobip"),
};
