//! The declarative JSON engine: a vendor's balance endpoint described as data
//! (request, auth, where the amount and the errors are in the answer), read by
//! one interpreter. Built-in vendors and user `http` profiles (SPEC §9) are both
//! descriptions; the sandbox answers from the same description.

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::json::{self, Pointer};
use crate::error::{CheckError, ErrorKind};
use crate::http::{Reply, Verdict, retry_hint};

/// GET or POST: balance endpoints are reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Where a credential goes. Key names refer to the profile's keys (a secret
/// key unless said otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: {scheme} {secret}`; an empty scheme sends the secret
    /// alone (Clickatell).
    Scheme { scheme: String, key: String },
    /// HTTP Basic; `user` is a text key.
    Basic { user: String, password: String },
    /// `{name}: {secret}`.
    Header { name: String, key: String },
    /// `?{name}={secret}`: never shown in `-v` URLs.
    Query { name: String, key: String },
    /// `{name}={secret}` as the `application/x-www-form-urlencoded` body of
    /// a POST, as vendors' own form-posting clients send it (Textlocal): the
    /// secret stays out of URLs and proxies' logs.
    Form { name: String, key: String },
    /// `Authorization: {secret}` as given, for a secret that starts with
    /// `prefix` (seven: an OAuth token given as `Bearer …`); any other secret
    /// falls to the next alternative.
    Prefixed { prefix: String, key: String },
    /// The secret is the path segment `{key}` (TextBelt's `/quota/{key}`):
    /// percent-encoded there; `redact` removes that form from `-v` lines and
    /// errors as it does the raw one.
    Path { key: String },
    /// `{"name": secret}`, a string member added to the JSON body (BulkGate's
    /// `application_token`).
    JsonField { name: String, key: String },
}

impl Auth {
    pub fn bearer(key: &str) -> Auth {
        Auth::scheme("Bearer", key)
    }

    pub fn scheme(scheme: &str, key: &str) -> Auth {
        Auth::Scheme {
            scheme: scheme.into(),
            key: key.into(),
        }
    }

    pub fn basic(user: &str, password: &str) -> Auth {
        Auth::Basic {
            user: user.into(),
            password: password.into(),
        }
    }

    pub fn header(name: &str, key: &str) -> Auth {
        Auth::Header {
            name: name.into(),
            key: key.into(),
        }
    }

    pub fn query(name: &str, key: &str) -> Auth {
        Auth::Query {
            name: name.into(),
            key: key.into(),
        }
    }

    pub fn form(name: &str, key: &str) -> Auth {
        Auth::Form {
            name: name.into(),
            key: key.into(),
        }
    }

    pub fn prefixed(prefix: &str, key: &str) -> Auth {
        Auth::Prefixed {
            prefix: prefix.into(),
            key: key.into(),
        }
    }

    pub fn path(key: &str) -> Auth {
        Auth::Path { key: key.into() }
    }

    pub fn json_field(name: &str, key: &str) -> Auth {
        Auth::JsonField {
            name: name.into(),
            key: key.into(),
        }
    }

    /// The keys this form needs.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Auth::Scheme { key, .. }
            | Auth::Header { key, .. }
            | Auth::Query { key, .. }
            | Auth::Form { key, .. }
            | Auth::Prefixed { key, .. }
            | Auth::Path { key }
            | Auth::JsonField { key, .. } => vec![key],
            Auth::Basic { user, password } => vec![user, password],
        }
    }

    /// Whether this form takes a credential whose value is `value`.
    pub fn accepts(&self, value: Option<&str>) -> bool {
        match self {
            Auth::Prefixed { prefix, .. } => value.is_some_and(|v| v.starts_with(prefix.as_str())),
            _ => true,
        }
    }
}

/// An amount at a pointer, as an integer of 1/`scale` units when `scale` > 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountAt {
    pub pointer: Pointer,
    pub scale: u64,
}

/// One element of an array holds the amount, its currency and its details
/// (DeepSeek's `balance_infos`, one per currency): the element whose `field`
/// is the profile's value of `key`; without that value, the only element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub array: Pointer,
    pub field: Pointer,
    pub key: String,
}

impl Entry {
    /// The element `wanted` names (compared ASCII case-insensitively), or the
    /// only one; `None` when there is no element (an error answer, say).
    /// Several and none wanted, or a wanted one missing, is the profile's to
    /// settle: a `config` error listing what the answer holds.
    pub fn pick<'a>(
        &self,
        doc: &'a RawValue,
        wanted: Option<&str>,
    ) -> Result<Option<&'a RawValue>, CheckError> {
        let items: Vec<&'a RawValue> = self
            .array
            .resolve(doc)
            .and_then(|a| serde_json::from_str(a.get()).ok())
            .unwrap_or_default();
        let label = |e: &RawValue| self.field.resolve(e).and_then(json::scalar_text);
        // What the answer holds, bounded: a vendor's list may be long.
        let held = || {
            let mut labels: Vec<String> = items
                .iter()
                .take(6)
                .map(|e| crate::text::clean(&label(e).unwrap_or_else(|| "?".into()), 16))
                .collect();
            if items.len() > 6 {
                labels.push("…".into());
            }
            labels.join(", ")
        };
        let (array, key) = (self.array.as_str(), &self.key);
        match (wanted, items.as_slice()) {
            (_, []) => Ok(None),
            (Some(w), _) => items
                .iter()
                .copied()
                .find(|e| label(e).is_some_and(|l| l.eq_ignore_ascii_case(w.trim())))
                .map(Some)
                .ok_or_else(|| {
                    CheckError::config(format!(
                        "`{key}` is \"{w}\", but the answer's `{array}` holds: {}",
                        held()
                    ))
                }),
            (None, [one]) => Ok(Some(one)),
            (None, _) => Err(CheckError::config(format!(
                "the answer's `{array}` holds several balances ({}): set `{key}` to pick one",
                held()
            ))),
        }
    }
}

/// Where the currency comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Currency {
    /// The vendor always means this unit, whatever the profile says (Vonage's
    /// EUR, BulkSMS's credits).
    pub fixed: Option<String>,
    /// Else the first of these that holds a string.
    pub pointers: Vec<Pointer>,
    /// Vendor words turned into codes (MessageBird's `euros` → `EUR`).
    pub words: Vec<(String, String)>,
    /// When the answer names none (Frontier: always `VC`). Below the profile's
    /// `currency`? No: a vendor unit that is implied is still the vendor's.
    pub implied: Option<String>,
    /// When neither the answer nor the profile's `currency` names one: the
    /// vendor's usual unit, which a profile may override (Moonshot: USD at
    /// api.moonshot.ai, CNY at api.moonshot.cn).
    pub default: Option<String>,
    /// Defaults by a profile key's value, before `default`: (key, value,
    /// unit) (Moonshot's `region = "cn"` answers in CNY).
    pub default_when: Vec<(String, String, String)>,
    /// The answer must name the currency itself (Africa's Talking's
    /// `"KES 1785.50"`): an amount without one is the vendor's error, not a
    /// balance in the profile's `currency`.
    pub required: bool,
}

/// Reads an error answer (and its code, if any) as a kind, or says nothing.
pub type Classify = fn(&Reply, Option<&str>) -> Option<ErrorKind>;

