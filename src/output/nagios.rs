//! `--format nagios`: a Monitoring Plugins check (SPEC §7). One status line with
//! perfdata, then, for several profiles, one long-output line each; the exit
//! status is Nagios's own. The text never holds `;` (Nagios Core rewrites it to
//! `:`) nor `|` (which starts the perfdata).

use crate::error::ErrorKind;
use crate::range::Range;
use crate::result::CheckResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl State {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn word(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }

    /// SPEC §7's order over several profiles: CRITICAL > WARNING > UNKNOWN > OK.
    fn severity(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Unknown => 1,
            State::Warning => 2,
            State::Critical => 3,
        }
    }

    pub fn worst(states: impl IntoIterator<Item = State>) -> State {
        states
            .into_iter()
            .max_by_key(|s| s.severity())
            .unwrap_or(State::Ok)
    }
}

/// `-w` and `-c`. Without `-w`, a profile's `min_balance` is its warning range `min:`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thresholds {
    pub warning: Option<Range>,
    pub critical: Option<Range>,
}

impl Thresholds {
    fn warning(&self, r: &CheckResult) -> Option<Range> {
        self.warning.or(r.min_balance.map(Range::below))
    }

    pub fn state(&self, r: &CheckResult) -> State {
        match &r.outcome {
            Ok(b) if self.critical.is_some_and(|c| c.alerts(b.amount)) => State::Critical,
            Ok(b) if self.warning(r).is_some_and(|w| w.alerts(b.amount)) => State::Warning,
            // A forecast to run out within min_days warns, whatever -w says
            // about the amount; -c's range can still make it critical (above).
            Ok(_) if r.empties_soon() => State::Warning,
            Ok(_) => State::Ok,
            Err(e) => match e.kind {
                ErrorKind::Auth | ErrorKind::NotPrepaid | ErrorKind::Provider => State::Critical,
                ErrorKind::RateLimited | ErrorKind::Network | ErrorKind::Config => State::Unknown,
            },
        }
    }

    pub fn overall(&self, results: &[CheckResult]) -> State {
        State::worst(results.iter().map(|r| self.state(r)))
    }
}

/// What one profile says in the status line and on its own line.
fn describe(r: &CheckResult, state: State, t: &Thresholds) -> String {
    let text = match &r.outcome {
        Err(e) => e.message.clone(),
        Ok(b) => {
            let mut text = b.amount.to_string();
            if let Some(c) = &b.currency {
                text.push(' ');
                text.push_str(c);
            }
            match state {
                State::Critical => {
                    text.push_str(&format!(" (critical range {})", t.critical.expect("set")))
                }
                State::Warning => match t.warning(r) {
                    Some(w) if w.alerts(b.amount) => {
                        text.push_str(&format!(" (warning range {w})"))
                    }
                    _ => text.push_str(&format!(
                        " (empty in {} d)",
                        super::days_left(r).unwrap_or_default()
                    )),
                },
                _ => {}
            }
            text
        }
    };
    plain(&format!("{}: {}", r.profile, text))
}

/// Text as Nagios shows it unchanged: `;` and `|` in a profile name or a
/// vendor's message become `,` and `/`.
fn plain(text: &str) -> String {
    text.replace(';', ",").replace('|', "/")
}

/// One profile in the status line of several: short, the details being on
/// its long-output line.
fn brief(r: &CheckResult, state: State, t: &Thresholds) -> String {
    match &r.outcome {
        Err(e) => plain(&format!("{}: {} error", r.profile, e.kind.as_str())),
        Ok(_) => describe(r, state, t),
    }
}

