//! Realistic values for the kinds of data property names suggest (see [`crate::names`]):
//! strings from fake in the chosen locale, and number windows (ages 18–90, prices with
//! cents, recent Unix timestamps). These are candidates only: the caller keeps one only if
//! it satisfies the schema.

use crate::formats::{self, Env};
use crate::locale::{Locale, fake};
use crate::names::Kind;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;

/// The compact form of a kind, for fields too short for the full one.
pub fn shorter(kind: &Kind) -> Option<Kind> {
    match kind {
        Kind::Country => Some(Kind::CountryCode),
        _ => None,
    }
}

/// A realistic string for `kind`, if the kind has a string form.
pub fn string(kind: &Kind, env: &Env, rng: &mut ChaCha8Rng) -> Option<String> {
    let l = env.locale;
    Some(match kind {
        Kind::Email => formats::email(env, rng),
        Kind::FirstName => fake!(l, rng, name::raw::FirstName()),
        Kind::LastName => fake!(l, rng, name::raw::LastName()),
        Kind::FullName => full_name(l, rng),
        Kind::Username => formats::username(env, rng),
        Kind::Password => formats::generate("password", None, env, rng)?,
        Kind::City => fake!(l, rng, address::raw::CityName()),
        Kind::Country => fake!(l, rng, address::raw::CountryName()),
        Kind::CountryCode => COUNTRY_CODES.choose(rng)?.to_string(),
        Kind::State => fake!(l, rng, address::raw::StateName()),
        Kind::Street => street(l, rng),
        Kind::Address => format!(
            "{}, {}",
            street(l, rng),
            fake!(l, rng, address::raw::CityName())
        ),
        Kind::PostalCode => fake!(l, rng, address::raw::PostCode()),
        Kind::Phone => fake!(l, rng, phone_number::raw::PhoneNumber()),
        Kind::Url => formats::url(rng),
        Kind::ImageUrl => formats::image_url(rng),
        Kind::Domain => formats::hostname(rng),
        Kind::Ip => formats::generate("ipv4", None, env, rng)?,
        Kind::Mac => fake!(l, rng, internet::raw::MACAddress()),
        Kind::DateTime | Kind::PastDateTime | Kind::FutureDateTime => {
            formats::date_time(Some(kind), env, rng)
        }
        Kind::BirthDate | Kind::Date => formats::date(Some(kind), env, rng),
        Kind::FutureDate => formats::date(Some(&Kind::FutureDateTime), env, rng),
        Kind::Price => format!(
            "{}.{:02}",
            rng.random_range(1..500),
            rng.random_range(0..100)
        ),
        Kind::Currency => currency(l, rng),
        Kind::Id(stem) => id_string(stem.as_deref(), rng),
        Kind::Uuid => formats::uuid(rng),
        Kind::Status => STATUSES.choose(rng)?.to_string(),
        Kind::Description => description(l, rng),
        Kind::Summary | Kind::Message => sentence(l, rng),
        Kind::Title => title(l, rng),
        Kind::Name(context) => name(context.as_deref(), env, rng),
        Kind::Color => {
            if rng.random_bool(0.5) {
                COLORS.choose(rng)?.to_string()
            } else {
                format!("#{:06x}", rng.random_range(0..0x0100_0000))
            }
        }
        Kind::Company => fake!(l, rng, company::raw::CompanyName()),
        Kind::Latitude => format!("{:.6}", rng.random_range(-90.0..90.0)),
        Kind::Longitude => format!("{:.6}", rng.random_range(-180.0..180.0)),
        Kind::Age => rng.random_range(18..90).to_string(),
        Kind::Count => rng.random_range(1..50).to_string(),
        Kind::Token => token(rng, 32),
        Kind::Hash => hex(rng, 40),
        Kind::Slug | Kind::Key => slug(rng),
        Kind::Language => LANGUAGES.choose(rng)?.to_string(),
        Kind::Locale => LOCALES.choose(rng)?.to_string(),
        Kind::Timezone => TIMEZONES.choose(rng)?.to_string(),
        Kind::Version => format!(
            "{}.{}.{}",
            rng.random_range(0..5),
            rng.random_range(0..20),
            rng.random_range(0..30)
        ),
        Kind::FileName => format!("{}.{}", slug(rng), EXTENSIONS.choose(rng)?),
        Kind::Path => format!("/{}/{}", formats::word(rng), slug(rng)),
        Kind::MimeType => MIME_TYPES.choose(rng)?.to_string(),
        Kind::UserAgent => fake!(l, rng, internet::raw::UserAgent()),
        Kind::Word => TAGS.choose(rng)?.to_string(),
        Kind::Year => rng.random_range(1990..2026).to_string(),
        Kind::Port => rng.random_range(1024..65535).to_string(),
        Kind::Percent => rng.random_range(0..100).to_string(),
        Kind::Rating => rng.random_range(1..6).to_string(),
        Kind::PageSize => [10, 20, 25, 50, 100].choose(rng)?.to_string(),
        Kind::Page => rng.random_range(1..10).to_string(),
        Kind::Seconds => rng.random_range(1..3600).to_string(),
        Kind::Bytes => rng.random_range(512..10_000_000).to_string(),
        Kind::Job => fake!(l, rng, job::raw::Title()),
        Kind::Iban => format!(
            "DE{:02}{:018}",
            rng.random_range(10..99),
            rng.random_range(0..1_000_000_000_000_000_000u64)
        ),
        Kind::CreditCard => fake!(l, rng, creditcard::raw::CreditCardNumber()),
        Kind::Type => TYPES.choose(rng)?.to_string(),
    })
}

