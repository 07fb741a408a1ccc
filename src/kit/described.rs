//! The engine's adapter half: a description plus a profile's keys make a
//! request; the description reads the answer.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::engine::{Auth, Description, Method, Subaccounts};
use super::keys::Values;
use super::{Adapter, Balance, BoxFuture, Ctx, Fetched, Selection, endpoint};
use crate::error::CheckError;

/// A profile of a described vendor (or of the `http` provider).
#[derive(Debug)]
pub struct Described {
    pub description: Arc<Description>,
    pub base_url: Url,
    /// Where the subaccount list is asked for, when the vendor has one.
    pub subaccounts_url: Option<Url>,
    pub values: Values,
}

impl Adapter for Described {
    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn secrets(&self) -> Vec<(String, crate::secret::SecretSource)> {
        self.values.secrets()
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>> {
        Box::pin(async move {
            let d = &*self.description;
            let reply = self.send(d, &self.base_url, ctx).await?;
            let wanted = d.entry.as_ref().and_then(|e| self.values.text(&e.key));
            let mut balance = d.interpret_for(&reply, wanted)?;
            self.default_currency(&mut balance);
            Ok(balance)
        })
    }

    fn fetch_all<'a>(
        &'a self,
        ctx: &'a Ctx<'a>,
        subaccounts: Option<&'a Selection>,
    ) -> BoxFuture<'a, Result<Fetched, CheckError>> {
        let d = &*self.description;
        let (d, base) = match (subaccounts, &d.subaccounts, &self.subaccounts_url) {
            (Some(_), Some(Subaccounts::Listed { description, .. }), Some(url)) => {
                (&**description, url)
            }
            (Some(_), _, _) => {
                return Box::pin(std::future::ready(Err(CheckError::config(
                    super::NO_SUBACCOUNTS,
                ))));
            }
            // Several balances in one answer, none picked: each is a result.
            (None, _, _)
                if d.entry
                    .as_ref()
                    .is_some_and(|e| self.values.text(&e.key).is_none()) =>
            {
                (d, &self.base_url)
            }
            // One balance, decided before any future is made: the list's
            // future below holds its requests in place (about 9 KiB), and
            // made for every check it was 2.4 MB of a 5,000-profile run.
            (None, _, _) => {
                return Box::pin(async move {
                    Ok(Fetched {
                        own: Some(self.fetch(ctx).await?),
                        each: Vec::new(),
                    })
                });
            }
        };
        Box::pin(async move {
            let mut own = None;
            let mut each = Vec::new();
            let mut offset: u64 = 0;
            for _ in 0..MAX_PAGES {
                let page: Vec<(String, String)> = match &d.paging {
                    Some(p) => vec![
                        (p.limit.to_owned(), p.size.to_string()),
                        (p.offset.to_owned(), offset.to_string()),
                    ],
                    None => Vec::new(),
                };
                let reply = self.send_with(d, base, &page, ctx).await?;
                let (listed_own, listed) = d.interpret_all(&reply)?;
                own = own.or(listed_own);
                let got = listed.len() as u64;
                each.extend(listed);
                let Some(p) = &d.paging else { break };
                offset += u64::from(p.size);
                // A short page, or the count reached, is the end.
                if got < u64::from(p.size) || d.total_of(&reply).is_none_or(|t| offset >= t) {
                    break;
                }
            }
            // Where the list does not hold the account's own balance (Brevo's
            // children), the balance endpoint tells it: asked second, so that
            // a list refused (not a reseller) is what the profile reports.
            if subaccounts.is_some() && d.scope.is_none() {
                own = Some(self.fetch(ctx).await?);
            }
            if let Some(b) = own.as_mut() {
                self.default_currency(b);
            }
            for item in each.iter_mut() {
                if let Ok(b) = item.outcome.as_mut() {
                    self.default_currency(b);
                }
            }
            if let Some(selection) = subaccounts {
                each = selection.pick(each);
            }
            Ok(Fetched { own, each })
        })
    }
}

