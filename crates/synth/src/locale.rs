//! The locales the `fake` crate ships, chosen at run time, and a dispatcher from a run-time
//! [`Locale`] to fake's compile-time locale types.

use std::fmt;
use std::str::FromStr;

/// Language and region of realistic values (names, cities, phone numbers, lorem text).
/// Locales fake lacks data for fall back to English inside fake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    FrFr,
    DeDe,
    ItIt,
    NlNl,
    PtBr,
    PtPt,
    JaJp,
    ZhCn,
    ZhTw,
    ArSa,
    TrTr,
    FaIr,
    CyGb,
}

impl Locale {
    pub const ALL: [Locale; 14] = [
        Locale::En,
        Locale::FrFr,
        Locale::DeDe,
        Locale::ItIt,
        Locale::NlNl,
        Locale::PtBr,
        Locale::PtPt,
        Locale::JaJp,
        Locale::ZhCn,
        Locale::ZhTw,
        Locale::ArSa,
        Locale::TrTr,
        Locale::FaIr,
        Locale::CyGb,
    ];

    /// The tag as fake names it (`fr_fr`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::FrFr => "fr_fr",
            Locale::DeDe => "de_de",
            Locale::ItIt => "it_it",
            Locale::NlNl => "nl_nl",
            Locale::PtBr => "pt_br",
            Locale::PtPt => "pt_pt",
            Locale::JaJp => "ja_jp",
            Locale::ZhCn => "zh_cn",
            Locale::ZhTw => "zh_tw",
            Locale::ArSa => "ar_sa",
            Locale::TrTr => "tr_tr",
            Locale::FaIr => "fa_ir",
            Locale::CyGb => "cy_gb",
        }
    }

    /// Whether names in this locale are written in Latin script (so they can go into email
    /// addresses and usernames as they are).
    pub fn latin(self) -> bool {
        !matches!(
            self,
            Locale::JaJp | Locale::ZhCn | Locale::ZhTw | Locale::ArSa | Locale::FaIr
        )
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// An unknown locale tag.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown locale `{0}` (known: en, fr_fr, de_de, it_it, nl_nl, pt_br, pt_pt, ja_jp, zh_cn, zh_tw, ar_sa, tr_tr, fa_ir, cy_gb)"
)]
pub struct UnknownLocale(pub String);

impl FromStr for Locale {
    type Err = UnknownLocale;

    /// Accepts `fr_fr`, `fr-FR`, `fr_FR` and the language alone (`fr`).
    fn from_str(s: &str) -> Result<Locale, UnknownLocale> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        let found = Locale::ALL
            .into_iter()
            .find(|l| l.tag() == norm || l.tag().split('_').next() == Some(norm.as_str()));
        match (found, norm.as_str()) {
            (_, "en_us" | "en_gb") => Ok(Locale::En),
            (Some(l), _) => Ok(l),
            (None, _) => Err(UnknownLocale(s.to_owned())),
        }
    }
}

/// `fake!(locale, rng, name::raw::FirstName())` → a `String` from fake in that locale.
macro_rules! fake {
    ($locale:expr, $rng:expr, $($faker:ident)::+ ( $($arg:expr),* )) => {{
        use fake::Fake as _;
        use fake::locales::*;
        use $crate::locale::Locale;
        match $locale {
            Locale::En => fake::faker::$($faker)::+(EN $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::FrFr => fake::faker::$($faker)::+(FR_FR $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::DeDe => fake::faker::$($faker)::+(DE_DE $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::ItIt => fake::faker::$($faker)::+(IT_IT $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::NlNl => fake::faker::$($faker)::+(NL_NL $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::PtBr => fake::faker::$($faker)::+(PT_BR $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::PtPt => fake::faker::$($faker)::+(PT_PT $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::JaJp => fake::faker::$($faker)::+(JA_JP $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::ZhCn => fake::faker::$($faker)::+(ZH_CN $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::ZhTw => fake::faker::$($faker)::+(ZH_TW $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::ArSa => fake::faker::$($faker)::+(AR_SA $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::TrTr => fake::faker::$($faker)::+(TR_TR $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::FaIr => fake::faker::$($faker)::+(FA_IR $(, $arg)*).fake_with_rng::<String, _>($rng),
            Locale::CyGb => fake::faker::$($faker)::+(CY_GB $(, $arg)*).fake_with_rng::<String, _>($rng),
        }
    }};
}
pub(crate) use fake;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!("fr_FR".parse::<Locale>(), Ok(Locale::FrFr));
        assert_eq!("de-de".parse::<Locale>(), Ok(Locale::DeDe));
        assert_eq!("ja".parse::<Locale>(), Ok(Locale::JaJp));
        assert_eq!("en-US".parse::<Locale>(), Ok(Locale::En));
        assert!("xx".parse::<Locale>().is_err());
    }
}
