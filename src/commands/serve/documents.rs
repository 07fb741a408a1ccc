//! The documents `serve` answers with, made from the results in memory: each
//! rendered once per change of the results (the page also when it is older
//! than the options' `page_age`), gzipped once a client asks for that.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::*;

/// What the answers are made of: the latest result of each profile, in memory.
#[derive(Default)]
pub(super) struct Shared {
    /// The current config's profile names, in file order.
    pub(super) order: Vec<String>,
    /// By name, sorted, so that a profile's `profile/label` results are the
    /// range of names after `profile/`: a render finds them without a pass
    /// over every result for each profile (a million comparisons at 1,000).
    pub(super) latest: BTreeMap<String, CheckResult>,
    pub(super) last_success: HashMap<String, SystemTime>,
    pub(super) chart: HashMap<String, Vec<Point>>,
    pub(super) token: Option<SecretString>,
    /// `[settings] serve_hosts`: names allowed in `Host` besides localhost.
    pub(super) hosts: Vec<String>,
    /// Counts the changes to what the answers show; each rendered answer
    /// carries the generation it shows.
    pub(super) generation: u64,
    pub(super) rendered: [Option<Rendered>; 3],
    pub(super) options: Options,
}

/// The documents served from the results.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Doc {
    Metrics = 0,
    Json = 1,
    Page = 2,
}

impl Doc {
    pub(super) fn content_type(self) -> &'static str {
        match self {
            Doc::Metrics => "text/plain; version=0.0.4; charset=utf-8",
            Doc::Json => "application/json",
            Doc::Page => "text/html; charset=utf-8",
        }
    }
}

/// One document as last made, and gzipped once a client asked for that.
pub(super) struct Rendered {
    generation: u64,
    made: SystemTime,
    plain: Bytes,
    gzip: Option<Bytes>,
}

impl Shared {
    /// In file order; a profile's `profile/label` results after its own,
    /// by name.
    fn results(&self) -> Vec<CheckResult> {
        let mut out = Vec::with_capacity(self.latest.len());
        for n in &self.order {
            out.extend(self.latest.get(n).cloned());
            out.extend(self.labelled(n).cloned());
        }
        out
    }

    /// A profile's `profile/label` results, by name.
    fn labelled<'a>(&'a self, profile: &str) -> impl Iterator<Item = &'a CheckResult> + 'a {
        // Names after `profile/` and before `profile0` (`0` follows `/`).
        let (from, to) = (format!("{profile}/"), format!("{profile}0"));
        self.latest
            .range::<str, _>((Bound::Included(from.as_str()), Bound::Excluded(to.as_str())))
            .map(|(_, r)| r)
    }

    /// The document, made again only when the results changed since (or, for
    /// the page, which tells the time, when it is older than the options' `page_age`).
    pub(super) fn body(&mut self, doc: Doc, gzip: bool) -> Bytes {
        let now = SystemTime::now();
        let fresh = |r: &Rendered| {
            r.generation == self.generation
                && (doc != Doc::Page
                    || now
                        .duration_since(r.made)
                        .is_ok_and(|age| age < self.options.page_age))
        };
        let slot = &self.rendered[doc as usize];
        if !slot.as_ref().is_some_and(fresh) {
            let plain = Bytes::from(self.render(doc, now));
            self.rendered[doc as usize] = Some(Rendered {
                generation: self.generation,
                made: now,
                plain,
                gzip: None,
            });
        }
        match &mut self.rendered[doc as usize] {
            Some(r) if gzip => r.gzip.get_or_insert_with(|| compress(&r.plain)).clone(),
            Some(r) => r.plain.clone(),
            None => Bytes::new(),
        }
    }

    fn render(&self, doc: Doc, now: SystemTime) -> Vec<u8> {
        let results = self.results();
        match doc {
            Doc::Metrics => output::render(
                Format::Prometheus,
                &results,
                Style::default(),
                &Thresholds::default(),
                &self.last_success,
            ),
            Doc::Json => output::render(
                Format::Json,
                &results,
                Style::default(),
                &Thresholds::default(),
                &HashMap::new(),
            ),
            Doc::Page => {
                let pending: Vec<String> = self
                    .order
                    .iter()
                    .filter(|n| {
                        !self.latest.contains_key(n.as_str()) && self.labelled(n).next().is_none()
                    })
                    .cloned()
                    .collect();
                output::page::render_refreshing(&results, &self.chart, &pending, now, Some(60))
                    .into_bytes()
            }
        }
    }
}

/// gzip at the fast level: a thousand profiles' metrics (390 KiB) shrink
/// about tenfold in a few milliseconds, made once per change of the results.
pub(super) fn compress(plain: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 8),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(plain);
    Bytes::from(encoder.finish().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// File order, each profile's `profile/label` results after its own by
    /// name; names that merely start alike belong to other profiles.
    #[test]
    fn results_in_file_order_with_their_labels() {
        let base = crate::output::fixtures::results().remove(0);
        let mut shared = Shared {
            order: ["b", "a", "a-1", "c"].map(str::to_owned).into(),
            ..Shared::default()
        };
        for name in ["a", "a/y", "a/x", "a-1/z", "b/only", "ab", "a0"] {
            let mut r = base.clone();
            r.profile = name.to_owned();
            shared.latest.insert(name.to_owned(), r);
        }
        let names: Vec<String> = shared.results().into_iter().map(|r| r.profile).collect();
        assert_eq!(names, ["b/only", "a", "a/x", "a/y", "a-1/z"]);
        let page = String::from_utf8(shared.render(Doc::Page, SystemTime::now())).unwrap();
        // Only `c` has no result of its own or by label.
        assert!(page.contains("1 not checked yet"), "{page}");
    }
}