/// Code a vendor needs that a description cannot say.
#[derive(Clone, Copy, Default)]
pub struct Hooks {
    /// Picks the value holding the amount (Brevo's `plan` entry of type `sms`).
    pub amount: Option<for<'a> fn(&'a RawValue) -> Option<&'a RawValue>>,
    /// Classifies an error answer before the code lists (Clickatell's rate
    /// limit as HTTP 400 code 43).
    pub classify: Option<Classify>,
    /// Turns the raw code into the reported one (BulkSMS: the part of `type`
    /// after `#`).
    pub code: Option<fn(&str) -> String>,
}

impl Hooks {
    /// An RFC 7807 `type` URI's fragment as the code:
    /// `https://developer.bulksms.com/json/v1/errors#insufficient-credits` →
    /// `insufficient-credits`; a `type` without `#` is kept whole.
    pub fn after_hash(error_type: &str) -> String {
        error_type
            .rsplit_once('#')
            .map_or(error_type, |(_, code)| code)
            .to_owned()
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

/// A vendor's balance endpoint, described.
#[derive(Debug, Clone)]
pub struct Description {
    pub method: Method,
    /// Appended to the profile's base URL; `{key}` is that key's value
    /// (percent-encoded as one path segment).
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Header values may hold `{key}` too.
    pub headers: Vec<(String, String)>,
    /// Headers without which the vendor answers otherwise (Africa's Talking
    /// answers XML without `Accept: application/json`): its emulator insists.
    pub required_headers: Vec<String>,
    /// POST body, sent as `application/json`.
    pub body: Option<String>,
    /// Alternatives: the first whose keys are all set is used.
    pub auth: Vec<Auth>,
    /// Alternatives: the first that is present (not null) is the amount.
    pub balance: Vec<AmountAt>,
    /// The array element the amount, currency and details are read in.
    pub entry: Option<Entry>,
    /// A success answer without the amount means zero (proto3 JSON omits zeros).
    pub absent_is_zero: bool,
    pub currency: Currency,
    /// What the amount counts, unless a `unit_when` test says otherwise.
    pub unit: Unit,
    /// The answer says what the amount counts (MessageBird's `type`
    /// `credits`): pointer, text, unit.
    pub unit_when: Vec<(Pointer, String, Unit)>,
    /// Where each share of the balance is, read beside the amount; a part
    /// described twice takes the first present.
    pub parts: Vec<(Part, AmountAt)>,
    /// When no `balance` pointer gives the available amount directly, it is
    /// the sum of these parts: the first must be present, the others count
    /// when they are (Telnyx: cash + credit limit).
    pub available_sum: Vec<Part>,
    /// Alternatives: the first present is when the balance expires.
    pub expiry: Vec<Pointer>,
    /// Amounts the vendor sends for an account that is not prepaid (SMSPortal's
    /// 1000000 for postpaid): never a balance.
    pub not_prepaid_amounts: Vec<Decimal>,
    /// Amounts taken off what the answer gives, when present (OpenRouter:
    /// credits bought less credits used): spent, not a share of the balance.
    pub less: Vec<AmountAt>,
    pub details: Vec<(String, AmountAt)>,
    pub error_code: Vec<Pointer>,
    pub error_message: Vec<Pointer>,
    /// Else the code is the first scalar under a member whose name holds this
    /// word, anywhere in the answer (Clickatell: the field names are unknown).
    pub error_code_named: Option<String>,
    /// Vendor code → what it means; compared as text.
    pub codes: Vec<(String, ErrorKind)>,
    /// An envelope's success test: the answer is a balance only if the value
    /// at this pointer is this text.
    pub success: Option<(Pointer, String)>,
    /// Answers that carry a balance field but are not a balance (Plivo's
    /// `billing_mode` `postpaid`): pointer, text, what it means.
    pub refuse: Vec<(Pointer, String, ErrorKind)>,
    /// A body that is not JSON is the error's message (Africa's Talking).
    pub text_errors: bool,
    /// A body that is a bare integer is an error code, whatever the status (seven).
    pub bare_code: bool,
    pub hooks: Hooks,
    /// Where the account's own balance sits in the answer, when not at its
    /// root (Vonage's subaccount list: `/_embedded/primary_account`).
    pub scope: Option<Pointer>,
    /// Several accounts' balances in one answer (Vonage's subaccounts).
    pub each: Option<Each>,
    /// Whether and how the vendor lists subaccounts' balances.
    pub subaccounts: Option<Subaccounts>,
    /// A list answered a page at a time (Brevo's reseller children).
    pub paging: Option<Paging>,
}

/// Offset paging: `limit` and `offset` query parameters, pages of `size`,
/// and the answer's count of every element at `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub limit: &'static str,
    pub offset: &'static str,
    pub size: u32,
    pub total: Pointer,
}

/// Each element of `array` is one account's balance, read as the
/// description reads its own: named by `label` when the element has one,
/// else by `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Each {
    pub array: Pointer,
    pub id: Pointer,
    pub label: Option<Pointer>,
    /// An element whose value here is `true` holds no balance of its own
    /// (Vonage's `use_primary_account_balance`).
    pub shared: Option<Pointer>,
}

/// What a vendor offers for `subaccounts = …`.
#[derive(Debug, Clone)]
pub enum Subaccounts {
    /// A documented endpoint that lists them with their balances: its own
    /// description (with `scope` for the parent and `each` for the children),
    /// on its own host unless the profile sets `base_url`.
    Listed {
        base_url: &'static str,
        description: Box<Description>,
    },
    /// The vendor has subaccounts but no balance for them: why, in a sentence.
    Refused(&'static str),
}

impl Description {
    pub fn get(path: &str) -> Description {
        Description {
            method: Method::Get,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            required_headers: Vec::new(),
            body: None,
            auth: Vec::new(),
            balance: Vec::new(),
            entry: None,
            absent_is_zero: false,
            currency: Currency::default(),
            unit: Unit::Money,
            unit_when: Vec::new(),
            parts: Vec::new(),
            available_sum: Vec::new(),
            expiry: Vec::new(),
            not_prepaid_amounts: Vec::new(),
            less: Vec::new(),
            details: Vec::new(),
            error_code: Vec::new(),
            error_message: Vec::new(),
            error_code_named: None,
            codes: Vec::new(),
            success: None,
            refuse: Vec::new(),
            text_errors: false,
            bare_code: false,
            hooks: Hooks::default(),
            scope: None,
            each: None,
            subaccounts: None,
            paging: None,
        }
    }

    pub fn post(path: &str, body: &str) -> Description {
        Description {
            method: Method::Post,
            body: Some(body.into()),
            ..Description::get(path)
        }
    }