/// The realistic range of a number of this kind: (low, high, decimal places).
pub fn number_window(kind: &Kind, integer: bool, env: &Env) -> Option<(f64, f64, u32)> {
    let now = env.now as f64;
    let year = 365.0 * 86_400.0;
    Some(match kind {
        Kind::Id(_) => (1.0, 99_999.0, 0),
        Kind::Age => (18.0, 90.0, 0),
        Kind::Count => (1.0, 50.0, 0),
        Kind::Price if integer => (100.0, 50_000.0, 0),
        Kind::Price => (1.0, 500.0, 2),
        Kind::Latitude => (-90.0, 90.0, 6),
        Kind::Longitude => (-180.0, 180.0, 6),
        Kind::Year => (1990.0, 2026.0, 0),
        Kind::Port => (1024.0, 65_535.0, 0),
        Kind::Percent => (0.0, 100.0, 1),
        Kind::Rating => (1.0, 5.0, 1),
        Kind::PageSize => (10.0, 100.0, 0),
        Kind::Page => (1.0, 10.0, 0),
        Kind::Seconds => (1.0, 3600.0, 0),
        Kind::Bytes => (512.0, 10_000_000.0, 0),
        Kind::PastDateTime | Kind::DateTime => (now - year, now, 0),
        Kind::FutureDateTime => (now, now + year, 0),
        _ => return None,
    })
}

fn full_name(l: Locale, rng: &mut ChaCha8Rng) -> String {
    let first = fake!(l, rng, name::raw::FirstName());
    let last = fake!(l, rng, name::raw::LastName());
    match l {
        // Family name first, no space, as these languages write it.
        Locale::JaJp | Locale::ZhCn | Locale::ZhTw => format!("{last}{first}"),
        _ => format!("{first} {last}"),
    }
}

fn street(l: Locale, rng: &mut ChaCha8Rng) -> String {
    let number = fake!(l, rng, address::raw::BuildingNumber());
    let name = fake!(l, rng, address::raw::StreetName());
    match l {
        Locale::DeDe | Locale::NlNl | Locale::PtBr | Locale::PtPt | Locale::ItIt | Locale::TrTr => {
            format!("{name} {number}")
        }
        Locale::FrFr => format!("{number}, {name}"),
        _ => format!("{number} {name}"),
    }
}

