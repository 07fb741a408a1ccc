//! The history's csv: RFC 4180, one stable header, read back by `history import`
//! in exactly the form it is written.

use std::io::{Read, Write};

use super::{Record, format_time, parse_time};
use crate::error::ErrorKind;
use crate::result::Status;

pub const HEADER: &str = "checked_at,profile,provider,status,balance,currency,error_kind";

/// Records as csv text: the header, then one line per record, CRLF as RFC 4180 says.
pub fn write(records: &[Record]) -> String {
    let mut out = Writer::new(Vec::with_capacity(64 * (records.len() + 1)));
    for r in records {
        // Writing to a Vec cannot fail.
        let _ = out.row(r);
    }
    String::from_utf8(out.finish().unwrap_or_default()).expect("csv of strings is UTF-8")
}

/// Writes the csv one record at a time, so an export of any size holds one
/// record in memory, not the file.
pub struct Writer<W: Write> {
    inner: ::csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    /// Starts the file with its header.
    pub fn new(out: W) -> Writer<W> {
        let mut inner = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(out);
        // The header goes with the first flush; an error shows there.
        let _ = inner.write_record(HEADER.split(','));
        Writer { inner }
    }

    pub fn row(&mut self, r: &Record) -> std::io::Result<()> {
        let balance = r.balance.map(|b| b.to_string()).unwrap_or_default();
        self.inner
            .write_record([
                format_time(r.checked_at).as_str(),
                &r.profile,
                &r.provider,
                r.status.as_str(),
                &balance,
                r.currency.as_deref().unwrap_or(""),
                r.error_kind.map_or("", ErrorKind::as_str),
            ])
            .map_err(into_io)
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> std::io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

fn into_io(e: ::csv::Error) -> std::io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Parses a whole text; the first bad row fails it all, naming its line.
pub fn read(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    read_each(text.as_bytes(), |r| {
        records.push(r);
        Ok(())
    })?;
    Ok(records)
}

/// Reads csv from `input` as it comes (memory bounded by one record, whatever
/// the size), handing each record to `each`; the first bad row, or an error
/// from `each`, ends it, naming the line. The number of records read.
pub fn read_each<R: Read>(
    input: R,
    mut each: impl FnMut(Record) -> Result<(), String>,
) -> Result<usize, String> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked here, to say which line and how many.
        .flexible(true)
        // The crate's record positions lag behind CRLF line ends and blank
        // lines; with LF only, the line a record starts on follows from where
        // it ended (see below). No field may hold a line break anyway.
        .from_reader(CrLf {
            inner: std::io::BufReader::new(input),
            last_was_lf: false,
        });
    let (mut row, mut prev) = (::csv::StringRecord::new(), ::csv::StringRecord::new());
    // A record's line is known once the next read says whether it ended with a
    // line break (the crate counts lines at record ends, not starts).
    let mut pending: Option<u64> = None;
    let mut header = true;
    let mut count = 0;
    loop {
        let more = reader.read_record(&mut row).map_err(|e| {
            let line = e.position().map_or(0, ::csv::Position::line);
            match e.kind() {
                ::csv::ErrorKind::Utf8 { .. } => format!("line {line}: not valid UTF-8"),
                ::csv::ErrorKind::Io(io) => crate::secret::io_reason(io),
                _ => format!("line {line}: not valid csv"),
            }
        })?;
        if let Some(end) = pending.take() {
            let breaks = prev
                .iter()
                .map(|f| f.matches('\n').count() as u64)
                .sum::<u64>();
            let ended = more
                || (reader.get_ref().last_was_lf
                    && !prev.iter().next_back().is_some_and(|f| f.ends_with('\n')));
            let line = end.saturating_sub(breaks + u64::from(ended)).max(1);
            if header {
                let joined = prev.iter().collect::<Vec<_>>().join(",");
                if joined.strip_prefix('\u{feff}').unwrap_or(&joined) != HEADER {
                    return Err(format!("line {line}: expected the header `{HEADER}`"));
                }
                header = false;
            } else {
                let fields: Vec<&str> = prev.iter().collect();
                let record = record(&fields).map_err(|m| format!("line {line}: {m}"))?;
                each(record).map_err(|m| format!("line {line}: {m}"))?;
                count += 1;
            }
        }
        if !more {
            break;
        }
        std::mem::swap(&mut row, &mut prev);
        pending = Some(reader.position().line());
    }
    if header {
        return Err("empty file: expected the header line `".to_owned() + HEADER + "`");
    }
    Ok(count)
}

/// CRLF read as LF; any other CR passes. Remembers whether the text ended
/// with a line break.
struct CrLf<R> {
    inner: R,
    last_was_lf: bool,
}

impl<R: std::io::BufRead> Read for CrLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.read_lf(out)?;
        if n > 0 {
            self.last_was_lf = out[n - 1] == b'\n';
        }
        Ok(n)
    }
}