    /// A POST whose body is the form an `Auth::form` credential makes.
    pub fn post_form(path: &str) -> Description {
        Description {
            method: Method::Post,
            ..Description::get(path)
        }
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth.push(auth);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The vendor answers otherwise without header `name` as described.
    pub fn requires(mut self, name: &str) -> Self {
        self.required_headers.push(name.into());
        self
    }

    /// `Accept: application/json`, which most vendors want said.
    pub fn json(self) -> Self {
        self.header("Accept", "application/json")
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn balance(self, pointer: &str) -> Self {
        self.scaled_balance(pointer, 1)
    }

    pub fn scaled_balance(mut self, pointer: &str, scale: u64) -> Self {
        self.balance.push(AmountAt {
            pointer: Pointer::known(pointer),
            scale,
        });
        self
    }

    /// Reads in the element of `array` whose `field` is the profile's `key`.
    pub fn entry(mut self, array: &str, field: &str, key: &str) -> Self {
        self.entry = Some(Entry {
            array: Pointer::known(array),
            field: Pointer::known(field),
            key: key.into(),
        });
        self
    }

    /// Reads the account's own balance in the object at `pointer`.
    pub fn scope(mut self, pointer: &str) -> Self {
        self.scope = Some(Pointer::known(pointer));
        self
    }

    /// Reads one more balance in each element of `array` (see [`Each`]).
    pub fn each(mut self, array: &str, id: &str, label: &str, shared: Option<&str>) -> Self {
        self.each = Some(Each {
            array: Pointer::known(array),
            id: Pointer::known(id),
            label: Some(Pointer::known(label)),
            shared: shared.map(Pointer::known),
        });
        self
    }

    /// Asks for the list a page of `size` at a time (see [`Paging`]).
    pub fn paged(
        mut self,
        limit: &'static str,
        offset: &'static str,
        size: u32,
        total: &str,
    ) -> Self {
        self.paging = Some(Paging {
            limit,
            offset,
            size,
            total: Pointer::known(total),
        });
        self
    }

    /// How many elements the whole list holds, as a paged answer says.
    pub fn total_of(&self, reply: &Reply) -> Option<u64> {
        let paging = self.paging.as_ref()?;
        let doc = json::document(&reply.body)?;
        json::scalar_text(paging.total.resolve(doc)?)?.parse().ok()
    }

    /// Subaccounts listed at another endpoint, described by `description`.
    pub fn subaccounts(mut self, base_url: &'static str, description: Description) -> Self {
        self.subaccounts = Some(Subaccounts::Listed {
            base_url,
            description: Box::new(description),
        });
        self
    }

    /// The vendor has subaccounts without balances of their own: `why`.
    pub fn no_subaccount_balances(mut self, why: &'static str) -> Self {
        self.subaccounts = Some(Subaccounts::Refused(why));
        self
    }

    pub fn absent_is_zero(mut self) -> Self {
        self.absent_is_zero = true;
        self
    }

    pub fn currency(mut self, pointer: &str) -> Self {
        self.currency.pointers.push(Pointer::known(pointer));
        self
    }

    pub fn fixed_currency(mut self, unit: &str) -> Self {
        self.currency.fixed = Some(unit.into());
        self
    }

    pub fn implied_currency(mut self, unit: &str) -> Self {
        self.currency.implied = Some(unit.into());
        self
    }

    pub fn default_currency(mut self, unit: &str) -> Self {
        self.currency.default = Some(unit.into());
        self
    }

    pub fn default_currency_when(mut self, key: &str, value: &str, unit: &str) -> Self {
        self.currency
            .default_when
            .push((key.into(), value.into(), unit.into()));
        self
    }

    /// The unit of an answer that names none, for a profile whose key values
    /// `text` gives: the profile's `currency`, else the vendor's default.
    pub fn default_currency_for<'a>(
        &self,
        text: impl Fn(&str) -> Option<&'a str>,
    ) -> Option<String> {
        let by_key = self
            .currency
            .default_when
            .iter()
            .find(|(key, value, _)| text(key) == Some(value.as_str()));
        text("currency")
            .map(str::to_owned)
            .or_else(|| by_key.map(|(_, _, unit)| unit.clone()))
            .or_else(|| self.currency.default.clone())
    }

    pub fn currency_required(mut self) -> Self {
        self.currency.required = true;
        self
    }

    pub fn currency_word(mut self, word: &str, code: &str) -> Self {
        self.currency.words.push((word.into(), code.into()));
        self
    }

    /// What the amount counts (money unless said).
    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// The amount counts `unit` when the value at `pointer` is `value`.
    pub fn unit_when(mut self, pointer: &str, value: &str, unit: Unit) -> Self {
        self.unit_when
            .push((Pointer::known(pointer), value.into(), unit));
        self
    }

    pub fn part(self, part: Part, pointer: &str) -> Self {
        self.scaled_part(part, pointer, 1)
    }

    pub fn scaled_part(mut self, part: Part, pointer: &str, scale: u64) -> Self {
        self.parts.push((
            part,
            AmountAt {
                pointer: Pointer::known(pointer),
                scale,
            },
        ));
        self
    }

    /// The available amount is the sum of `parts` when the answer does not give
    /// it directly: `parts[0]` must be present, the rest count when present.
    pub fn available_sum(mut self, parts: &[Part]) -> Self {
        self.available_sum = parts.to_vec();
        self
    }

    /// When the balance expires: RFC 3339, a date, or Unix seconds.
    pub fn expiry(mut self, pointer: &str) -> Self {
        self.expiry.push(Pointer::known(pointer));
        self
    }

    /// An amount the vendor answers for a postpaid account, in place of a
    /// balance: exit 6, never a number.
    pub fn not_prepaid_if_amount(mut self, amount: &str) -> Self {
        self.not_prepaid_amounts
            .push(crate::money::parse_decimal(amount).expect("built-in amounts parse"));
        self
    }

    /// The available amount is what the answer gives less the value at
    /// `pointer`, which must be there (a total bought less the total used).
    pub fn less(mut self, pointer: &str) -> Self {
        self.less.push(AmountAt {
            pointer: Pointer::known(pointer),
            scale: 1,
        });
        self
    }

    /// The answer is not a prepaid balance when the value at `pointer` is
    /// `value` (Plivo's `billing_mode` `postpaid`).
    pub fn not_prepaid_when(self, pointer: &str, value: &str) -> Self {
        self.refuse(pointer, value, ErrorKind::NotPrepaid)
    }

    pub fn detail(self, name: &str, pointer: &str) -> Self {
        self.scaled_detail(name, pointer, 1)
    }

    pub fn scaled_detail(mut self, name: &str, pointer: &str, scale: u64) -> Self {
        self.details.push((
            name.into(),
            AmountAt {
                pointer: Pointer::known(pointer),
                scale,
            },
        ));
        self
    }

    pub fn error_code(mut self, pointer: &str) -> Self {
        self.error_code.push(Pointer::known(pointer));
        self
    }

    pub fn error_code_named(mut self, word: &str) -> Self {
        self.error_code_named = Some(word.to_ascii_lowercase());
        self
    }

    pub fn error_message(mut self, pointer: &str) -> Self {
        self.error_message.push(Pointer::known(pointer));
        self
    }

    /// These codes mean `kind`.
    pub fn codes(mut self, kind: ErrorKind, codes: &[&str]) -> Self {
        self.codes
            .extend(codes.iter().map(|c| ((*c).to_owned(), kind)));
        self
    }

    pub fn success(mut self, pointer: &str, value: &str) -> Self {
        self.success = Some((Pointer::known(pointer), value.into()));
        self
    }

    pub fn refuse(mut self, pointer: &str, value: &str, kind: ErrorKind) -> Self {
        self.refuse
            .push((Pointer::known(pointer), value.into(), kind));
        self
    }

    pub fn text_errors(mut self) -> Self {
        self.text_errors = true;
        self
    }

    pub fn bare_code(mut self) -> Self {
        self.bare_code = true;
        self
    }

    pub fn hooks(mut self, hooks: Hooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// What the answer means: a balance, or the error it is.
    pub fn interpret(&self, reply: &Reply) -> Result<Balance, CheckError> {
        self.interpret_for(reply, None)
    }

    /// As `interpret`, for a profile whose `entry` key is `wanted`.
    pub fn interpret_for(
        &self,
        reply: &Reply,
        wanted: Option<&str>,
    ) -> Result<Balance, CheckError> {
        let doc = json::document(&reply.body);
        if reply.status.is_success()
            && let Some(doc) = doc
            && !self.is_bare_code(doc)
        {
            match self.read_balance(reply, doc, wanted) {
                Reading::Balance(b) => return Ok(b),
                Reading::Refused(e) => return Err(e),
                Reading::Bad(e) if self.code_in(doc).is_none() => return Err(e),
                Reading::Bad(_) | Reading::Absent => {}
            }
        }
        Err(self.error(reply, doc))
    }

    /// Every balance the answer holds: the account's own (labelled `None`),
    /// then one per element of `each` (or, without `each`, per `entry`
    /// element: DeepSeek's currencies). An error answer is one error.
    pub fn interpret_all(
        &self,
        reply: &Reply,
    ) -> Result<(Option<Balance>, Vec<Labelled>), CheckError> {
        if !reply.status.is_success() {
            return Err(self.error(reply, json::document(&reply.body)));
        }
        // The account's own balance, where the list holds it too (Vonage).
        let own = match (&self.each, &self.scope) {
            (Some(_), Some(_)) => Some(self.interpret(reply)?),
            _ => None,
        };
        let doc = json::document(&reply.body).ok_or_else(|| self.error(reply, None))?;
        let each = match (&self.each, &self.entry) {
            (Some(each), _) => each.clone(),
            (None, Some(entry)) => Each {
                array: entry.array.clone(),
                id: entry.field.clone(),
                label: None,
                shared: None,
            },
            (None, None) => return Ok((Some(self.interpret(reply)?), Vec::new())),
        };
        let items: Vec<&RawValue> = each
            .array
            .resolve(doc)
            .and_then(|a| serde_json::from_str(a.get()).ok())
            .ok_or_else(|| {
                if self.each.is_some() {
                    CheckError::provider(format!(
                        "unexpected answer (HTTP {}): no `{}` list",
                        reply.code(),
                        each.array.as_str()
                    ))
                    .status(reply.code())
                } else {
                    self.error(reply, Some(doc))
                }
            })?;
        if self.each.is_none() && items.is_empty() {
            return Err(self.error(reply, Some(doc)));
        }
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let text = |p: &Pointer| {
                p.resolve(item)
                    .and_then(json::scalar_text)
                    .filter(|t| !t.trim().is_empty())
            };
            let id = text(&each.id).unwrap_or_else(|| format!("#{}", i + 1));
            let label = each
                .label
                .as_ref()
                .and_then(text)
                .unwrap_or_else(|| id.clone());
            let shared = each
                .shared
                .as_ref()
                .and_then(|p| p.resolve(item))
                .is_some_and(|v| v.get().trim() == "true");
            let outcome = if shared {
                Err(CheckError::new(
                    ErrorKind::Config,
                    "it spends its parent account's balance, reported as the profile itself"
                        .to_owned(),
                ))
            } else {
                match self.read_at(reply, item, item) {
                    Reading::Balance(b) => Ok(b),
                    Reading::Refused(e) | Reading::Bad(e) => Err(e),
                    Reading::Absent => Err(CheckError::provider(format!(
                        "unexpected answer (HTTP {}): no balance for `{id}`",
                        reply.code()
                    ))
                    .status(reply.code())),
                }
            };
            out.push(Labelled {
                id,
                label,
                shared,
                outcome,
            });
        }
        Ok((own, out))
    }

    /// Whether to ask again: a 429 or 5xx status, or a rate-limit code inside
    /// any answer (SPEC §6: the vendor layer decides), after the vendor's hint.
    pub fn verdict(&self, reply: &Reply) -> Verdict {
        if self.retryable(reply) {
            Verdict::Retry {
                wait: retry_hint(reply),
            }
        } else {
            Verdict::Final
        }
    }

    pub fn retryable(&self, reply: &Reply) -> bool {
        let status = reply.code();
        if status == 429 || reply.status.is_server_error() {
            return true;
        }
        if reply.status.is_success()
            && let Some(doc) = json::document(&reply.body)
            && !self.is_bare_code(doc)
            && matches!(self.read_balance(reply, doc, None), Reading::Balance(_))
        {
            return false;
        }
        self.kind(reply, json::document(&reply.body)).0 == ErrorKind::RateLimited
    }

    fn is_bare_code(&self, doc: &RawValue) -> bool {
        self.bare_code && doc.get().trim().bytes().all(|b| b.is_ascii_digit())
    }

    fn read_balance(&self, reply: &Reply, doc: &RawValue, wanted: Option<&str>) -> Reading {
        let status = reply.code();
        let unexpected = |what: String| {
            Reading::Bad(
                CheckError::provider(format!("unexpected answer (HTTP {status}): {what}"))
                    .status(status),
            )
        };
        if let Some((pointer, expected)) = &self.success {
            let actual = pointer.resolve(doc).and_then(literal);
            if !actual.is_some_and(|a| same(&a, expected)) {
                return Reading::Absent;
            }
        }
        for (pointer, value, kind) in &self.refuse {
            if pointer
                .resolve(doc)
                .and_then(literal)
                .is_some_and(|a| same(&a, value))
            {
                let what = match kind {
                    ErrorKind::NotPrepaid => "account is not in prepaid mode",
                    ErrorKind::Auth => "credentials rejected",
                    _ => "the vendor refused",
                };
                return Reading::Refused(
                    CheckError::new(
                        *kind,
                        format!(
                            "{what} (HTTP {status}): {} is \"{value}\"",
                            pointer.as_str()
                        ),
                    )
                    .status(status),
                );
            }
        }
        // With an entry, everything is read in it; else details and the
        // currency are read in the whole answer.
        let (root, scope) = match (&self.entry, self.hooks.amount) {
            (Some(entry), _) => match entry.pick(doc, wanted) {
                Ok(Some(v)) => (v, v),
                Ok(None) => return Reading::Absent,
                Err(e) => return Reading::Refused(e.status(status)),
            },
            (None, Some(pick)) => match pick(doc) {
                Some(v) => (v, doc),
                None => return unexpected("no balance entry in the answer".into()),
            },
            (None, None) => match &self.scope {
                Some(scope) => match scope.resolve(doc) {
                    Some(v) => (v, v),
                    None => return Reading::Absent,
                },
                None => (doc, doc),
            },
        };
        self.read_at(reply, root, scope)
    }

    /// Reads a balance in `root`, its currency and details in `scope`.
    fn read_at(&self, reply: &Reply, root: &RawValue, scope: &RawValue) -> Reading {
        let status = reply.code();
        let unexpected = |what: String| {
            Reading::Bad(
                CheckError::provider(format!("unexpected answer (HTTP {status}): {what}"))
                    .status(status),
            )
        };
        let mut parts: Vec<(Part, Decimal)> = Vec::new();
        for (part, at) in &self.parts {
            if parts.iter().any(|(p, _)| p == part) {
                continue;
            }
            if let Some(v) = at.pointer.resolve(root).filter(|v| !json::is_null(v)) {
                match scaled(v, at.scale) {
                    Ok((d, _)) => parts.push((*part, d)),
                    Err(what) => {
                        return unexpected(format!("`{}` is {what}", at.pointer.as_str()));
                    }
                }
            }
        }
        let found = self.balance.iter().find_map(|at| {
            at.pointer
                .resolve(root)
                .filter(|v| !json::is_null(v))
                .map(|v| (at, v))
        });
        let sum = || -> Option<Result<Decimal, String>> {
            let (first, rest) = self.available_sum.split_first()?;
            let base = match parts.iter().find(|(p, _)| p == first) {
                Some((_, v)) => *v,
                None if self.absent_is_zero => Decimal::ZERO,
                None => return None,
            };
            let total = rest
                .iter()
                .filter_map(|r| parts.iter().find(|(p, _)| p == r).map(|(_, v)| *v))
                .try_fold(base, |a, v| a.checked_add(v));
            Some(total.ok_or_else(|| "the sum of its parts is out of range".to_owned()))
        };
        let (amount, unit, at) = match found {
            Some((at, value)) => match scaled(value, at.scale) {
                Ok((amount, unit)) => (amount, unit, format!("`{}`", at.pointer.as_str())),
                Err(what) => {
                    return unexpected(format!("`{}` is {what}", at.pointer.as_str()));
                }
            },
            None => match sum() {
                Some(Ok(amount)) => (amount, None, "the sum of its parts".to_owned()),
                Some(Err(what)) => return unexpected(what),
                None if self.absent_is_zero => (Decimal::ZERO, None, "the balance".to_owned()),
                None => {
                    let wanted = self
                        .balance
                        .first()
                        .map_or("the balance", |a| a.pointer.as_str());
                    return match self.balance.first().and_then(|a| a.pointer.resolve(root)) {
                        Some(_) => unexpected(format!("`{wanted}` is null")),
                        None => Reading::Absent,
                    };
                }
            },
        };
        if self.not_prepaid_amounts.contains(&amount) {
            return Reading::Refused(
                CheckError::new(
                    ErrorKind::NotPrepaid,
                    format!(
                        "account is not in prepaid mode (HTTP {status}): {at} is {amount}, the vendor's figure for an account that is not prepaid"
                    ),
                )
                .status(status),
            );
        }
        let mut amount = amount;
        for at in &self.less {
            // Without what was spent, the total would overstate what is left.
            let Some(v) = at.pointer.resolve(root).filter(|v| !json::is_null(v)) else {
                return unexpected(format!("no `{}` in the answer", at.pointer.as_str()));
            };
            match scaled(v, at.scale) {
                Ok((d, _)) => match amount.checked_sub(d) {
                    Some(rest) => amount = rest,
                    None => {
                        return unexpected(format!(
                            "the amount less `{}` is out of range",
                            at.pointer.as_str()
                        ));
                    }
                },
                Err(what) => return unexpected(format!("`{}` is {what}", at.pointer.as_str())),
            }
        }
        let currency = self.currency_of(scope, unit);
        if self.currency.required && currency.is_none() {
            let at = found.map_or("the balance", |(at, _)| at.pointer.as_str());
            return unexpected(format!("`{at}` names no currency"));
        }
        let mut balance = Balance::new(amount, currency);
        balance.unit = self
            .unit_when
            .iter()
            .find(|(p, value, _)| {
                p.resolve(scope).and_then(json::scalar_text).as_deref() == Some(value)
            })
            .map_or(self.unit, |(_, _, u)| *u);
        balance.parts = parts;
        // An unreadable expiry loses a warning, not the balance.
        balance.expires_at = self.expiry.iter().find_map(|p| {
            let v = p.resolve(root).filter(|v| !json::is_null(v))?;
            json::timestamp(v)
                .map_err(|what| crate::debug!(1, "ignoring `{}`: {what}", p.as_str()))
                .ok()
        });
        for (name, at) in &self.details {
            // A detail may be described twice: the first present wins.
            if balance.details.iter().any(|(n, _)| n == name) {
                continue;
            }
            if let Some(v) = at.pointer.resolve(scope).filter(|v| !json::is_null(v))
                && let Ok((d, _)) = scaled(v, at.scale)
            {
                balance.details.push((name.clone(), d));
            }
        }
        Reading::Balance(balance)
    }

    fn currency_of(&self, doc: &RawValue, in_amount: Option<String>) -> Option<String> {
        if let Some(fixed) = &self.currency.fixed {
            return Some(fixed.clone());
        }
        let named = in_amount.or_else(|| {
            self.currency
                .pointers
                .iter()
                .find_map(|p| p.resolve(doc).and_then(json::string))
                .filter(|c| !c.trim().is_empty())
        });
        let named = named.map(|c| {
            self.currency
                .words
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(c.trim()))
                .map_or(c.trim().to_owned(), |(_, code)| code.clone())
        });
        named.or_else(|| self.currency.implied.clone())
    }

