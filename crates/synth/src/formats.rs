//! Strings for `format` values, valid by construction for the formats the validator asserts
//! (dates are RFC 3339, emails RFC 5321 ASCII, URIs absolute, …) and realistic in shape.
//! Unknown formats give `None` and generation falls back to name heuristics.

use crate::locale::{Locale, fake};
use crate::names::Kind;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;

/// What realistic values depend on besides the random stream.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub locale: Locale,
    /// "Now" for recent dates, in Unix seconds (fixed by default, for determinism).
    pub now: i64,
}

const DAY: i64 = 86_400;

/// Formats this module generates.
pub fn is_known(format: &str) -> bool {
    matches!(
        format,
        "date"
            | "date-time"
            | "time"
            | "duration"
            | "email"
            | "idn-email"
            | "hostname"
            | "idn-hostname"
            | "ipv4"
            | "ipv6"
            | "uri"
            | "url"
            | "uri-reference"
            | "iri"
            | "iri-reference"
            | "uri-template"
            | "uuid"
            | "byte"
            | "binary"
            | "password"
            | "regex"
            | "json-pointer"
            | "relative-json-pointer"
            | "int32"
            | "int64"
            | "integer"
            | "float"
            | "double"
            | "number"
            | "decimal"
            | "phone"
            | "unix-time"
    )
}

/// A string in `format`, shaped by the property's kind when that helps (`avatar_url` with
/// `format: uri` becomes an image URL). `None` for unknown formats.
pub fn generate(
    format: &str,
    kind: Option<&Kind>,
    env: &Env,
    rng: &mut ChaCha8Rng,
) -> Option<String> {
    Some(match format {
        "date" => date(kind, env, rng),
        "date-time" => date_time(kind, env, rng),
        "time" => format!(
            "{:02}:{:02}:{:02}Z",
            rng.random_range(0..24),
            rng.random_range(0..60),
            rng.random_range(0..60)
        ),
        "duration" => duration(rng),
        "email" | "idn-email" => email(env, rng),
        "hostname" | "idn-hostname" => hostname(rng),
        "ipv4" => ipv4(rng),
        "ipv6" => ipv6(rng),
        "uri" | "url" | "iri" => match kind {
            Some(Kind::ImageUrl) => image_url(rng),
            _ => url(rng),
        },
        "uri-reference" | "iri-reference" => {
            format!("/{}/{}", word(rng), rng.random_range(1..10_000))
        }
        "uri-template" => format!("https://api.example.com/{}/{{id}}", plural(word(rng))),
        "uuid" => uuid(rng),
        "byte" => base64(&random_bytes(rng, 12..24)),
        "binary" => base64(&random_bytes(rng, 8..16)),
        "password" => password(rng),
        "regex" => [
            "^[a-z0-9_-]{3,16}$",
            "^\\d{5}(-\\d{4})?$",
            "^[A-Z]{2}$",
            "^#[0-9a-fA-F]{6}$",
        ]
        .choose(rng)
        .map_or("^.*$", |s| s)
        .to_owned(),
        "json-pointer" => format!("/{}/{}", word(rng), rng.random_range(0..10)),
        "relative-json-pointer" => format!("{}/{}", rng.random_range(0..3), word(rng)),
        "int32" | "int64" | "integer" | "unix-time" => rng.random_range(1..100_000).to_string(),
        "float" | "double" | "number" | "decimal" => {
            format!(
                "{}.{:02}",
                rng.random_range(1..1000),
                rng.random_range(0..100)
            )
        }
        "phone" => phone(env, rng),
        _ => return None,
    })
}

/// A recent instant in Unix seconds: within the past year by default, the coming year for
/// expiry-like names.
pub fn instant(kind: Option<&Kind>, env: &Env, rng: &mut ChaCha8Rng) -> i64 {
    match kind {
        Some(Kind::FutureDateTime | Kind::FutureDate) => env.now + rng.random_range(DAY..365 * DAY),
        Some(Kind::BirthDate) => env.now - rng.random_range(18 * 365 * DAY..80 * 365 * DAY),
        _ => env.now - rng.random_range(0..365 * DAY),
    }
}

pub fn date_time(kind: Option<&Kind>, env: &Env, rng: &mut ChaCha8Rng) -> String {
    let secs = instant(kind, env, rng);
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => ts.to_string(),
        Err(_) => "2025-01-01T00:00:00Z".to_owned(),
    }
}

pub fn date(kind: Option<&Kind>, env: &Env, rng: &mut ChaCha8Rng) -> String {
    let secs = instant(kind, env, rng);
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
        Err(_) => "2025-01-01".to_owned(),
    }
}

fn duration(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..4) {
        0 => format!("PT{}M", rng.random_range(1..60)),
        1 => format!("PT{}H{}M", rng.random_range(1..24), rng.random_range(1..60)),
        2 => format!("P{}D", rng.random_range(1..30)),
        _ => format!("P{}DT{}H", rng.random_range(1..7), rng.random_range(1..24)),
    }
}

/// Lower-case ASCII letters of `s`, or `None` when nothing is left (non-Latin names).
fn ascii_slug(s: &str) -> Option<String> {
    let out: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (!out.is_empty()).then_some(out)
}

