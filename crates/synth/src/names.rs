//! Property-name heuristics: what kind of real-world datum a property named `first_name`,
//! `createdAt` or `avatar_url` holds. Names are split into lower-case words (camelCase,
//! snake_case, kebab-case, plurals folded) and matched on their last words.

/// The kind of datum a name suggests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Email,
    FirstName,
    LastName,
    FullName,
    Username,
    Password,
    City,
    Country,
    CountryCode,
    State,
    Street,
    Address,
    PostalCode,
    Phone,
    Url,
    ImageUrl,
    Domain,
    Ip,
    Mac,
    DateTime,
    PastDateTime,
    FutureDateTime,
    BirthDate,
    Date,
    /// A date in the coming year (`dueDate`, `end_date`).
    FutureDate,
    Price,
    Currency,
    /// An identifier; the word before `id` (`pet` for `petId`), if any.
    Id(Option<String>),
    Uuid,
    Status,
    Description,
    Summary,
    Title,
    /// A `name`; the name of the schema it belongs to gives the flavour.
    Name(Option<String>),
    Color,
    Company,
    Latitude,
    Longitude,
    Age,
    Count,
    Token,
    Hash,
    Slug,
    Language,
    Locale,
    Timezone,
    Version,
    FileName,
    Path,
    MimeType,
    UserAgent,
    Word,
    Message,
    Year,
    Port,
    Percent,
    Rating,
    PageSize,
    Page,
    Seconds,
    Bytes,
    Job,
    Iban,
    CreditCard,
    Key,
    Type,
}

/// Split an identifier into lower-case words: `avatarURL2` → `avatar`, `url2`; `first_name`
/// → `first`, `name`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A plural folded to its singular, roughly (`addresses` → `address`, `categories` →
/// `category`, `tags` → `tag`).
fn singular(word: &str) -> &str {
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word;
    }
    if let Some(stem) = word.strip_suffix("sses") {
        return &word[..stem.len() + 2];
    }
    if let Some(stem) = word.strip_suffix("ies") {
        // categories → categor(y): the caller compares prefixes, so `categor` is enough.
        return stem;
    }
    if word.ends_with("es")
        && (word.ends_with("xes") || word.ends_with("ches") || word.ends_with("shes"))
    {
        return &word[..word.len() - 2];
    }
    word.strip_suffix('s').unwrap_or(word)
}