    fn code_in(&self, doc: &RawValue) -> Option<String> {
        let raw = if self.is_bare_code(doc) {
            Some(doc.get().trim().to_owned())
        } else {
            self.error_code
                .iter()
                .find_map(|p| p.resolve(doc).and_then(json::scalar_text))
                .or_else(|| {
                    let word = self.error_code_named.as_deref()?;
                    json::find_named(doc, word)
                })
        }?;
        let code = match self.hooks.code {
            Some(f) => f(&raw),
            None => raw,
        };
        (!code.is_empty()).then_some(code)
    }

    fn kind(&self, reply: &Reply, doc: Option<&RawValue>) -> (ErrorKind, Option<String>) {
        let code = doc.and_then(|d| self.code_in(d));
        if let Some(kind) = self.hooks.classify.and_then(|f| f(reply, code.as_deref())) {
            return (credentials_win(reply, kind), code);
        }
        let listed = code.as_deref().and_then(|c| {
            self.codes
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, kind)| *kind)
        });
        (
            credentials_win(reply, listed.unwrap_or_else(|| status_kind(reply.code()))),
            code,
        )
    }

    fn error(&self, reply: &Reply, doc: Option<&RawValue>) -> CheckError {
        let status = reply.code();
        let (kind, code) = self.kind(reply, doc);
        let message = match doc {
            Some(d) => self
                .error_message
                .iter()
                .find_map(|p| p.resolve(d).and_then(json::string)),
            None if self.text_errors => std::str::from_utf8(&reply.body).ok().map(str::to_owned),
            None => None,
        };
        if reply.status.is_success() && code.is_none() && kind == ErrorKind::Provider {
            let what = match doc {
                None if reply.body.iter().all(u8::is_ascii_whitespace) => "an empty body".into(),
                None => "a body that is not JSON".into(),
                Some(_) => match self.balance.first() {
                    Some(at) => format!("no `{}` in the answer", at.pointer.as_str()),
                    None => "no balance in the answer".into(),
                },
            };
            return CheckError::provider(format!("unexpected answer (HTTP {status}): {what}"))
                .status(status);
        }
        vendor_error(kind, status, code, message.as_deref())
    }
}