/// A first and last name usable in addresses: from the locale when it writes in Latin
/// script, else English.
pub fn ascii_names(env: &Env, rng: &mut ChaCha8Rng) -> (String, String) {
    let locale = if env.locale.latin() {
        env.locale
    } else {
        Locale::En
    };
    let first = fake!(locale, rng, name::raw::FirstName());
    let last = fake!(locale, rng, name::raw::LastName());
    match (ascii_slug(&first), ascii_slug(&last)) {
        (Some(f), Some(l)) => (f, l),
        _ => (
            ascii_slug(&fake!(Locale::En, rng, name::raw::FirstName()))
                .unwrap_or_else(|| "alex".into()),
            ascii_slug(&fake!(Locale::En, rng, name::raw::LastName()))
                .unwrap_or_else(|| "morgan".into()),
        ),
    }
}

pub fn email(env: &Env, rng: &mut ChaCha8Rng) -> String {
    let (first, last) = ascii_names(env, rng);
    let domain = [
        "example.com",
        "example.org",
        "example.net",
        "mail.example.com",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("example.com");
    match rng.random_range(0..3) {
        0 => format!("{first}.{last}@{domain}"),
        1 => format!("{first}{}@{domain}", rng.random_range(1..100)),
        _ => format!("{}{last}@{domain}", first.chars().next().unwrap_or('a')),
    }
}

pub fn username(env: &Env, rng: &mut ChaCha8Rng) -> String {
    let (first, last) = ascii_names(env, rng);
    match rng.random_range(0..3) {
        0 => format!("{first}_{last}"),
        1 => format!("{first}{}", rng.random_range(1..1000)),
        _ => format!("{}{last}", first.chars().next().unwrap_or('a')),
    }
}

pub fn hostname(rng: &mut ChaCha8Rng) -> String {
    let sub = ["api", "www", "app", "cdn", "mail", "auth"]
        .choose(rng)
        .copied()
        .unwrap_or("api");
    format!("{sub}.example.com")
}

fn ipv4(rng: &mut ChaCha8Rng) -> String {
    // Documentation and private ranges: realistic, never someone's real host.
    match rng.random_range(0..3) {
        0 => format!("192.0.2.{}", rng.random_range(1..255)),
        1 => format!("198.51.100.{}", rng.random_range(1..255)),
        _ => format!(
            "10.{}.{}.{}",
            rng.random_range(0..256),
            rng.random_range(0..256),
            rng.random_range(1..255)
        ),
    }
}

fn ipv6(rng: &mut ChaCha8Rng) -> String {
    format!(
        "2001:db8:{:x}:{:x}::{:x}",
        rng.random_range(0..0xffff),
        rng.random_range(0..0xffff),
        rng.random_range(1..0xffff)
    )
}

pub fn url(rng: &mut ChaCha8Rng) -> String {
    let host = hostname(rng);
    match rng.random_range(0..3) {
        0 => format!(
            "https://{host}/{}/{}",
            plural(word(rng)),
            rng.random_range(1..10_000)
        ),
        1 => format!("https://{host}/{}", word(rng)),
        _ => format!("https://{host}/"),
    }
}

pub fn image_url(rng: &mut ChaCha8Rng) -> String {
    let size = [64, 128, 200, 256, 400].choose(rng).copied().unwrap_or(200);
    format!("https://picsum.photos/seed/{}/{size}/{size}", word(rng))
}

pub fn uuid(rng: &mut ChaCha8Rng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

fn password(rng: &mut ChaCha8Rng) -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"!#$%&*+-?@";
    let mut out = String::new();
    for set in [
        UPPER, LOWER, LOWER, DIGIT, LOWER, SYMBOL, UPPER, LOWER, DIGIT, LOWER, LOWER, DIGIT,
    ] {
        if let Some(&c) = set.choose(rng) {
            out.push(char::from(c));
        }
    }
    out
}

fn phone(env: &Env, rng: &mut ChaCha8Rng) -> String {
    fake!(env.locale, rng, phone_number::raw::PhoneNumber())
}

fn random_bytes(rng: &mut ChaCha8Rng, len: std::ops::Range<usize>) -> Vec<u8> {
    let n = rng.random_range(len);
    (0..n).map(|_| rng.random()).collect()
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A common English noun, for paths and slugs (lorem is not realistic in URLs).
pub fn word(rng: &mut ChaCha8Rng) -> &'static str {
    const WORDS: &[&str] = &[
        "account", "order", "item", "user", "project", "report", "invoice", "product", "team",
        "event", "file", "message", "profile", "payment", "ticket", "asset", "review", "booking",
        "device", "note", "photo", "channel", "job", "release", "task", "store",
    ];
    WORDS.choose(rng).copied().unwrap_or("item")
}

fn plural(word: &str) -> String {
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn dates_are_rfc3339() {
        let env = Env {
            locale: Locale::En,
            now: 1_767_225_600,
        };
        let mut rng = Seed::new(3).rng();
        let dt = date_time(None, &env, &mut rng);
        assert!(dt.ends_with('Z') && dt.len() == 20, "{dt}");
        let d = date(None, &env, &mut rng);
        assert_eq!(d.len(), 10, "{d}");
    }

    #[test]
    fn emails_are_ascii_in_every_locale() {
        let mut rng = Seed::new(4).rng();
        for locale in Locale::ALL {
            let env = Env { locale, now: 0 };
            let e = email(&env, &mut rng);
            assert!(e.is_ascii() && e.contains('@'), "{locale}: {e}");
        }
    }
}