impl<R: std::io::BufRead> CrLf<R> {
    fn read_lf(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let avail = self.inner.fill_buf()?;
        let Some(&first) = avail.first() else {
            return Ok(0);
        };
        if first == b'\r' && avail.len() == 1 {
            // A CR at the end of what is buffered: what follows decides.
            self.inner.consume(1);
            let next = self.inner.fill_buf()?;
            if next.first() == Some(&b'\n') {
                self.inner.consume(1);
                out[0] = b'\n';
            } else {
                out[0] = b'\r';
            }
            return Ok(1);
        }
        let (mut i, mut w) = (0, 0);
        while i < avail.len() && w < out.len() {
            let b = avail[i];
            if b == b'\r' {
                match avail.get(i + 1) {
                    Some(b'\n') => {
                        i += 1;
                        continue;
                    }
                    // Undecided: left for the next call, first in its buffer.
                    None => break,
                    Some(_) => {}
                }
            }
            out[w] = b;
            w += 1;
            i += 1;
        }
        self.inner.consume(i);
        Ok(w)
    }
}

fn record(fields: &[&str]) -> Result<Record, String> {
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
    if !crate::config::valid_result_name(profile) {
        return Err(format!(
            "profile `{}` may hold only letters, digits, `_`, `.` and `-`, \
             then `/` and the label of one of its balances",
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
        profile: (*profile).to_owned(),
        provider,
        status,
        balance,
        currency: clean("currency", currency)?,
        error_kind,
        duration_ms: None,
        ..Record::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "checked_at,profile,provider,status,balance,currency,error_kind\r\n\
        2026-11-22T08:19:25Z,infobip,infobip,ok,47.79134,EUR,\r\n\
        2026-11-22T08:19:25.5Z,sg,8x8,error,,,not_prepaid\r\n\
        2026-11-22T09:00:00Z,big,8x8,low,149309.7985931,\"U,S\"\"D\",\r\n\
        2026-11-22T09:00:00Z,llm/USD,deepseek,ok,110.00,USD,\r\n\
        2026-11-22T09:00:00Z,resell/Shop EU (2),vonage,ok,5.5,EUR,\r\n";

    #[test]
    fn round_trip() {
        let records = read(SAMPLE).unwrap();
        assert_eq!(records.len(), 5);
        // A profile's labelled balances (subaccounts, currencies) come back in.
        assert_eq!(records[4].profile, "resell/Shop EU (2)");
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
            ("2026-11-22T08:19:25Z,a b/USD,p,ok,1,EUR,", "profile"),
            ("2026-11-22T08:19:25Z,a/,p,ok,1,EUR,", "profile"),
            ("2026-11-22T08:19:25Z,/USD,p,ok,1,EUR,", "profile"),
            ("2026-11-22T08:19:25Z,a/\u{1b}[31m,p,ok,1,EUR,", "profile"),
            ("2026-11-22T08:19:25Z,a,p,fine,1,EUR,", "status"),
            ("2026-11-22T08:19:25Z,a,p,ok,1.2.3,EUR,", "balance"),
            ("2026-11-22T08:19:25Z,a,p,ok,1e3,EUR,", "plain decimal"),
            ("2026-11-22T08:19:25Z,a,p,ok,,EUR,", "has a balance"),
            ("2026-11-22T08:19:25Z,a,p,error,,,oops", "error_kind"),
            ("2026-11-22T08:19:25Z,a,,ok,1,EUR,", "provider"),
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
        let text = format!("{HEADER}\r\n2026-11-22T08:00:00Z,a,p,ok,1,\"multi\nline\",\r\n");
        let err = read(&text).unwrap_err();
        assert!(err.starts_with("line 2: currency"), "{err}");
        let text = format!(
            "{HEADER}\r\n2026-11-22T08:00:00Z,a,p,ok,1,\"E\r\n\r\n\"\"R\",\r\n\r\n2026-11-22T08:00:00Z,a,p,ok,x,EUR,"
        );
        // Quoted line breaks and blank lines count; a last line without its end too.
        let err = read(&text).unwrap_err();
        assert!(err.starts_with("line 2: currency"), "{err}");
        let text = format!(
            "{HEADER}\r\n2026-11-22T08:00:00Z,a,p,ok,1,\"E,R\",\r\n\r\n\n2026-11-22T08:00:00Z,a,p,ok,x,EUR,"
        );
        let err = read(&text).unwrap_err();
        assert!(err.starts_with("line 5: balance"), "{err}");
        let err = read(&format!("{text}\r\n")).unwrap_err();
        assert!(err.starts_with("line 5: balance"), "{err}");
        let mut seen = Vec::new();
        let n = read_each(SAMPLE.as_bytes(), |r| {
            seen.push(r.profile);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            (n, seen),
            (
                5,
                ["infobip", "sg", "big", "llm/USD", "resell/Shop EU (2)"]
                    .map(String::from)
                    .to_vec()
            )
        );
        // The consumer's refusal names the line too.
        let err = read_each(SAMPLE.as_bytes(), |r| match r.profile.as_str() {
            "sg" => Err("stop".into()),
            _ => Ok(()),
        })
        .unwrap_err();
        assert_eq!(err, "line 3: stop");
        assert!(read(&format!("\u{feff}{SAMPLE}")).is_ok());
        let mut bad = format!("{HEADER}\n2026-11-22T08:00:00Z,a,p,ok,1,E").into_bytes();
        bad.extend_from_slice(b"\xff,\n");
        let err = read_each(bad.as_slice(), |_| Ok(())).unwrap_err();
        assert_eq!(err, "line 2: not valid UTF-8");
    }
}