/// The kind of datum a property name suggests, if any. `context` is the name of the schema
/// the property belongs to (`Pet`, `User`).
pub fn classify(name: &str, context: Option<&str>) -> Option<Kind> {
    let ws = words(name);
    let ws: Vec<&str> = ws.iter().map(|w| singular(w)).collect();
    let last = *ws.last()?;
    let prev = ws.len().checked_sub(2).map(|i| ws[i]);
    let all = ws.join("_");
    let has = |w: &str| ws.contains(&w);

    // Whole-name matches first: they are the most specific.
    let whole = match all.as_str() {
        "email" | "email_address" | "e_mail" | "mail" => Some(Kind::Email),
        "first_name" | "firstname" | "given_name" | "forename" => Some(Kind::FirstName),
        "last_name" | "lastname" | "family_name" | "surname" => Some(Kind::LastName),
        "full_name" | "fullname" | "display_name" | "displayname" | "contact_name" => {
            Some(Kind::FullName)
        }
        "username" | "user_name" | "login" | "handle" | "nickname" | "screen_name" => {
            Some(Kind::Username)
        }
        "password" | "passwd" | "secret" | "pass" => Some(Kind::Password),
        "country_code" | "country_iso" | "iso_country" | "country_iso_code" => {
            Some(Kind::CountryCode)
        }
        "zip" | "zipcode" | "zip_code" | "postal_code" | "postcode" | "post_code"
        | "postalcode" => Some(Kind::PostalCode),
        "lat" | "latitude" => Some(Kind::Latitude),
        "lon" | "lng" | "long" | "longitude" => Some(Kind::Longitude),
        "birth_date" | "birthdate" | "date_of_birth" | "dob" | "birthday" => Some(Kind::BirthDate),
        "ip" | "ip_address" | "ipv4" | "remote_addr" | "client_ip" => Some(Kind::Ip),
        "mac" | "mac_address" => Some(Kind::Mac),
        "user_agent" | "useragent" => Some(Kind::UserAgent),
        "mime_type" | "content_type" | "mimetype" | "media_type" => Some(Kind::MimeType),
        "per_page" | "page_size" | "limit" | "pagesize" => Some(Kind::PageSize),
        "page" | "page_number" | "offset" => Some(Kind::Page),
        "iban" => Some(Kind::Iban),
        "card_number" | "credit_card" | "cc_number" => Some(Kind::CreditCard),
        "job_title" | "occupation" | "profession" | "position" => Some(Kind::Job),
        "time_zone" | "timezone" | "tz" => Some(Kind::Timezone),
        "sha" | "commit_sha" | "checksum" | "etag" | "digest" | "hash" | "node_id" => {
            Some(Kind::Hash)
        }
        "street" | "street_address" | "address_line1" | "address1" | "line1" | "address_line_1" => {
            Some(Kind::Street)
        }
        "state" | "province" | "region" | "state_name" => {
            // `state` is often a status (open/closed) rather than a place.
            if has("state") && context.is_some_and(|c| !is_place_context(c)) {
                Some(Kind::Status)
            } else {
                Some(Kind::State)
            }
        }
        _ => None,
    };
    if whole.is_some() {
        return whole;
    }

    let kind = match last {
        "email" | "mail" => Kind::Email,
        "firstname" => Kind::FirstName,
        "lastname" | "surname" => Kind::LastName,
        "username" | "login" => Kind::Username,
        "password" => Kind::Password,
        "city" | "town" | "locality" => Kind::City,
        "country" => Kind::Country,
        "zip" | "zipcode" | "postcode" => Kind::PostalCode,
        "phone" | "mobile" | "fax" | "telephone" | "tel" | "cell" => Kind::Phone,
        "url" | "uri" | "link" | "href" | "website" | "homepage" | "endpoint" | "callback"
        | "webhook" => {
            if prev.is_some_and(|p| {
                matches!(
                    p,
                    "avatar" | "image" | "photo" | "picture" | "logo" | "icon" | "thumbnail"
                )
            }) {
                Kind::ImageUrl
            } else {
                Kind::Url
            }
        }
        "avatar" | "image" | "photo" | "picture" | "logo" | "icon" | "thumbnail" => Kind::ImageUrl,
        "domain" | "hostname" | "host" => Kind::Domain,
        "ip" => Kind::Ip,
        "at" | "on" | "timestamp" | "datetime" | "time" if !has("zone") => match prev {
            Some(p) if is_future_word(p) => Kind::FutureDateTime,
            Some(p) if is_past_word(p) => Kind::PastDateTime,
            _ if last == "time" => Kind::DateTime,
            _ => Kind::PastDateTime,
        },
        "date" | "day" => match prev {
            Some(p) if is_future_word(p) => Kind::FutureDate,
            Some("birth") => Kind::BirthDate,
            _ => Kind::Date,
        },
        "created" | "updated" | "modified" | "deleted" | "published" | "closed" | "merged"
        | "pushed" | "started" | "finished" | "completed" | "submitted" => Kind::PastDateTime,
        "expires" | "expiry" | "expiration" | "deadline" | "due" => Kind::FutureDateTime,
        "price" | "amount" | "total" | "cost" | "balance" | "fee" | "subtotal" | "tax"
        | "discount" | "salary" | "revenue" | "payment" | "charge" | "refund" => {
            if matches!(prev, Some("count" | "item" | "page" | "result")) {
                Kind::Count
            } else {
                Kind::Price
            }
        }
        "currency" => Kind::Currency,
        "id" | "identifier" | "key" if last != "key" || prev.is_some_and(|p| p == "primary") => {
            Kind::Id(prev.map(str::to_owned))
        }
        "uuid" | "guid" => Kind::Uuid,
        "status" | "state" => Kind::Status,
        "description" | "summary" | "bio" | "about" | "abstract" | "overview" | "note" => {
            if last == "summary" {
                Kind::Summary
            } else {
                Kind::Description
            }
        }
        "title" | "headline" | "subject" => Kind::Title,
        "name" => match prev {
            Some("first" | "given") => Kind::FirstName,
            Some("last" | "family") => Kind::LastName,
            Some(
                "full" | "display" | "contact" | "person" | "customer" | "user" | "author"
                | "owner",
            ) => Kind::FullName,
            Some(
                "company" | "organization" | "organisation" | "business" | "org" | "merchant"
                | "vendor",
            ) => Kind::Company,
            Some("screen") => Kind::Username,
            Some("file") => Kind::FileName,
            Some("host" | "domain") => Kind::Domain,
            Some("street") => Kind::Street,
            Some("city") => Kind::City,
            Some("country") => Kind::Country,
            Some(p) => Kind::Name(Some(p.to_owned())),
            None => Kind::Name(context.map(str::to_owned)),
        },
        "color" | "colour" => Kind::Color,
        "company" | "organization" | "organisation" | "employer" | "business" | "merchant" => {
            Kind::Company
        }
        "latitude" => Kind::Latitude,
        "longitude" => Kind::Longitude,
        "age" => Kind::Age,
        "count" | "quantity" | "qty" | "number"
            if last != "number"
                || !matches!(
                    prev,
                    Some("phone" | "card" | "account" | "version" | "build")
                ) =>
        {
            Kind::Count
        }
        "number" => match prev {
            Some("phone") => Kind::Phone,
            Some("card") => Kind::CreditCard,
            _ => Kind::Id(prev.map(str::to_owned)),
        },
        "token" | "secret" | "apikey" | "nonce" | "signature" | "cursor" => Kind::Token,
        "sha" | "hash" | "checksum" | "etag" | "fingerprint" | "digest" => Kind::Hash,
        "slug" | "permalink" => Kind::Slug,
        "language" | "lang" => Kind::Language,
        "locale" => Kind::Locale,
        "timezone" | "zone" => Kind::Timezone,
        "version" | "semver" => Kind::Version,
        "filename" | "file" => Kind::FileName,
        "path" | "directory" | "dir" | "folder" => Kind::Path,
        "mimetype" => Kind::MimeType,
        "tag" | "label" | "category" | "categor" | "keyword" | "topic" | "role" | "scope"
        | "permission" | "group" | "kind" => Kind::Word,
        "message" | "comment" | "body" | "text" | "content" | "reason" | "detail" | "error" => {
            Kind::Message
        }
        "year" => Kind::Year,
        "port" => Kind::Port,
        "percent" | "percentage" | "ratio" | "rate" => Kind::Percent,
        "rating" | "score" | "star" | "stars" => Kind::Rating,
        "seconds" | "second" | "duration" | "timeout" | "ttl" | "interval" => Kind::Seconds,
        "size" | "bytes" | "length" => Kind::Bytes,
        "address" | "addr" => match prev {
            Some("email" | "mail") => Kind::Email,
            Some("ip") => Kind::Ip,
            Some("mac") => Kind::Mac,
            Some("street") => Kind::Street,
            _ => Kind::Address,
        },
        "street" => Kind::Street,
        "type" => Kind::Type,
        "key" => Kind::Key,
        _ => return None,
    };
    Some(kind)
}

