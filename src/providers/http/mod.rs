//! `provider = "http"` (SPEC §9): a vendor's balance endpoint described by the
//! user in the terms the built-in adapters use, run by the same engine.

use std::sync::Arc;

use url::Url;

use crate::error::ErrorKind;
use crate::kit::described::Described;
use crate::kit::emulate::{self, Emulator, Request, Scenario, State};
use crate::kit::engine::AmountAt;
use crate::kit::json::Pointer;
use crate::kit::prelude::*;
use crate::secret::SecretSource;

pub static SPEC: ProviderSpec = ProviderSpec {
    name: "http",
    aliases: &[],
    about: "any JSON balance endpoint, described in the profile (docs/providers.md: \"Any vendor\")",
    keys: &[
        KeySpec::text(
            "url",
            "the balance endpoint (https://, or http:// on loopback)",
        )
        .required(),
        KeySpec::choice("method", &["GET", "POST"], "GET (default) or POST"),
        KeySpec::text("body", "POST body, sent as application/json"),
        KeySpec::toml(
            "headers",
            "extra headers: { \"X-Client\" = \"ops\" }; a value may be a secret",
        ),
        KeySpec::toml(
            "auth",
            "one of { bearer = S }, { basic = { username = \"u\", password = S } }, { scheme = \"AccessKey\", value = S }, { header = \"X-Api-Key\", value = S }, { query = \"api_key\", value = S }",
        ),
        KeySpec::text(
            "balance_pointer",
            "JSON Pointer to the amount, e.g. \"/data/balance\"",
        )
        .required(),
        KeySpec::toml("currency_pointer", "JSON Pointer to the currency"),
        KeySpec::toml("scale", "the amount is an integer of 1/scale units"),
        KeySpec::toml(
            "details",
            "extras: { credit_limit = \"/data/credit_limit\" }",
        ),
        KeySpec::toml(
            "error_code_pointer",
            "JSON Pointer to the vendor's error code (\"\" is the whole body)",
        ),
        KeySpec::toml(
            "error_message_pointer",
            "JSON Pointer to the vendor's error message",
        ),
        KeySpec::toml("auth_codes", "vendor codes meaning: credentials rejected"),
        KeySpec::toml(
            "rate_limit_codes",
            "vendor codes meaning: rate limited (retried)",
        ),
        KeySpec::toml(
            "not_prepaid_codes",
            "vendor codes meaning: no prepaid balance",
        ),
    ],
    rules: &[],
    base_url: BaseUrl::Key("url"),
    build: Build::Code {
        build,
        emulator: &Endpoint,
    },
    fixtures: crate::fixtures!("http"),
};

fn build(values: Values, url: Url) -> Result<Box<dyn Adapter>, String> {
    let mut values = values;
    // `""` is a valid pointer (the whole document), so pointers are read as raw TOML.
    let pointer = |key: &str, values: &Values| -> Result<Option<Pointer>, String> {
        let text = match (values.text(key), values.toml(key)) {
            (Some(t), _) => t,
            (None, Some(toml::Value::String(t))) => t.as_str(),
            (None, Some(_)) => return Err(format!("`{key}` must be a JSON Pointer string")),
            (None, None) => return Ok(None),
        };
        Pointer::parse(text)
            .map(Some)
            .map_err(|m| format!("`{key}` `{text}` {m}"))
    };
    let method = values.text("method").unwrap_or("GET");
    let mut d = match (method, values.text("body")) {
        ("POST", Some(body)) => Description::post("", body),
        ("POST", None) => Description::post("", ""),
        (_, Some(_)) => return Err("`body` is only sent with method = \"POST\"".into()),
        (_, None) => Description::get(""),
    };
    if d.body.as_deref() == Some("") {
        d.body = None;
    }
    let scale = match values.toml("scale") {
        None => 1,
        Some(toml::Value::Integer(n)) if *n > 0 => *n as u64,
        Some(_) => return Err("`scale` must be a positive whole number, e.g. 10000".into()),
    };
    d.balance.push(AmountAt {
        pointer: pointer("balance_pointer", &values)?.expect("required"),
        scale,
    });
    d.currency
        .pointers
        .extend(pointer("currency_pointer", &values)?);
    d.error_code.extend(pointer("error_code_pointer", &values)?);
    d.error_message
        .extend(pointer("error_message_pointer", &values)?);
    if let Some(details) = values.toml("details") {
        let toml::Value::Table(t) = details else {
            return Err("`details` must be a table of name = \"/pointer\"".into());
        };
        for (name, p) in t {
            let p = p
                .as_str()
                .ok_or_else(|| format!("`details.{name}` must be a JSON Pointer string"))?;
            let p = Pointer::parse(p).map_err(|m| format!("`details.{name}` `{p}` {m}"))?;
            d.details
                .push((name.clone(), AmountAt { pointer: p, scale }));
        }
    }
    for (key, kind) in [
        ("auth_codes", ErrorKind::Auth),
        ("rate_limit_codes", ErrorKind::RateLimited),
        ("not_prepaid_codes", ErrorKind::NotPrepaid),
    ] {
        if let Some(list) = values.toml(key) {
            let codes = list
                .as_array()
                .and_then(|a| a.iter().map(code_text).collect::<Option<Vec<String>>>())
                .ok_or_else(|| format!("`{key}` must be a list of codes, e.g. [\"10009\", 401]"))?;
            d.codes.extend(codes.into_iter().map(|c| (c, kind)));
        }
    }
    let mut secrets: Vec<(String, SecretSource)> = Vec::new();
    if let Some(headers) = values.toml("headers").cloned() {
        let toml::Value::Table(t) = headers else {
            return Err("`headers` must be a table: { \"X-Client\" = \"ops\" }".into());
        };
        for (name, v) in t {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("`headers`: `{name}` is not a header name"));
            }
            match v {
                toml::Value::String(s) => d.headers.push((name, s)),
                other => {
                    let key = format!("headers.{name}");
                    let source = SecretSource::from_toml(&other, values.base_dir())
                        .map_err(|m| format!("`{key}` must be a string or a secret: {m}"))?;
                    d.headers.push((name, format!("{{{key}}}")));
                    secrets.push((key, source));
                }
            }
        }
    }
    if let Some(auth) = values.toml("auth").cloned() {
        let (form, secret, user) = auth_form(&auth, &values)?;
        d.auth.push(form);
        secrets.push(("auth".into(), secret));
        if let Some(user) = user {
            values.insert("auth.username", Value::Text(user));
        }
    }
    for (key, source) in secrets {
        values.insert(&key, Value::Secret(source));
    }
    Ok(Box::new(Described {
        description: Arc::new(d),
        base_url: url,
        subaccounts_url: None,
        values,
    }))
}

