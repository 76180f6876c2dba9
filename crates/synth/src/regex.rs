//! Strings from `pattern` regexes with rand_regex, in ASCII mode.
//!
//! JSON Schema patterns are ECMA-262 regexes, which are ASCII-minded (`\d` is `[0-9]`); in
//! its default Unicode mode rand_regex draws `\d` from every script and the validator then
//! rejects the string. So the pattern is parsed with Unicode off (and UTF-8 off, which
//! Unicode-less negated classes need), every class is narrowed to printable ASCII, and
//! assertions (`^`, `$`, `\b`) are dropped from the tree: a sample then matches the pattern
//! exactly from its first to its last character, which satisfies the anchors too. Features
//! regex-syntax lacks (look-around, back-references) are removed from the text first; the
//! result over-approximates the language, so every sample is checked by the caller with
//! the real (ECMA) regex and retried.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt};
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
};

/// Repeat bounds (`*`, `+`, `{n,}` get up to this many extra repetitions) of the compiled
/// variants: short strings look real, long ones reach big `minLength`s.
const REPEATS: [u32; 3] = [3, 10, 40];

/// A compiled pattern generator.
#[derive(Clone, Debug)]
pub struct Pattern {
    hir: Hir,
    variants: Vec<rand_regex::Regex>,
    /// With positive look-aheads turned into consuming groups: `^(?=\d{3})\w+` then yields
    /// strings that start with the look-ahead's language, which often satisfies both.
    inlined: Vec<rand_regex::Regex>,
    /// The pattern ends with `$`: padding at the end would break it.
    end_anchored: bool,
    start_anchored: bool,
}