fn is_future_word(w: &str) -> bool {
    matches!(
        w,
        "expire"
            | "expires"
            | "expiry"
            | "expiration"
            | "due"
            | "end"
            | "ends"
            | "until"
            | "valid"
            | "scheduled"
            | "next"
            | "renewal"
            | "deadline"
    )
}

fn is_past_word(w: &str) -> bool {
    matches!(
        w,
        "created"
            | "updated"
            | "modified"
            | "deleted"
            | "last"
            | "published"
            | "closed"
            | "merged"
            | "pushed"
            | "started"
            | "start"
            | "finished"
            | "completed"
            | "submitted"
            | "sent"
            | "received"
            | "joined"
            | "signed"
            | "registered"
            | "seen"
            | "login"
            | "verified"
            | "paid"
            | "cancelled"
            | "canceled"
            | "archived"
    )
}

/// Schema names where `state` means a region rather than a status.
fn is_place_context(context: &str) -> bool {
    let c = context.to_ascii_lowercase();
    [
        "address", "location", "place", "geo", "billing", "shipping", "city", "region",
    ]
    .iter()
    .any(|w| c.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("avatarURL"), ["avatar", "url"]);
        assert_eq!(words("first_name"), ["first", "name"]);
        assert_eq!(words("createdAt"), ["created", "at"]);
        assert_eq!(words("HTMLParser"), ["html", "parser"]);
        assert_eq!(words("user-id"), ["user", "id"]);
    }

    #[test]
    fn classifies() {
        assert_eq!(classify("email", None), Some(Kind::Email));
        assert_eq!(classify("firstName", None), Some(Kind::FirstName));
        assert_eq!(classify("last_name", None), Some(Kind::LastName));
        assert_eq!(classify("createdAt", None), Some(Kind::PastDateTime));
        assert_eq!(classify("updated_at", None), Some(Kind::PastDateTime));
        assert_eq!(classify("expires_at", None), Some(Kind::FutureDateTime));
        assert_eq!(classify("dueDate", None), Some(Kind::FutureDate));
        assert_eq!(classify("start_date", None), Some(Kind::Date));
        assert_eq!(classify("petId", None), Some(Kind::Id(Some("pet".into()))));
        assert_eq!(classify("id", None), Some(Kind::Id(None)));
        assert_eq!(classify("photoUrls", None), Some(Kind::ImageUrl));
        assert_eq!(classify("website", None), Some(Kind::Url));
        assert_eq!(classify("avatar_url", None), Some(Kind::ImageUrl));
        assert_eq!(classify("postalCode", None), Some(Kind::PostalCode));
        assert_eq!(classify("countryCode", None), Some(Kind::CountryCode));
        assert_eq!(
            classify("name", Some("User")),
            Some(Kind::Name(Some("User".into())))
        );
        assert_eq!(classify("tags", None), Some(Kind::Word));
        assert_eq!(classify("categories", None), Some(Kind::Word));
        assert_eq!(classify("total_count", None), Some(Kind::Count));
        assert_eq!(classify("state", Some("Issue")), Some(Kind::Status));
        assert_eq!(classify("state", Some("Address")), Some(Kind::State));
        assert_eq!(classify("xyzzy", None), None);
    }
}