/// SPEC §6: a 401/403 is rejected credentials and never retried, whatever
/// the body says; a proxy or gateway in front of the vendor may answer a bad
/// key with a code that would otherwise mean "rate limited" (gRPC's 8,
/// Connect's `resource_exhausted`). Other vendor kinds (8x8's "not prepaid"
/// on a 403) stand: only retrying is unsafe here.
fn credentials_win(reply: &Reply, kind: ErrorKind) -> ErrorKind {
    match (reply.code(), kind) {
        (401 | 403, ErrorKind::RateLimited) => ErrorKind::Auth,
        _ => kind,
    }
}

enum Reading {
    Balance(Balance),
    /// The answer says what it is: an error all the same.
    Refused(CheckError),
    /// Present but not an amount.
    Bad(CheckError),
    /// No amount where one was expected.
    Absent,
}

/// A value compared as text: a number, a string, or `true` / `false`.
fn literal(value: &RawValue) -> Option<String> {
    let text = value.get().trim();
    json::scalar_text(value).or_else(|| matches!(text, "true" | "false").then(|| text.to_owned()))
}

/// The same text, or the same number written otherwise (`1000000.00` is the
/// `1000000` a vendor documents).
fn same(actual: &str, expected: &str) -> bool {
    use crate::money::parse_decimal;
    actual == expected
        || matches!((parse_decimal(actual), parse_decimal(expected)), (Ok(a), Ok(b)) if a == b)
}