impl Pattern {
    pub fn compile(pattern: &str) -> Result<Pattern, String> {
        let hir = parse(pattern)?;
        let hir = asciify(hir);
        let mut variants = Vec::new();
        let mut last_error = None;
        for repeat in REPEATS {
            match rand_regex::Regex::with_hir(hir.clone(), repeat) {
                Ok(r) => variants.push(r),
                Err(e) => last_error = Some(e.to_string()),
            }
        }
        if variants.is_empty() {
            return Err(last_error.unwrap_or_else(|| "cannot generate from this pattern".into()));
        }
        let inlined = if has_lookahead(pattern) {
            parse_simplified(&simplify(pattern, true))
                .map(asciify)
                .map(|h| {
                    REPEATS
                        .iter()
                        .filter_map(|r| rand_regex::Regex::with_hir(h.clone(), *r).ok())
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(Pattern {
            hir,
            variants,
            inlined,
            end_anchored: pattern.ends_with('$') && !pattern.ends_with("\\$"),
            start_anchored: pattern.starts_with('^'),
        })
    }

    /// A sample, steered towards `[min_len, max_len]` characters. The caller checks it.
    pub fn sample(
        &self,
        rng: &mut ChaCha8Rng,
        attempt: usize,
        min_len: u64,
        max_len: Option<u64>,
    ) -> Option<String> {
        // Short variants first; long ones when the minimum demands it.
        let index = if min_len > 12 {
            (attempt % 2) + 1
        } else if max_len.is_some_and(|m| m < 8) {
            0
        } else {
            attempt % self.variants.len()
        };
        let mut s = if min_len > 60 && attempt % 3 == 2 {
            // Very long minimums: a dedicated variant with enough repetitions.
            let repeat = u32::try_from(min_len.min(10_000)).unwrap_or(10_000) + 8;
            let r = rand_regex::Regex::with_hir(self.hir.clone(), repeat).ok()?;
            sample_string(&r, rng)?
        } else if !self.inlined.is_empty() && attempt.is_multiple_of(2) {
            sample_string(self.inlined.get(index.min(self.inlined.len() - 1))?, rng)?
        } else {
            sample_string(self.variants.get(index.min(self.variants.len() - 1))?, rng)?
        };
        let len = crate::value::char_len(&s);
        if len < min_len && !self.end_anchored {
            // An unanchored end admits anything after the match.
            let missing = min_len - len;
            for _ in 0..missing {
                s.push(char::from(b'a' + rng.random_range(0..26u8)));
            }
        } else if len < min_len && !self.start_anchored {
            let missing = min_len - len;
            let pad: String = (0..missing)
                .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
                .collect();
            s.insert_str(0, &pad);
        }
        Some(s)
    }
}

fn sample_string<R: Rng + ?Sized>(regex: &rand_regex::Regex, rng: &mut R) -> Option<String> {
    let bytes: Vec<u8> = rng.sample(regex);
    String::from_utf8(bytes).ok()
}

/// Parse in ASCII mode, falling back to a simplified pattern and then to Unicode mode.
fn parse(pattern: &str) -> Result<Hir, String> {
    let first = match ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    {
        Ok(hir) => return Ok(hir),
        Err(e) => e.to_string(),
    };
    parse_simplified(&simplify(pattern, false)).map_err(|_| first)
}

/// Parse a simplified pattern: ASCII mode, else Unicode mode (`\p{L}` and friends need it;
/// classes are narrowed to ASCII afterwards).
fn parse_simplified(pattern: &str) -> Result<Hir, String> {
    let ascii = ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern);
    match ascii {
        Ok(hir) => Ok(hir),
        Err(_) => ParserBuilder::new()
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string()),
    }
}

fn has_lookahead(pattern: &str) -> bool {
    pattern.contains("(?=")
}

/// Rewrite ECMA-only syntax regex-syntax rejects: drop look-around groups (or, with
/// `inline`, turn positive look-aheads into plain groups) and back-references, unescape `\/`.
fn simplify(pattern: &str, inline: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('/') => {
                    out.push('/');
                    i += 2;
                    continue;
                }
                Some(d) if d.is_ascii_digit() && *d != '0' => {
                    // Back-reference: dropped (over-approximation, checked later).
                    i += 2;
                    while chars.get(i).is_some_and(char::is_ascii_digit) {
                        i += 1;
                    }
                    continue;
                }
                Some(&n) => {
                    out.push(c);
                    out.push(n);
                    i += 2;
                    continue;
                }
                None => {
                    i += 1;
                    continue;
                }
            }
        }
        let look = chars.get(i + 1) == Some(&'?')
            && (matches!(chars.get(i + 2), Some('=' | '!'))
                || (chars.get(i + 2) == Some(&'<') && matches!(chars.get(i + 3), Some('=' | '!'))));
        if c == '(' && inline && chars.get(i + 1) == Some(&'?') && chars.get(i + 2) == Some(&'=') {
            out.push_str("(?:");
            i += 3;
            continue;
        }
        if c == '(' && look {
            // Skip to the matching parenthesis.
            let mut depth = 0usize;
            let mut in_class = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '[' => in_class = true,
                    ']' => in_class = false,
                    '(' if !in_class => depth += 1,
                    ')' if !in_class => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

const PRINTABLE: (u8, u8) = (0x20, 0x7e);

/// Narrow every class to printable ASCII (or ASCII, if that empties it) and drop
/// assertions, so samples are valid, readable UTF-8.
fn asciify(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(Class::Bytes(class)) => {
            let narrowed =
                narrow_bytes(&class, PRINTABLE).or_else(|| narrow_bytes(&class, (0, 0x7f)));
            match narrowed {
                Some(c) => Hir::class(Class::Bytes(c)),
                // Only non-ASCII bytes: nothing valid to draw.
                None => Hir::fail(),
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut printable = ClassUnicode::new([ClassUnicodeRange::new(
                char::from(PRINTABLE.0),
                char::from(PRINTABLE.1),
            )]);
            printable.intersect(&class);
            if printable.ranges().is_empty() {
                Hir::class(Class::Unicode(class))
            } else {
                Hir::class(Class::Unicode(printable))
            }
        }
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(asciify(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(asciify(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(asciify).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(asciify).collect()),
    }
}

fn narrow_bytes(class: &ClassBytes, (lo, hi): (u8, u8)) -> Option<ClassBytes> {
    let mut narrowed = ClassBytes::new([ClassBytesRange::new(lo, hi)]);
    narrowed.intersect(class);
    (!narrowed.ranges().is_empty()).then_some(narrowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    fn samples(pattern: &str) -> Vec<String> {
        let p = Pattern::compile(pattern).unwrap();
        let mut rng = Seed::new(5).rng();
        (0..20)
            .filter_map(|i| p.sample(&mut rng, i, 0, None))
            .collect()
    }

    #[test]
    fn ascii_digits_and_anchors() {
        for s in samples(r"^\d{3}-\d{4}$") {
            assert_eq!(s.len(), 8, "{s}");
            assert!(s.bytes().all(|b| b.is_ascii_digit() || b == b'-'), "{s}");
        }
    }

    #[test]
    fn negated_classes_stay_printable_ascii() {
        for s in samples(r"^[^a-z]{5}$") {
            assert!(
                s.bytes()
                    .all(|b| (0x20..0x7f).contains(&b) && !b.is_ascii_lowercase()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn ecma_features_are_simplified() {
        assert_eq!(simplify(r"^(?=.*\d)(?!x)[a-z\/]+$", false), r"^[a-z/]+$");
        assert_eq!(simplify(r"^(?=\d)(?!x)\w$", true), r"^(?:\d)\w$");
        assert_eq!(simplify(r"(a)\1", false), "(a)");
        assert!(Pattern::compile(r"^(?=.*[A-Z]).{8,}$").is_ok());
        assert!(Pattern::compile(r"^\p{L}+$").is_ok());
    }

    #[test]
    fn pads_unanchored_patterns() {
        let p = Pattern::compile("^[A-Z]").unwrap();
        let mut rng = Seed::new(1).rng();
        let s = p.sample(&mut rng, 0, 10, None).unwrap();
        assert_eq!(s.chars().count(), 10);
    }
}
