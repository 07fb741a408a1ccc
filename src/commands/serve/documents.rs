//! The documents `serve` answers with, made from the results in memory: each
//! rendered once per change of the results (the page also when it is older
//! than the options' `page_age`), gzipped once a client asks for that.

use super::*;

/// What the answers are made of: the latest result of each profile, in memory.
#[derive(Default)]
pub(super) struct Shared {
    /// The current config's profile names, in file order.
    pub(super) order: Vec<String>,
    pub(super) latest: HashMap<String, CheckResult>,
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
        let mut out = Vec::new();
        for n in &self.order {
            out.extend(self.latest.get(n).cloned());
            let mut each: Vec<&CheckResult> = self
                .latest
                .iter()
                .filter(|(k, _)| k.split_once('/').is_some_and(|(p, _)| p == n))
                .map(|(_, r)| r)
                .collect();
            each.sort_by(|a, b| a.profile.cmp(&b.profile));
            out.extend(each.into_iter().cloned());
        }
        out
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
                        !self.latest.keys().any(|k| {
                            k == *n || k.split_once('/').is_some_and(|(p, _)| p == n.as_str())
                        })
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
