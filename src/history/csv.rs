//! The history's csv: RFC 4180, one stable header, read back by `history import`
//! in exactly the form it is written.

use super::{Record, format_time, parse_time};
use crate::error::ErrorKind;
use crate::result::Status;

pub const HEADER: &str = "checked_at,profile,provider,status,balance,currency,error_kind";

/// Records as csv text: the header, then one line per record, CRLF as RFC 4180 says.
pub fn write(records: &[Record]) -> String {
    let mut out = String::with_capacity(64 * (records.len() + 1));
    out.push_str(HEADER);
    out.push_str("\r\n");
    for r in records {
        let balance = r.balance.map(|b| b.to_string()).unwrap_or_default();
        let fields = [
            format_time(r.checked_at),
            field(&r.profile),
            field(&r.provider),
            field(r.status.as_str()),
            balance,
            field(r.currency.as_deref().unwrap_or("")),
            field(r.error_kind.map_or("", ErrorKind::as_str)),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quoted when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Parses a whole file; the first bad row fails it all, naming its line.
pub fn read(text: &str) -> Result<Vec<Record>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = split(text)?;
    let Some((_, header)) = rows.first() else {
        return Err("empty file: expected the header line `".to_owned() + HEADER + "`");
    };
    if header.join(",") != HEADER {
        return Err(format!("line 1: expected the header `{HEADER}`"));
    }
    let body = rows.split_off(1);
    let mut records = Vec::with_capacity(body.len());
    for (line, fields) in body {
        records.push(record(&fields).map_err(|m| format!("line {line}: {m}"))?);
    }
    Ok(records)
}

fn record(fields: &[String]) -> Result<Record, String> {
    let [
        checked_at,
        profile,
        provider,
        status,
        balance,
        currency,
        error_kind,
    ] = fields
    else {
        return Err(format!("expected 7 fields, found {}", fields.len()));
    };
    let checked_at = parse_time(checked_at).map_err(|m| format!("checked_at: {m}"))?;
    if profile.is_empty()
        || !profile
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(format!(
            "profile `{}` may hold only letters, digits, `_`, `.` and `-`",
            crate::text::clean(profile, 40)
        ));
    }
    let clean = |name: &str, value: &str| -> Result<Option<String>, String> {
        if value.chars().any(char::is_control) || value.chars().count() > 100 {
            return Err(format!("{name}: control characters or over 100 characters"));
        }
        Ok(Some(value.to_owned()).filter(|v| !v.is_empty()))
    };
    let provider = clean("provider", provider)?.ok_or("provider is empty")?;
    let status: Status = status.parse()?;
    let balance = if balance.is_empty() {
        None
    } else if balance.contains(['e', 'E', '+']) {
        return Err(format!(
            "balance `{}` is not plain decimal digits",
            crate::text::clean(balance, 40)
        ));
    } else {
        Some(crate::money::parse_decimal(balance).map_err(|m| format!("balance: {m}"))?)
    };
    let error_kind = match clean("error_kind", error_kind)? {
        Some(kind) => Some(kind.parse::<ErrorKind>()?),
        None => None,
    };
    match (status, &balance, &error_kind) {
        (Status::Error, None, Some(_)) => {}
        (Status::Error, _, _) => {
            return Err("an error row has an error_kind and no balance".into());
        }
        (_, Some(_), None) => {}
        _ => return Err("an ok or low row has a balance and no error_kind".into()),
    }
    Ok(Record {
        checked_at,
        profile: profile.clone(),
        provider,
        status,
        balance,
        currency: clean("currency", currency)?,
        error_kind,
        duration_ms: None,
        ..Record::default()
    })
}

/// RFC 4180 records with the line each starts on; CRLF or LF line ends, quoted
/// fields may hold commas, quotes (`""`) and line breaks. Blank lines are skipped.
fn split(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => return Err(format!("line {line}: a quote inside an unquoted field")),
            ',' => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                let blank = fields.len() == 1 && fields[0].is_empty() && !was_quoted;
                if !blank {
                    rows.push((start, std::mem::take(&mut fields)));
                }
                fields.clear();
                was_quoted = false;
                line += 1;
                start = line;
            }
            c if was_quoted => {
                return Err(format!(
                    "line {line}: `{}` after a closing quote",
                    c.escape_default()
                ));
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(format!("line {start}: a quoted field is never closed"));
    }
    if !field.is_empty() || !fields.is_empty() || was_quoted {
        fields.push(field);
        rows.push((start, fields));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "checked_at,profile,provider,status,balance,currency,error_kind\r\n\
        2026-11-22T08:19:25Z,infobip,infobip,ok,47.79134,EUR,\r\n\
        2026-11-22T08:19:25.5Z,sg,8x8,error,,,not_prepaid\r\n\
        2026-11-22T09:00:00Z,big,8x8,low,149309.7985931,\"U,S\"\"D\",\r\n";

    #[test]
    fn round_trip() {
        let records = read(SAMPLE).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[2].currency.as_deref(), Some("U,S\"D"));
        assert_eq!(records[0].balance.unwrap().to_string(), "47.79134");
        assert_eq!(write(&records), SAMPLE);
        // LF line ends and a trailing blank line read the same.
        let lf = SAMPLE.replace("\r\n", "\n") + "\n";
        assert_eq!(read(&lf).unwrap(), records);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        for (row, needle) in [
            ("2026-11-22T08:19:25Z,a,p,ok,1,EUR", "expected 7 fields"),
            ("yesterday,a,p,ok,1,EUR,", "checked_at"),
            ("2026-11-22T08:19:25Z,a b,p,ok,1,EUR,", "profile"),
            ("2026-11-22T08:19:25Z,a,p,fine,1,EUR,", "status"),
            ("2026-11-22T08:19:25Z,a,p,ok,1.2.3,EUR,", "balance"),
            ("2026-11-22T08:19:25Z,a,p,ok,1e3,EUR,", "plain decimal"),
            ("2026-11-22T08:19:25Z,a,p,ok,,EUR,", "has a balance"),
            ("2026-11-22T08:19:25Z,a,p,error,,,oops", "error_kind"),
            ("2026-11-22T08:19:25Z,a,,ok,1,EUR,", "provider"),
            ("2026-11-22T08:19:25Z,a,p,ok,1,E\"U,", "quote"),
        ] {
            let text = format!("{HEADER}\n2026-11-22T08:00:00Z,a,p,ok,1,EUR,\n{row}\n");
            let err = read(&text).unwrap_err();
            assert!(err.starts_with("line 3: "), "{row}: {err}");
            assert!(err.contains(needle), "{row}: {err}");
        }
        assert!(read("").unwrap_err().contains("header"));
        assert!(read("a,b\n").unwrap_err().starts_with("line 1"));
        let err = read(&format!("{HEADER}\n2026-11-22T08:00:00Z,a,\"p\n,ok,1,EUR,")).unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
    }

    #[test]
    fn lines_count_inside_quoted_fields() {
        let rows = split("a,\"multi\nline\",b\r\n\r\nc,d\n").unwrap();
        let starts: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(starts, [1, 4]);
        assert_eq!(rows[0].1, ["a", "multi\nline", "b"]);
    }
}