fn currency(l: Locale, rng: &mut ChaCha8Rng) -> String {
    let local = match l {
        Locale::En => "USD",
        Locale::FrFr | Locale::DeDe | Locale::ItIt | Locale::NlNl | Locale::PtPt => "EUR",
        Locale::PtBr => "BRL",
        Locale::JaJp => "JPY",
        Locale::ZhCn => "CNY",
        Locale::ZhTw => "TWD",
        Locale::ArSa => "SAR",
        Locale::TrTr => "TRY",
        Locale::FaIr => "IRR",
        Locale::CyGb => "GBP",
    };
    if rng.random_bool(0.6) {
        local.to_owned()
    } else {
        CURRENCIES.choose(rng).copied().unwrap_or(local).to_owned()
    }
}

/// `pet_8f3k2x9q` for `petId`, a UUID for a bare `id`.
pub fn id_string(stem: Option<&str>, rng: &mut ChaCha8Rng) -> String {
    let stem: String = stem
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    if stem.is_empty() {
        return formats::uuid(rng);
    }
    format!("{stem}_{}", base36(rng, 10))
}

fn base36(rng: &mut ChaCha8Rng, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..DIGITS.len())]))
        .collect()
}

pub fn token(rng: &mut ChaCha8Rng, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..DIGITS.len())]))
        .collect()
}