pub fn render(results: &[CheckResult], t: &Thresholds) -> String {
    let states: Vec<State> = results.iter().map(|r| t.state(r)).collect();
    let overall = State::worst(states.iter().copied());

    let summary = if overall == State::Ok {
        match results {
            [one] => describe(one, State::Ok, t),
            _ => format!("{} profiles ok", results.len()),
        }
    } else {
        // The profiles that need attention, worst first.
        let mut bad: Vec<(State, &CheckResult)> = states
            .iter()
            .copied()
            .zip(results)
            .filter(|(s, _)| *s != State::Ok)
            .collect();
        bad.sort_by_key(|(s, _)| std::cmp::Reverse(s.severity()));
        let mut parts: Vec<String> = match bad.as_slice() {
            [(s, r)] if results.len() == 1 => vec![describe(r, *s, t)],
            _ => bad.iter().map(|(s, r)| brief(r, *s, t)).collect(),
        };
        let ok = results.len() - bad.len();
        if ok > 0 {
            parts.push(format!("{ok} ok"));
        }
        parts.join(", ")
    };

    let mut perfdata: Vec<String> = results
        .iter()
        .filter_map(|r| {
            let b = r.outcome.as_ref().ok()?;
            let range = |x: Option<Range>| x.map(|x| x.to_string()).unwrap_or_default();
            Some(format!(
                "'{}'={};{};{}",
                r.profile.replace('\'', "''"),
                b.amount,
                range(t.warning(r)),
                range(t.critical)
            ))
        })
        .collect();
    // Then each forecast: `'p_days_left'=3.82;7:;` (warning below min_days).
    perfdata.extend(results.iter().filter_map(|r| {
        let f = r.forecast.filter(|_| r.outcome.is_ok())?;
        Some(format!(
            "'{}_days_left'={};{};",
            r.profile.replace('\'', "''"),
            crate::history::forecast::rounded(f.days_left, 2),
            r.min_days.map(|d| format!("{d}:")).unwrap_or_default()
        ))
    }));

    let mut out = format!("BALANCE {} - {summary}", overall.word());
    if !perfdata.is_empty() {
        out.push_str(" | ");
        out.push_str(&perfdata.join(" "));
    }
    out.push('\n');
    if results.len() > 1 {
        for (r, s) in results.iter().zip(&states) {
            out.push_str(&format!("{} {}\n", s.word(), describe(r, *s, t)));
        }
    }
    out
}

/// The one line a failed run prints: Nagios reads stdout, not stderr. The
/// message may quote a config value or a path, so it passes the gate: a newline
/// in it would forge a second line for Nagios to read.
pub fn unknown(message: &str) -> String {
    let message = crate::text::clean(message, 1000);
    format!("BALANCE UNKNOWN - {}\n", plain(&message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::results;

    #[test]
    fn snapshot_with_min_balance_as_warning() {
        insta::assert_snapshot!(render(&results(), &Thresholds::default()));
    }

    #[test]
    fn snapshot_with_ranges() {
        let t = Thresholds {
            warning: Some(Range::parse("100:").unwrap()),
            critical: Some(Range::parse("@0:50").unwrap()),
        };
        insta::assert_snapshot!(render(&results()[2..], &t));
    }

    #[test]
    fn running_out_within_min_days_warns() {
        let mut rs = results();
        crate::output::fixtures::with_forecasts(&mut rs);
        rs[0].min_days = Some(7.0);
        let out = render(&rs[..1], &Thresholds::default());
        assert_eq!(
            out,
            "BALANCE WARNING - infobip: 47.79134 EUR (empty in 3.8 d) | 'infobip'=47.79134;; 'infobip_days_left'=3.82;7:;\n"
        );
        // -c still makes it critical.
        let t = Thresholds {
            warning: None,
            critical: Some(Range::parse("100:").unwrap()),
        };
        assert_eq!(t.state(&rs[0]), State::Critical);
        rs[0].min_days = Some(3.0);
        assert_eq!(Thresholds::default().state(&rs[0]), State::Ok);
    }

    #[test]
    fn order_is_critical_warning_unknown_ok() {
        use State::*;
        assert_eq!(State::worst([Ok, Unknown]), Unknown);
        assert_eq!(State::worst([Unknown, Warning, Ok]), Warning);
        assert_eq!(State::worst([Warning, Critical, Unknown]), Critical);
        assert_eq!(State::worst([]), Ok);
    }

    /// Nagios Core rewrites `;` in plugin output and splits on `|`: neither
    /// may come from our text or a vendor's, on any line.
    #[test]
    fn no_semicolon_or_bar_in_the_text() {
        let mut rs = results();
        if let Err(e) = &mut rs[1].outcome {
            e.message = "denied; see https://x.test/a|b".into();
        }
        rs[2].profile = "eu;main|2".into();
        for out in [
            render(&rs, &Thresholds::default()),
            render(&rs[1..2], &Thresholds::default()),
            unknown("bad; worse | worst"),
        ] {
            let mut lines = out.lines();
            let first = lines.next().unwrap();
            let text = first.split_once(" | ").map_or(first, |(text, _)| text);
            for line in std::iter::once(text).chain(lines) {
                assert!(!line.contains(';') && !line.contains('|'), "{line}\n{out}");
            }
        }
        let out = render(&rs[1..2], &Thresholds::default());
        assert!(out.contains("denied, see https://x.test/a/b"), "{out}");
    }

    #[test]
    fn single_ok_profile_names_its_balance() {
        let out = render(&results()[..1], &Thresholds::default());
        assert_eq!(
            out,
            "BALANCE OK - infobip: 47.79134 EUR | 'infobip'=47.79134;;\n"
        );
    }
}