/// The amount at `value`, divided exactly by `scale`.
fn scaled(value: &RawValue, scale: u64) -> Result<(Decimal, Option<String>), String> {
    let (amount, unit) = json::amount(value)?;
    if scale <= 1 {
        return Ok((amount, unit));
    }
    let divisor = Decimal::from(scale);
    let result = Some(amount)
        .filter(|a| a.fract().is_zero())
        .and_then(|a| a.checked_div(divisor))
        .filter(|r| r.checked_mul(divisor) == Some(amount))
        .ok_or_else(|| format!("not a whole number of 1/{scale} units"))?;
    // `20000` units of 1/10000 are `2`, not `2.0000`: the scale is not precision.
    Ok((result.normalize(), unit))
}

use super::{Balance, Labelled, Part, Unit, status_kind, vendor_error};

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers: reqwest::header::HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn telnyx() -> Description {
        Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .balance("/data/balance")
            .currency("/data/currency")
            .detail("credit_limit", "/data/credit_limit")
            .detail("pending", "/data/pending")
            .error_code("/errors/0/code")
            .error_message("/errors/0/detail")
            .codes(ErrorKind::RateLimited, &["10011"])
    }

    #[test]
    fn balance_with_details_keeps_digits() {
        let b = telnyx()
            .interpret(&reply(
                200,
                r#"{"data":{"balance":"300.00","credit_limit":"100.00","currency":"USD","pending":null}}"#,
            ))
            .unwrap();
        assert_eq!(b.amount.to_string(), "300.00");
        assert_eq!(b.currency.as_deref(), Some("USD"));
        assert_eq!(b.details.len(), 1);
        assert_eq!(b.details[0].1.to_string(), "100.00");
    }

    #[test]
    fn errors_by_code_then_status() {
        let e = telnyx()
            .interpret(&reply(
                401,
                r#"{"errors":[{"code":"10009","title":"Authentication failed","detail":"bad key"}]}"#,
            ))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.provider_code.as_deref(), Some("10009"));
        assert!(e.message.contains("bad key"), "{}", e.message);
        // A rate-limit code inside HTTP 200 is rate limiting, and retryable.
        let r = reply(200, r#"{"errors":[{"code":10011}]}"#);
        assert_eq!(
            telnyx().interpret(&r).unwrap_err().kind,
            ErrorKind::RateLimited
        );
        assert!(telnyx().retryable(&r));
        assert!(!telnyx().retryable(&reply(200, r#"{"data":{"balance":"1"}}"#)));
        // ...but on a 401/403 it is rejected credentials, never retried.
        for status in [401, 403] {
            let r = reply(status, r#"{"errors":[{"code":10011}]}"#);
            assert_eq!(telnyx().interpret(&r).unwrap_err().kind, ErrorKind::Auth);
            assert!(!telnyx().retryable(&r));
        }
        let e = telnyx().interpret(&reply(200, "<html>")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Provider);
        assert!(e.message.contains("not JSON"), "{}", e.message);
        let e = telnyx()
            .interpret(&reply(200, r#"{"data":{"balance":null}}"#))
            .unwrap_err();
        assert!(e.message.contains("is null"), "{}", e.message);
        let e = telnyx()
            .interpret(&reply(200, r#"{"data":{"balance":"abc"}}"#))
            .unwrap_err();
        assert!(
            e.message
                .contains("`/data/balance` is `abc`, which is not an amount"),
            "{}",
            e.message
        );
    }

    #[test]
    fn scale_divides_exactly() {
        let d = Description::get("/")
            .scaled_balance("/total_balance10000", 10000)
            .balance("/total_balance");
        let b = d
            .interpret(&reply(200, r#"{"total_balance10000":123456}"#))
            .unwrap();
        assert_eq!(b.amount.to_string(), "12.3456");
        let b = d
            .interpret(&reply(200, r#"{"total_balance":14.3456}"#))
            .unwrap();
        assert_eq!(b.amount.to_string(), "14.3456");
        let e = d
            .interpret(&reply(200, r#"{"total_balance10000":1.5}"#))
            .unwrap_err();
        assert!(e.message.contains("1/10000"), "{}", e.message);
    }

    #[test]
    fn refusals_envelopes_words_and_bare_codes() {
        let plivo = Description::get("/")
            .balance("/cash_credits")
            .fixed_currency("USD")
            .refuse("/billing_mode", "postpaid", ErrorKind::NotPrepaid);
        let e = plivo
            .interpret(&reply(
                200,
                r#"{"billing_mode":"postpaid","cash_credits":"1.80900"}"#,
            ))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotPrepaid);
        let b = plivo
            .interpret(&reply(
                200,
                r#"{"billing_mode":"prepaid","cash_credits":"1.80900"}"#,
            ))
            .unwrap();
        assert_eq!(
            (b.amount.to_string(), b.currency.unwrap()),
            ("1.80900".into(), "USD".into())
        );

        let yeastar = Description::get("/")
            .success("/code", "success")
            .balance("/result/accountBalance")
            .error_code("/status")
            .error_message("/detailMessage")
            .codes(ErrorKind::RateLimited, &["429"]);
        let r = reply(
            200,
            r#"{"code":"TOO_MANY","status":429,"detailMessage":"slow down"}"#,
        );
        assert_eq!(
            yeastar.interpret(&r).unwrap_err().kind,
            ErrorKind::RateLimited
        );
        assert!(yeastar.retryable(&r));

        let bird = Description::get("/")
            .balance("/amount")
            .currency("/type")
            .currency_word("euros", "EUR")
            .currency_word("credits", "credits");
        let b = bird
            .interpret(&reply(200, r#"{"type":"euros","amount":103}"#))
            .unwrap();
        assert_eq!(b.currency.as_deref(), Some("EUR"));
        let b = bird
            .interpret(&reply(200, r#"{"type":"CHF","amount":1}"#))
            .unwrap();
        assert_eq!(b.currency.as_deref(), Some("CHF"));

        let seven = Description::get("/")
            .balance("/amount")
            .bare_code()
            .codes(ErrorKind::Auth, &["900"]);
        let e = seven.interpret(&reply(200, "900")).unwrap_err();
        assert_eq!(
            (e.kind, e.provider_code.as_deref()),
            (ErrorKind::Auth, Some("900"))
        );
        let e = seven.interpret(&reply(200, "500")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Provider);
    }

    #[test]
    fn currency_in_the_amount_and_text_errors() {
        let at = Description::get("/")
            .balance("/UserData/balance")
            .balance("/userData/balance")
            .text_errors();
        let b = at
            .interpret(&reply(200, r#"{"UserData":{"balance":"KES 1785.50"}}"#))
            .unwrap();
        assert_eq!(
            (b.amount.to_string(), b.currency.unwrap()),
            ("1785.50".into(), "KES".into())
        );
        for bare in [r#""1785.50""#, "1785.50"] {
            let e = at
                .clone()
                .currency_required()
                .interpret(&reply(
                    200,
                    &format!(r#"{{"UserData":{{"balance":{bare}}}}}"#),
                ))
                .unwrap_err();
            assert_eq!(e.kind, ErrorKind::Provider);
            assert!(e.message.contains("names no currency"), "{}", e.message);
        }
        let e = at
            .interpret(&reply(401, "The supplied authentication is invalid"))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message
                .ends_with("The supplied authentication is invalid"),
            "{}",
            e.message
        );
    }

    #[test]
    fn prefixed_auth_takes_only_its_prefix() {
        let a = Auth::prefixed("Bearer ", "api_key");
        assert_eq!(a.keys(), ["api_key"]);
        assert!(a.accepts(Some("Bearer tok")));
        assert!(!a.accepts(Some("bearer tok")) && !a.accepts(Some("key")) && !a.accepts(None));
        assert!(Auth::header("X-Api-Key", "api_key").accepts(Some("key")));
    }

    #[test]
    fn codes_by_member_name_when_the_fields_are_unknown() {
        let d = Description::get("/")
            .balance("/balance")
            .error_code("/known")
            .error_code_named("Code");
        let code = |body| d.interpret(&reply(400, body)).unwrap_err().provider_code;
        assert_eq!(code(r#"{"errorCode":43}"#).as_deref(), Some("43"));
        assert_eq!(code(r#"{"error":{"code":"2"}}"#).as_deref(), Some("2"));
        assert_eq!(
            code(r#"{"known":"k","errorCode":43}"#).as_deref(),
            Some("k")
        );
        assert_eq!(code(r#"{"error":"Rate limit"}"#), None);
        // A balance is a balance, whatever else it carries.
        let b = d.interpret(&reply(200, r#"{"balance":1.5}"#)).unwrap();
        assert_eq!(b.amount.to_string(), "1.5");
    }

    /// Telnyx's money model: the vendor's own available figure when given,
    /// else cash + credit limit, exactly; pending is reported, not subtracted.
    fn telnyx_money() -> Description {
        Description::get("/")
            .balance("/data/available_credit")
            .currency("/data/currency")
            .part(Part::Reserved, "/data/pending")
            .part(Part::Cash, "/data/balance")
            .part(Part::Credit, "/data/credit_limit")
            .available_sum(&[Part::Cash, Part::Credit])
    }

    #[test]
    fn available_is_given_or_summed_from_parts() {
        let d = telnyx_money();
        let b = d
            .interpret(&reply(
                200,
                r#"{"data":{"balance":"-1.89","credit_limit":"100.00","available_credit":"98.11","pending":"10.00","currency":"USD"}}"#,
            ))
            .unwrap();
        assert_eq!(b.amount.to_string(), "98.11");
        assert_eq!(b.unit, Unit::Money);
        let parts: Vec<(Part, String)> = b.parts.iter().map(|(p, v)| (*p, v.to_string())).collect();
        assert_eq!(
            parts,
            [
                (Part::Reserved, "10.00".into()),
                (Part::Cash, "-1.89".into()),
                (Part::Credit, "100.00".into())
            ]
        );
        // Without the vendor's figure: the sum, with every digit.
        let b = d
            .interpret(&reply(
                200,
                r#"{"data":{"balance":"-1.89","credit_limit":"100.005"}}"#,
            ))
            .unwrap();
        assert_eq!(b.amount.to_string(), "98.115");
        // No credit limit: cash alone.
        let b = d
            .interpret(&reply(200, r#"{"data":{"balance":"300.00"}}"#))
            .unwrap();
        assert_eq!((b.amount.to_string(), b.parts.len()), ("300.00".into(), 1));
        // No cash: no balance, whatever else is there.
        let e = d
            .interpret(&reply(200, r#"{"data":{"credit_limit":"100"}}"#))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Provider);
        // A part that is not an amount is the vendor's error, named.
        let e = d
            .interpret(&reply(
                200,
                r#"{"data":{"balance":"1","credit_limit":"lots"}}"#,
            ))
            .unwrap_err();
        assert!(
            e.message.contains("`/data/credit_limit` is `lots`"),
            "{}",
            e.message
        );
    }

    /// Credits bought less credits used, exactly; a placeholder is judged on
    /// the vendor's own figure.
    #[test]
    fn less_takes_spending_off() {
        let d = Description::get("/")
            .balance("/data/total_credits")
            .less("/data/total_usage")
            .not_prepaid_if_amount("1000000");
        let amount = |body: &str| d.interpret(&reply(200, body)).map(|b| b.amount.to_string());
        assert_eq!(
            amount(r#"{"data":{"total_credits":100,"total_usage":25.0412}}"#).unwrap(),
            "74.9588"
        );
        let e = amount(r#"{"data":{"total_credits":5}}"#).unwrap_err();
        assert!(
            e.message.contains("no `/data/total_usage`"),
            "{}",
            e.message
        );
        let e = amount(r#"{"data":{"total_credits":5,"total_usage":"x"}}"#).unwrap_err();
        assert!(
            e.message.contains("`/data/total_usage` is `x`"),
            "{}",
            e.message
        );
        let e = amount(r#"{"data":{"total_credits":1000000,"total_usage":1}}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotPrepaid);
    }

    #[test]
    fn unit_by_description_or_by_answer() {
        let d = Description::get("/")
            .balance("/amount")
            .currency("/type")
            .currency_word("credits", "credits")
            .unit_when("/type", "credits", Unit::Credits);
        let unit = |body: &str| d.interpret(&reply(200, body)).unwrap().unit;
        assert_eq!(unit(r#"{"type":"credits","amount":9.2}"#), Unit::Credits);
        assert_eq!(unit(r#"{"type":"euros","amount":9.2}"#), Unit::Money);
        let d = Description::get("/").balance("/n").unit(Unit::Messages);
        assert_eq!(
            d.interpret(&reply(200, r#"{"n":5}"#)).unwrap().unit,
            Unit::Messages
        );
        assert_eq!(
            [Unit::Money, Unit::Credits, Unit::Messages].map(Unit::as_str),
            ["money", "credits", "messages"]
        );
        assert_eq!(
            Part::ALL.map(|p| Part::parse(p.as_str())),
            Part::ALL.map(Some)
        );
    }

    #[test]
    fn expiry_in_any_form_and_never_fatal() {
        let d = Description::get("/")
            .balance("/balance")
            .expiry("/expires_at")
            .expiry("/valid_until");
        let at = |body: &str| {
            d.interpret(&reply(200, body))
                .unwrap()
                .expires_at
                .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        };
        assert_eq!(
            at(r#"{"balance":1,"expires_at":"2026-12-31T23:59:59+01:00"}"#).as_deref(),
            Some("2026-12-31T22:59:59Z")
        );
        assert_eq!(
            at(r#"{"balance":1,"expires_at":null,"valid_until":1798761599}"#).as_deref(),
            Some("2026-12-31T23:59:59Z")
        );
        assert_eq!(at(r#"{"balance":1,"expires_at":"never"}"#), None);
        assert_eq!(at(r#"{"balance":1}"#), None);
    }

    #[test]
    fn postpaid_placeholders_are_not_balances() {
        let d = Description::get("/")
            .balance("/balance")
            .not_prepaid_if_amount("1000000");
        for body in [r#"{"balance":1000000}"#, r#"{"balance":"1000000.00"}"#] {
            let e = d.interpret(&reply(200, body)).unwrap_err();
            assert_eq!((e.kind, e.http_status), (ErrorKind::NotPrepaid, Some(200)));
            assert!(
                e.message.starts_with(
                    "account is not in prepaid mode (HTTP 200): `/balance` is 1000000"
                ),
                "{}",
                e.message
            );
            assert!(!d.retryable(&reply(200, body)));
        }
        assert_eq!(
            d.interpret(&reply(200, r#"{"balance":999999.99}"#))
                .unwrap()
                .amount
                .to_string(),
            "999999.99"
        );
        let d = Description::get("/")
            .balance("/balance")
            .not_prepaid_when("/account/type", "postpaid");
        let e = d
            .interpret(&reply(
                200,
                r#"{"balance":5,"account":{"type":"postpaid"}}"#,
            ))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotPrepaid);
    }

    #[test]
    fn an_entry_is_picked_by_the_profiles_value() {
        let d = Description::get("/")
            .entry("/infos", "/currency", "currency")
            .balance("/total")
            .currency("/currency")
            .detail("granted", "/granted");
        let body = r#"{"infos":[{"currency":"CNY","total":"110.00","granted":"10.00"},{"currency":"USD","total":"7.5","granted":"0"}]}"#;
        let r = reply(200, body);
        let b = d.interpret_for(&r, Some("usd")).unwrap();
        assert_eq!(
            (b.amount.to_string(), b.currency.as_deref()),
            ("7.5".into(), Some("USD"))
        );
        assert_eq!(b.details, vec![("granted".into(), Decimal::ZERO)]);
        let b = d.interpret_for(&r, Some("CNY")).unwrap();
        assert_eq!(b.amount.to_string(), "110.00");
        // Several and none asked for, or one asked for that is not there: the
        // profile must say, and the error lists what the answer holds.
        for (wanted, words) in [(None, "set `currency`"), (Some("EUR"), "\"EUR\"")] {
            let e = d.interpret_for(&r, wanted).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config, "{}", e.message);
            assert!(e.message.contains(words), "{}", e.message);
            assert!(e.message.contains("CNY, USD"), "{}", e.message);
        }
        let many: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"currency":"C{i}","total":"1"}}"#))
            .collect();
        let many = reply(200, &format!(r#"{{"infos":[{}]}}"#, many.join(",")));
        let e = d.interpret(&many).unwrap_err();
        assert!(
            e.message.contains("C0, C1, C2, C3, C4, C5, …"),
            "{}",
            e.message
        );
        let one = reply(200, r#"{"infos":[{"currency":"CNY","total":"1"}]}"#);
        assert_eq!(d.interpret(&one).unwrap().currency.as_deref(), Some("CNY"));
        for empty in [r#"{"infos":[]}"#, r#"{"infos":{}}"#, r#"{}"#] {
            let e = d.interpret(&reply(200, empty)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Provider, "{empty}: {}", e.message);
        }
        // No entry at all: the answer is read as an error, by its code.
        let d = d
            .error_code("/error/code")
            .codes(ErrorKind::Auth, &["bad_key"]);
        let e = d
            .interpret(&reply(200, r#"{"error":{"code":"bad_key"}}"#))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth, "{}", e.message);
    }

    /// Parts, spending, expiry and the unit are read in the picked element,
    /// never in another element or the answer's top level.
    #[test]
    fn the_money_model_reads_in_the_picked_entry() {
        let d = Description::get("/")
            .entry("/infos", "/currency", "currency")
            .balance("/total")
            .less("/used")
            .currency("/currency")
            .part(Part::Cash, "/topped_up")
            .part(Part::Bonus, "/granted")
            .expiry("/expires_at")
            .unit_when("/kind", "credits", Unit::Credits);
        let body = r#"{"topped_up":"999","granted":"999","used":"999","expires_at":"2030-01-01T00:00:00Z",
            "infos":[{"currency":"CNY","total":"110.00","used":"1","topped_up":"100.00","granted":"10.00"},
                     {"currency":"USD","total":"7.5","used":"0.5","topped_up":"7.5","granted":"0","kind":"credits","expires_at":"2026-12-31T00:00:00Z"}]}"#;
        let r = reply(200, body);
        let b = d.interpret_for(&r, Some("USD")).unwrap();
        let parts: Vec<(Part, String)> = b.parts.iter().map(|(p, v)| (*p, v.to_string())).collect();
        assert_eq!(b.amount.to_string(), "7.0");
        assert_eq!(
            parts,
            [(Part::Cash, "7.5".into()), (Part::Bonus, "0".into())]
        );
        assert_eq!(b.unit, Unit::Credits);
        assert_eq!(
            b.expires_at
                .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
            Some("2026-12-31T00:00:00Z".into())
        );
        let b = d.interpret_for(&r, Some("CNY")).unwrap();
        assert_eq!(
            (b.amount.to_string(), b.unit, b.expires_at),
            ("109.00".into(), Unit::Money, None)
        );
        assert_eq!(
            b.part(Part::Bonus).map(|v| v.to_string()).as_deref(),
            Some("10.00")
        );
    }

    #[test]
    fn a_default_currency_by_key_below_the_profiles() {
        let d = Description::get("/")
            .default_currency("USD")
            .default_currency_when("region", "cn", "CNY");
        let profile = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
        };
        assert_eq!(d.default_currency_for(profile(&[])).as_deref(), Some("USD"));
        assert_eq!(
            d.default_currency_for(profile(&[("region", "cn")]))
                .as_deref(),
            Some("CNY")
        );
        assert_eq!(
            d.default_currency_for(profile(&[("region", "global")]))
                .as_deref(),
            Some("USD")
        );
        assert_eq!(
            d.default_currency_for(profile(&[("region", "cn"), ("currency", "EUR")]))
                .as_deref(),
            Some("EUR")
        );
        assert_eq!(
            Description::get("/").default_currency_for(profile(&[])),
            None
        );
    }

    #[test]
    fn an_amount_less_another_is_exact() {
        let d = Description::get("/")
            .balance("/data/credits")
            .less("/data/usage");
        let b = d
            .interpret(&reply(200, r#"{"data":{"credits":100.5,"usage":25.75}}"#))
            .unwrap();
        assert_eq!(b.amount.to_string(), "74.75");
        // 0.3 - 0.1 is 0.2 exactly, as no float would give it.
        let b = d
            .interpret(&reply(200, r#"{"data":{"credits":0.3,"usage":"0.1"}}"#))
            .unwrap();
        assert_eq!(b.amount.to_string(), "0.2");
        for bad in [
            r#"{"data":{"credits":1}}"#,
            r#"{"data":{"credits":1,"usage":"x"}}"#,
        ] {
            let e = d.interpret(&reply(200, bad)).unwrap_err();
            assert!(e.message.contains("/data/usage"), "{}", e.message);
        }
    }

    #[test]
    fn refusals_compare_numbers_and_booleans() {
        let d = Description::get("/")
            .refuse("/balance", "1000000", ErrorKind::NotPrepaid)
            .refuse("/ok", "false", ErrorKind::Auth)
            .balance("/balance");
        for placeholder in ["1000000", "1000000.00", "\"1000000\""] {
            let body = format!(r#"{{"balance":{placeholder}}}"#);
            let e = d.interpret(&reply(200, &body)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::NotPrepaid, "{body}");
        }
        assert!(d.interpret(&reply(200, r#"{"balance":999999.99}"#)).is_ok());
        let e = d
            .interpret(&reply(200, r#"{"ok":false,"balance":0}"#))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message.starts_with("credentials rejected"),
            "{}",
            e.message
        );
        assert!(
            d.interpret(&reply(200, r#"{"ok":true,"balance":0}"#))
                .is_ok()
        );
    }

    #[test]
    fn any_answer_is_handled() {
        let d = telnyx();
        crate::kit::check_any_answer(|r| d.interpret(r));
        let d = telnyx_money()
            .part(Part::Bonus, "/balance")
            .available_sum(&[Part::Cash, Part::Credit, Part::Bonus])
            .expiry("/expires_at")
            .expiry("/data/expires_at")
            .not_prepaid_if_amount("1000000");
        crate::kit::check_any_answer(|r| d.interpret(r));
    }
}