fn code_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

const AUTH_FORMS: &str = "{ bearer = S }, { basic = { username = \"u\", password = S } }, \
{ scheme = \"AccessKey\", value = S }, { header = \"X-Api-Key\", value = S } or { query = \"api_key\", value = S }";

/// Exactly one of the five forms; the secret goes under the key `auth`.
fn auth_form(
    auth: &toml::Value,
    values: &Values,
) -> Result<(Auth, SecretSource, Option<String>), String> {
    let bad = |m: &str| format!("`auth` {m}; it must be one of {AUTH_FORMS}");
    let t = auth.as_table().ok_or_else(|| bad("is not a table"))?;
    let forms: Vec<&str> = ["bearer", "basic", "scheme", "header", "query"]
        .into_iter()
        .filter(|f| t.contains_key(*f))
        .collect();
    let form = match forms.as_slice() {
        [one] => *one,
        [] => return Err(bad("names no auth form")),
        many => {
            return Err(bad(&format!(
                "names {} forms ({})",
                many.len(),
                many.join(", ")
            )));
        }
    };
    let allowed: &[&str] = match form {
        "bearer" | "basic" => &[form],
        _ => &[form, "value"],
    };
    if let Some(extra) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(&format!("has an unknown key `{extra}`")));
    }
    let secret = |v: Option<&toml::Value>, what: &str| {
        let v = v.ok_or_else(|| bad(&format!("needs `{what}`")))?;
        SecretSource::from_toml(v, values.base_dir()).map_err(|m| format!("`auth.{what}` {m}"))
    };
    let word = |what: &str| {
        t.get(form)
            .and_then(|v| v.as_str())
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(&format!("`{form}` must be {what}")))
    };
    let (form, source) = match form {
        "bearer" => (Auth::bearer("auth"), secret(t.get("bearer"), "bearer")?),
        "basic" => {
            let b = t["basic"]
                .as_table()
                .ok_or_else(|| bad("`basic` must be { username = \"u\", password = S }"))?;
            if let Some(extra) = b.keys().find(|k| *k != "username" && *k != "password") {
                return Err(bad(&format!("`basic` has an unknown key `{extra}`")));
            }
            let user = b
                .get("username")
                .and_then(|v| v.as_str())
                .ok_or_else(|| bad("`basic` needs a `username` string"))?;
            let password = secret(b.get("password"), "basic.password")?;
            return Ok((
                Auth::basic("auth.username", "auth"),
                password,
                Some(user.to_owned()),
            ));
        }
        "scheme" => (
            Auth::scheme(&word("a word such as \"AccessKey\"")?, "auth"),
            secret(t.get("value"), "value")?,
        ),
        "header" => {
            let name = word("a header name such as \"X-Api-Key\"")?;
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(bad(&format!("`header` `{name}` is not a header name")));
            }
            (
                Auth::header(&name, "auth"),
                secret(t.get("value"), "value")?,
            )
        }
        _ => (
            Auth::query(&word("a parameter name such as \"api_key\"")?, "auth"),
            secret(t.get("value"), "value")?,
        ),
    };
    Ok((form, source, None))
}

/// The sandbox's generic endpoint: `GET /http/v1/balance` with a Bearer key,
/// answering `{"data": {"balance": "…", "currency": "EUR"}}`.
struct Endpoint;

fn generic() -> Description {
    Description::get("/v1/balance")
        .auth(Auth::bearer("auth"))
        .balance("/data/balance")
        .currency("/data/currency")
        .error_code("/error/code")
        .error_message("/error/message")
}

impl Emulator for Endpoint {
    fn answer(&self, request: &Request, state: &State) -> Option<emulate::Answer> {
        let description = generic();
        let fixtures = SPEC.fixtures();
        Some(
            emulate::Described {
                provider: "http",
                description: &description,
                fixtures: &fixtures,
            }
            .answer(request, state),
        )
    }

    fn profiles(&self, base_url: &str, _: Scenario, secret: &str) -> Vec<(String, String)> {
        vec![(
            String::new(),
            format!(
                "url = \"{base_url}/v1/balance\"\nauth = {{ bearer = {secret} }}\n\
                 balance_pointer = \"/data/balance\"\ncurrency_pointer = \"/data/currency\"\n\
                 error_code_pointer = \"/error/code\"\nerror_message_pointer = \"/error/message\"\n"
            ),
        )]
    }
}