impl Described {
    /// The profile's `currency`, else the vendor's default.
    fn default_currency(&self, balance: &mut Balance) {
        if balance.currency.is_none() {
            balance.currency = self
                .description
                .default_currency_for(|k| self.values.text(k));
        }
    }

    /// Sends `d`'s request at `base`, retried as `d` says.
    async fn send(
        &self,
        d: &Description,
        base: &Url,
        ctx: &Ctx<'_>,
    ) -> Result<crate::http::Reply, CheckError> {
        self.send_with(d, base, &[], ctx).await
    }

    /// `send`, with `extra` query parameters (a page's).
    async fn send_with(
        &self,
        d: &Description,
        base: &Url,
        extra: &[(String, String)],
        ctx: &Ctx<'_>,
    ) -> Result<crate::http::Reply, CheckError> {
        let mut secrets: Vec<(String, SecretString)> = Vec::new();
        // The first alternative whose keys are set and whose form takes
        // their values (seven: a `Bearer …` key is not an X-Api-Key).
        let mut auth = None;
        for a in d.auth.iter() {
            if !a.keys().iter().all(|k| self.values.has(k)) {
                continue;
            }
            let keys: Vec<String> = a.keys().into_iter().map(str::to_owned).collect();
            self.resolve(keys, &mut secrets, ctx).await?;
            let value = a.keys().first().and_then(|k| {
                let secret = secrets.iter().find(|(s, _)| s == k);
                secret.map(|(_, s)| s.expose_secret().to_owned())
            });
            if a.accepts(value.as_deref()) {
                auth = Some(a);
                break;
            }
        }
        self.resolve(self.secret_keys(d, auth), &mut secrets, ctx)
            .await?;
        let mut request = self.prepare(d, base, auth, &secrets, ctx)?;
        for (name, value) in extra {
            request.url.query_pairs_mut().append_pair(name, value);
        }
        ctx.send_with(
            |c| {
                let mut rb = c
                    .request(request.method.clone(), request.url.clone())
                    .headers(request.headers.clone());
                if let Some(body) = &request.body {
                    rb = rb.body(body.clone());
                }
                rb
            },
            |reply| d.verdict(reply),
        )
        .await
    }
}

/// At most this many pages of a list: a thousand subaccounts at Brevo's 20.
const MAX_PAGES: usize = 50;