fn hex(rng: &mut ChaCha8Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

pub fn slug(rng: &mut ChaCha8Rng) -> String {
    let a = ADJECTIVES.choose(rng).copied().unwrap_or("quiet");
    let n = NOUNS.choose(rng).copied().unwrap_or("river");
    format!("{a}-{n}")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn sentence(l: Locale, rng: &mut ChaCha8Rng) -> String {
    if l == Locale::En {
        // fake's lorem is Latin in every locale; English reads more like real data.
        let bs = fake!(l, rng, company::raw::Bs());
        let noun = NOUNS.choose(rng).copied().unwrap_or("team");
        return format!("{} for the {noun} team.", capitalise(&bs));
    }
    fake!(l, rng, lorem::raw::Sentence(4..10))
}

fn description(l: Locale, rng: &mut ChaCha8Rng) -> String {
    if l == Locale::En {
        let phrase = fake!(l, rng, company::raw::CatchPhrase());
        let bs = fake!(l, rng, company::raw::Bs());
        return format!("{} that helps you {bs}.", capitalise(&phrase));
    }
    fake!(l, rng, lorem::raw::Sentence(6..14))
}

fn title(l: Locale, rng: &mut ChaCha8Rng) -> String {
    if l == Locale::En {
        let phrase = fake!(l, rng, company::raw::CatchPhrase());
        return phrase
            .split(' ')
            .map(capitalise)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let s = fake!(l, rng, lorem::raw::Sentence(2..5));
    s.trim_end_matches('.').to_owned()
}

/// A `name` in the flavour of the schema it belongs to.
fn name(context: Option<&str>, env: &Env, rng: &mut ChaCha8Rng) -> String {
    let l = env.locale;
    let Some(ctx) = context else {
        return full_name(l, rng);
    };
    let c = ctx.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| c.contains(w));
    if any(&["tag", "category", "label", "topic", "genre", "keyword"]) {
        TAGS.choose(rng).copied().unwrap_or("general").to_owned()
    } else if any(&[
        "user",
        "person",
        "customer",
        "contact",
        "author",
        "owner",
        "member",
        "employee",
        "profile",
        "people",
        "student",
        "driver",
        "patient",
        "agent",
        "recipient",
        "payee",
        "sender",
        "individual",
        "guest",
        "collaborator",
        "assignee",
        "committer",
        "reviewer",
    ]) {
        full_name(l, rng)
    } else if any(&[
        "company",
        "organization",
        "organisation",
        "org",
        "team",
        "merchant",
        "vendor",
        "business",
        "brand",
        "supplier",
        "partner",
        "tenant",
        "enterprise",
    ]) {
        fake!(l, rng, company::raw::CompanyName())
    } else if any(&["pet", "dog", "animal", "horse", "bird", "kitten", "puppy"]) || c == "cat" {
        fake!(l, rng, name::raw::FirstName())
    } else if any(&[
        "product", "item", "sku", "article", "goods", "offer", "plan", "catalog",
    ]) {
        let a = PRODUCT_ADJ.choose(rng).copied().unwrap_or("Classic");
        let m = MATERIALS.choose(rng).copied().unwrap_or("Cotton");
        let n = PRODUCT_NOUNS.choose(rng).copied().unwrap_or("Shirt");
        format!("{a} {m} {n}")
    } else if any(&[
        "city", "location", "place", "store", "venue", "region", "site", "office",
    ]) {
        fake!(l, rng, address::raw::CityName())
    } else if any(&["file", "document", "attachment", "upload", "artifact"]) {
        format!(
            "{}.{}",
            slug(rng),
            EXTENSIONS.choose(rng).copied().unwrap_or("pdf")
        )
    } else {
        slug(rng)
    }
}

const COUNTRY_CODES: &[&str] = &[
    "US", "GB", "FR", "DE", "IT", "ES", "NL", "BE", "CH", "SE", "NO", "DK", "PL", "PT", "IE", "CA",
    "MX", "BR", "AR", "JP", "CN", "KR", "IN", "AU", "NZ", "ZA", "SG", "AE",
];
const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CNY", "INR",
    "BRL", "MXN", "SGD", "NZD", "ZAR",
];
const STATUSES: &[&str] = &["active", "pending", "inactive", "completed", "archived"];
const COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "black", "white", "teal", "navy",
];
const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "it", "pt", "ja", "zh", "nl", "sv"];
const LOCALES: &[&str] = &[
    "en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "ja-JP", "pt-BR",
];
const TIMEZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
];
const EXTENSIONS: &[&str] = &["pdf", "png", "jpg", "csv", "txt", "json", "zip", "docx"];
const MIME_TYPES: &[&str] = &[
    "application/json",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
];
const TAGS: &[&str] = &[
    "news",
    "sports",
    "tech",
    "travel",
    "food",
    "music",
    "design",
    "finance",
    "health",
    "science",
    "education",
    "gaming",
    "fashion",
    "outdoor",
    "family",
    "business",
];
const TYPES: &[&str] = &["standard", "premium", "basic", "custom", "default"];
const ADJECTIVES: &[&str] = &[
    "quiet", "brave", "silver", "rapid", "bright", "calm", "bold", "lucky", "gentle", "swift",
    "golden", "hidden", "misty", "proud", "sunny", "wild",
];
const NOUNS: &[&str] = &[
    "river", "falcon", "meadow", "harbor", "summit", "forest", "comet", "canyon", "maple", "otter",
    "beacon", "glacier", "willow", "lagoon", "ember", "pine",
];
const PRODUCT_ADJ: &[&str] = &[
    "Ergonomic",
    "Handcrafted",
    "Rustic",
    "Sleek",
    "Practical",
    "Refined",
    "Classic",
    "Modern",
];
const MATERIALS: &[&str] = &[
    "Steel", "Wooden", "Cotton", "Leather", "Granite", "Bamboo", "Wool",
];
const PRODUCT_NOUNS: &[&str] = &[
    "Chair", "Table", "Lamp", "Backpack", "Watch", "Keyboard", "Jacket", "Mug", "Bottle", "Desk",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    /// Every kind in every locale produces something without panicking (fake unwraps on
    /// empty word lists).
    #[test]
    fn every_kind_in_every_locale() {
        let kinds = [
            Kind::Email,
            Kind::FirstName,
            Kind::LastName,
            Kind::FullName,
            Kind::Username,
            Kind::City,
            Kind::Country,
            Kind::CountryCode,
            Kind::State,
            Kind::Street,
            Kind::Address,
            Kind::PostalCode,
            Kind::Phone,
            Kind::Mac,
            Kind::Currency,
            Kind::Description,
            Kind::Summary,
            Kind::Title,
            Kind::Name(Some("User".into())),
            Kind::Name(Some("Company".into())),
            Kind::Company,
            Kind::UserAgent,
            Kind::Job,
            Kind::CreditCard,
            Kind::Message,
        ];
        for locale in Locale::ALL {
            let env = Env {
                locale,
                now: 1_767_225_600,
            };
            let mut rng = Seed::new(9).rng();
            for kind in &kinds {
                let s = string(kind, &env, &mut rng).unwrap();
                assert!(!s.is_empty() && s != "string", "{locale} {kind:?}");
            }
        }
    }
}
