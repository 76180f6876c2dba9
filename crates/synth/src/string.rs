//! Strings: the first candidate that satisfies every string constraint wins.
//!
//! Candidates, most realistic first: the preferred value (a discriminator), the schema's own
//! examples, the `format`, the property name's kind, the `pattern`, and finally a structural
//! string of the right length. Each is checked against the merged constraints (lengths,
//! every pattern and format through the validator), so a heuristic never produces an invalid
//! value: it just loses to the next candidate.

use crate::engine::{At, Gen};
use crate::error::{GenError, GenResult};
use crate::formats;
use crate::merge::Merged;
use crate::names::Kind;
use crate::realistic;
use crate::value::char_len;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;
use serde_json::Value;

/// Pattern samples tried per string.
const PATTERN_ATTEMPTS: usize = 64;
/// Longest string generated (a `minLength` beyond this is treated as pathological).
const MAX_STRING: u64 = 100_000;

impl<'s> Gen<'s> {
    pub fn string(&mut self, m: &Merged<'s>, at: &At<'_>) -> GenResult<String> {
        let (doc, pointer) = m.parts.first().map_or((0, ""), |n| (n.doc, &*n.pointer));
        if m.min_length > MAX_STRING {
            return Err(GenError::budget(
                doc,
                pointer,
                format!("minLength {} is too long to generate", m.min_length),
            ));
        }
        if m.max_length.is_some_and(|max| max < m.min_length) {
            return Err(GenError::unsat(
                doc,
                pointer,
                format!(
                    "minLength {} exceeds maxLength {}",
                    m.min_length,
                    m.max_length.unwrap_or(0)
                ),
            ));
        }
        let mut rng = at.seed.part("string").rng();
        let ok = |g: &Self, s: &str| g.scalar_ok(m, &Value::String(s.to_owned()));
        let kind = at.kind();

        if let Some(Value::String(p)) = at.preferred
            && ok(self, p)
        {
            return Ok(p.clone());
        }
        // `"string"` is what generators put in examples when they know nothing: never real.
        let hints: Vec<&str> = m
            .hints
            .iter()
            .filter_map(|h| h.as_str())
            .filter(|h| !h.eq_ignore_ascii_case("string"))
            .collect();
        // Examples from the schema are realistic by definition, but always serving the same
        // one makes lists look cloned: with a name heuristic available, mix the two.
        // Identity-like values (names, ids, emails, dates) vary between records in real data;
        // descriptive ones (URLs, types, versions) mostly follow the spec's example.
        let hint_share = match &kind {
            None => 1.0,
            Some(
                Kind::Email
                | Kind::FirstName
                | Kind::LastName
                | Kind::FullName
                | Kind::Username
                | Kind::Id(_)
                | Kind::Uuid
                | Kind::Name(_)
                | Kind::Company
                | Kind::Phone
                | Kind::City
                | Kind::Street
                | Kind::Address
                | Kind::PostalCode
                | Kind::DateTime
                | Kind::PastDateTime
                | Kind::FutureDateTime
                | Kind::Date
                | Kind::FutureDate
                | Kind::BirthDate,
            ) => 0.5,
            Some(_) => 0.9,
        };
        if !hints.is_empty() && rng.random_bool(hint_share) {
            let h = hints[rng.random_range(0..hints.len())];
            if ok(self, h) {
                return Ok(h.to_owned());
            }
        }
        let encoding_format = match m.content_encoding {
            Some("base64" | "base64url") => Some("byte"),
            _ => None,
        };
        let known: Vec<&str> = m
            .formats
            .iter()
            .copied()
            .chain(encoding_format)
            .filter(|f| formats::is_known(f))
            .collect();
        for format in &known {
            for _ in 0..8 {
                if let Some(s) = formats::generate(format, kind.as_ref(), &self.env, &mut rng)
                    && ok(self, &s)
                {
                    return Ok(s);
                }
            }
        }
        if let Some(kind) = &kind
            && (known.is_empty() || m.patterns.is_empty())
        {
            for _ in 0..3 {
                if let Some(s) = realistic::string(kind, &self.env, &mut rng)
                    && ok(self, &s)
                {
                    return Ok(s);
                }
            }
            // A field too short for the full form (`country` with maxLength 2) takes the code.
            if let Some(short) = realistic::shorter(kind) {
                for _ in 0..3 {
                    if let Some(s) = realistic::string(&short, &self.env, &mut rng)
                        && ok(self, &s)
                    {
                        return Ok(s);
                    }
                }
            }
        }
        for h in &hints {
            if ok(self, h) {
                return Ok((*h).to_owned());
            }
        }
        if let Some(s) = self.pattern_string(m, &mut rng) {
            return Ok(s);
        }
        for _ in 0..4 {
            let s = structural(m, &mut rng);
            if ok(self, &s) {
                return Ok(s);
            }
        }
        Err(GenError::unsat(doc, pointer, describe(m)))
    }

    fn pattern_string(&self, m: &Merged<'s>, rng: &mut ChaCha8Rng) -> Option<String> {
        let first = m.patterns.first()?;
        let (_, generator) = self.synth.prepared.patterns.get(*first)?;
        let generator = generator.as_ref()?;
        for attempt in 0..PATTERN_ATTEMPTS {
            if let Some(s) = generator.sample(rng, attempt, m.min_length, m.max_length)
                && self.scalar_ok(m, &Value::String(s.clone()))
            {
                return Some(s);
            }
        }
        None
    }
}

/// Words of the right total length: never the literal `string`.
fn structural(m: &Merged<'_>, rng: &mut ChaCha8Rng) -> String {
    const WORDS: &[&str] = &[
        "alpha", "bravo", "delta", "echo", "harbor", "maple", "quartz", "river", "summit", "tango",
        "violet", "willow", "amber", "cobalt", "falcon", "meadow",
    ];
    let max = m.max_length.unwrap_or(u64::MAX);
    let min = m.min_length;
    // Two whole words when they fit; otherwise words cut (or extended) to the length.
    let mut out = String::new();
    for _ in 0..2 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(WORDS.choose(rng).copied().unwrap_or("item"));
    }
    let len = char_len(&out);
    if len >= min && len <= max {
        return out;
    }
    let wanted = len.clamp(min, max.max(min));
    while char_len(&out) < wanted {
        out.push(' ');
        out.push_str(WORDS.choose(rng).copied().unwrap_or("item"));
    }
    let cut: String = out
        .chars()
        .take(usize::try_from(wanted).unwrap_or(usize::MAX))
        .collect();
    // A trailing space looks odd; replace it with a letter.
    if cut.ends_with(' ') {
        let mut s = cut.trim_end().to_owned();
        s.push('x');
        return s;
    }
    cut
}

/// The string constraints, for an error message.
fn describe(m: &Merged<'_>) -> String {
    let mut parts = Vec::new();
    if m.min_length > 0 {
        parts.push(format!("minLength {}", m.min_length));
    }
    if let Some(max) = m.max_length {
        parts.push(format!("maxLength {max}"));
    }
    for p in &m.patterns {
        parts.push(format!("pattern `{p}`"));
    }
    for f in &m.formats {
        parts.push(format!("format `{f}`"));
    }
    if m.enumerated.is_some() {
        parts.push("enum".to_owned());
    }
    format!("no string satisfies {}", parts.join(", "))
}