struct Prepared {
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Described {
    /// Resolves the secret ones of `keys` not resolved yet.
    async fn resolve(
        &self,
        keys: Vec<String>,
        secrets: &mut Vec<(String, SecretString)>,
        ctx: &Ctx<'_>,
    ) -> Result<(), CheckError> {
        for key in keys {
            if let Some(source) = self.values.secret(&key)
                && !secrets.iter().any(|(k, _)| *k == key)
            {
                secrets.push((key, ctx.secret(source).await?));
            }
        }
        Ok(())
    }

    /// Secret keys the request uses: the auth form's and any named in a template.
    fn secret_keys(&self, d: &Description, auth: Option<&Auth>) -> Vec<String> {
        let mut keys: Vec<String> = auth
            .map(|a| a.keys().into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let templates = d
            .headers
            .iter()
            .map(|(_, v)| v)
            .chain(d.query.iter().map(|(_, v)| v))
            .chain(d.body.iter());
        for t in templates {
            keys.extend(placeholders(t).map(str::to_owned));
        }
        keys.retain(|k| self.values.secret(k).is_some());
        keys.dedup();
        keys
    }

    fn prepare(
        &self,
        d: &Description,
        base: &Url,
        auth: Option<&Auth>,
        secrets: &[(String, SecretString)],
        ctx: &Ctx<'_>,
    ) -> Result<Prepared, CheckError> {
        let secret = |key: &str| {
            secrets
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, s)| s.expose_secret().to_owned())
        };
        let value = |key: &str| secret(key).or_else(|| self.values.text(key).map(str::to_owned));
        // `{key}` names one of the profile's keys; other braces (a JSON body's)
        // are text.
        let render = |template: &str| -> String {
            let mut out = String::new();
            let mut rest = template;
            while let Some(start) = rest.find('{') {
                out.push_str(&rest[..start]);
                let tail = &rest[start + 1..];
                match tail
                    .split_once('}')
                    .and_then(|(key, after)| Some((value(key)?, after)))
                {
                    Some((v, after)) => {
                        out.push_str(&v);
                        rest = after;
                    }
                    None => {
                        out.push('{');
                        rest = tail;
                    }
                }
            }
            out.push_str(rest);
            out
        };

        // Path placeholders take text keys, and the secret of a path auth form
        // (`redact` knows every secret's percent-encoded form too).
        let path_secret = match auth {
            Some(Auth::Path { key }) => Some(key.as_str()),
            _ => None,
        };
        let segments: Vec<String> = d
            .path
            .strip_prefix('/')
            .unwrap_or(&d.path)
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(key) if Some(key) == path_secret => secret(key).unwrap_or_default(),
                    Some(key) => self.values.text(key).unwrap_or_default().to_owned(),
                    None => s.to_owned(),
                },
            )
            .collect();
        let mut url = if d.path.is_empty() {
            base.clone()
        } else {
            let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
            endpoint(base, &segments)
        };
        for (name, template) in &d.query {
            url.query_pairs_mut().append_pair(name, &render(template));
        }

        let mut headers = HeaderMap::new();
        let mut put = |name: &str, value: String, sensitive: bool| -> Result<(), CheckError> {
            let unfit = || {
                CheckError::config(format!(
                    "the value for header `{name}` holds characters not allowed in an HTTP header"
                ))
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| unfit())?;
            let mut value = HeaderValue::try_from(value).map_err(|_| unfit())?;
            value.set_sensitive(sensitive);
            headers.insert(name, value);
            Ok(())
        };
        for (name, template) in &d.headers {
            let sensitive = placeholders(template).any(|k| secret(k).is_some());
            put(name, render(template), sensitive)?;
        }
        if d.body.is_some() {
            put("content-type", "application/json".into(), false)?;
        }
        match auth {
            None => {}
            Some(Auth::Scheme { scheme, key }) => {
                let s = secret(key).unwrap_or_default();
                let value = if scheme.is_empty() {
                    s
                } else {
                    format!("{scheme} {s}")
                };
                put("authorization", value, true)?;
            }
            Some(Auth::Basic { user, password }) => {
                let user = value(user).unwrap_or_default();
                let password = secrets
                    .iter()
                    .find(|(k, _)| k == password)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| SecretString::from(String::new()));
                put(
                    "authorization",
                    ctx.basic_auth_value(&user, &password),
                    true,
                )?;
            }
            Some(Auth::Header { name, key }) => put(name, secret(key).unwrap_or_default(), true)?,
            Some(Auth::Prefixed { key, .. }) => {
                put("authorization", secret(key).unwrap_or_default(), true)?;
            }
            Some(Auth::Query { name, key }) => {
                url.query_pairs_mut()
                    .append_pair(name, &secret(key).unwrap_or_default());
            }
            // In the path (above) or the body (below).
            Some(Auth::Path { .. } | Auth::JsonField { .. } | Auth::Form { .. }) => {}
        }
        let method = match d.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut body = d.body.as_deref().map(render);
        if let Some(Auth::JsonField { name, key }) = auth {
            let mut object: serde_json::Map<String, serde_json::Value> = body
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or_default();
            object.insert(name.clone(), secret(key).unwrap_or_default().into());
            body = Some(serde_json::Value::Object(object).to_string());
            put("content-type", "application/json".into(), false)?;
        }
        if let Some(Auth::Form { name, key }) = auth {
            let form = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(name, &secret(key).unwrap_or_default())
                .finish();
            put(
                "content-type",
                "application/x-www-form-urlencoded".into(),
                false,
            )?;
            body = Some(form);
        }
        let body = body.map(String::into_bytes);
        Ok(Prepared {
            method,
            url,
            headers,
            body,
        })
    }
}

/// The `{key}` names in a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(k, _)| k))
}
