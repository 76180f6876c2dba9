//! XML request bodies: a small well-formedness parser (elements, attributes, text, CDATA,
//! comments, processing instructions, the five predefined entities and character
//! references; a DOCTYPE is skipped and its entities never expanded, so no entity bombs) and
//! a conversion to JSON guided by the schema's `xml` objects (names, attributes, wrapped
//! arrays), so the body is validated like a JSON one.

use mockgen_params::schema::{Shape, View, coerce};
use serde_json::{Map, Value};

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// One element: local name (prefix dropped), attributes, child elements and its own text.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

/// Parse a document; the error names the line and column.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut p = Parser { s: text, pos: 0 };
    if p.rest().starts_with('\u{feff}') {
        p.pos += '\u{feff}'.len_utf8();
    }
    p.misc()?;
    if p.rest().starts_with("<!DOCTYPE") {
        p.doctype()?;
        p.misc()?;
    }
    if !p.rest().starts_with('<') {
        return Err(p.err("expected the root element"));
    }
    let root = p.element(0)?;
    p.misc()?;
    if !p.rest().is_empty() {
        return Err(p.err("unexpected content after the root element"));
    }
    Ok(root)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':' || !c.is_ascii()
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or_default()
    }

    fn err(&self, message: &str) -> String {
        self.err_at(self.pos, message)
    }

    fn err_at(&self, at: usize, message: &str) -> String {
        let (line, column) = super::position(self.s.as_bytes(), at);
        format!("The XML body is not well-formed: {message} at line {line} column {column}.")
    }

    fn skip_ws(&mut self) -> usize {
        let rest = self.rest();
        let n = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
        self.pos += n;
        n
    }

    /// Skip past `end`, returning what came before it.
    fn until(&mut self, end: &str, what: &str) -> Result<&'a str, String> {
        let rest = self.rest();
        let Some(i) = rest.find(end) else {
            return Err(self.err(&format!("{what} is not closed (missing {end:?})")));
        };
        self.pos += i + end.len();
        Ok(&rest[..i])
    }

    /// Whitespace, comments and processing instructions.
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            if self.rest().starts_with("<!--") {
                self.pos += 4;
                self.until("-->", "comment")?;
            } else if self.rest().starts_with("<?") {
                self.pos += 2;
                self.until("?>", "processing instruction")?;
            } else {
                return Ok(());
            }
        }
    }

    /// `<!DOCTYPE …>` with an optional internal subset; skipped, never interpreted.
    fn doctype(&mut self) -> Result<(), String> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (i, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[') => depth += 1,
                (None, ']') => depth = depth.saturating_sub(1),
                (None, '>') if depth == 0 => {
                    self.pos += i + 1;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(self.err_at(start, "DOCTYPE is not closed"))
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let rest = self.rest();
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if is_name_start(c) => {}
            _ => return Err(self.err("expected a name")),
        }
        let end = chars
            .find(|(_, c)| !is_name_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += end;
        Ok(&rest[..end])
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            Err(self.err(&format!("expected {token:?}")))
        }
    }

    /// Replace entity and character references in `raw`, which starts at byte `at`.
    fn unescape(&self, raw: &str, at: usize) -> Result<String, String> {
        if !raw.contains('&') {
            return Ok(raw.to_owned());
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let here = at + (raw.len() - rest.len()) + i;
            let after = &rest[i + 1..];
            let Some(end) = after.find(';').filter(|e| *e <= 12) else {
                return Err(self.err_at(here, "'&' does not start an entity reference"));
            };
            let entity = &after[..end];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32)
                    .filter(|c| *c != '\0'),
            };
            let Some(c) = c else {
                return Err(self.err_at(here, &format!("unknown entity &{entity};")));
            };
            out.push(c);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn element(&mut self, depth: usize) -> Result<Element, String> {
        if depth >= MAX_DEPTH {
            return Err(self.err(&format!(
                "nesting too deep (more than {MAX_DEPTH} levels of elements)"
            )));
        }
        self.expect("<")?;
        let name = self.name()?;
        let mut el = Element {
            name: local(name).to_owned(),
            ..Element::default()
        };
        loop {
            let ws = self.skip_ws();
            if self.rest().starts_with("/>") {
                self.pos += 2;
                return Ok(el);
            }
            if self.rest().starts_with('>') {
                self.pos += 1;
                break;
            }
            if ws == 0 {
                return Err(self.err(&format!("expected '>', '/>' or an attribute in <{name}>")));
            }
            let at = self.pos;
            let attr = self.name()?;
            self.skip_ws();
            self.expect("=")?;
            self.skip_ws();
            let quote = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return Err(self.err("expected a quoted attribute value")),
            };
            self.pos += 1;
            let value_at = self.pos;
            let raw = self.until(if quote == '"' { "\"" } else { "'" }, "attribute value")?;
            if raw.contains('<') {
                return Err(self.err_at(value_at, "'<' in an attribute value"));
            }
            if el.attrs.iter().any(|(n, _)| n == attr) {
                return Err(self.err_at(at, &format!("attribute {attr:?} given twice")));
            }
            let value = self.unescape(raw, value_at)?;
            el.attrs.push((attr.to_owned(), value));
        }
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Err(self.err(&format!("element <{name}> is not closed")));
            }
            if rest.starts_with("</") {
                self.pos += 2;
                let at = self.pos;
                let closing = self.name()?;
                if closing != name {
                    return Err(self.err_at(at, &format!("</{closing}> does not close <{name}>")));
                }
                self.skip_ws();
                self.expect(">")?;
                return Ok(el);
            }
            if rest.starts_with("<!--") {
                self.pos += 4;
                self.until("-->", "comment")?;
            } else if rest.starts_with("<![CDATA[") {
                self.pos += 9;
                let text = self.until("]]>", "CDATA section")?;
                el.text.push_str(text);
            } else if rest.starts_with("<?") {
                self.pos += 2;
                self.until("?>", "processing instruction")?;
            } else if rest.starts_with("<!") {
                return Err(self.err("unexpected markup declaration"));
            } else if rest.starts_with('<') {
                let child = self.element(depth + 1)?;
                el.children.push(child);
            } else {
                let at = self.pos;
                let end = rest.find('<').unwrap_or(rest.len());
                let raw = &rest[..end];
                self.pos += end;
                let text = self.unescape(raw, at)?;
                el.text.push_str(&text);
            }
        }
    }
}

/// The `xml` object's `name`, `attribute` and `wrapped` for a schema.
fn xml_of<'a>(view: &View<'a>) -> (Option<&'a str>, bool, bool) {
    let xml = view.keyword("xml");
    let get = |k: &str| xml.and_then(|x| x.get(k));
    (
        get("name").and_then(Value::as_str),
        get("attribute").and_then(Value::as_bool).unwrap_or(false),
        get("wrapped").and_then(Value::as_bool).unwrap_or(false),
    )
}

fn nil(el: &Element) -> bool {
    el.attrs
        .iter()
        .any(|(n, v)| local(n) == "nil" && n != "nil" && v == "true")
}

/// The JSON value `el` stands for under `view`.
pub fn to_value(el: &Element, view: &View<'_>) -> Value {
    if nil(el) {
        return Value::Null;
    }
    if view.is_empty() || view.types() == 0 && view.property_names().is_empty() {
        return untyped(el);
    }
    match view.shape() {
        Shape::Object => object(el, view),
        Shape::Array => {
            let items = view.items();
            Value::Array(el.children.iter().map(|c| to_value(c, &items)).collect())
        }
        Shape::Scalar => scalar(&el.text, view),
    }
}

fn scalar(text: &str, view: &View<'_>) -> Value {
    match coerce(text.trim(), view) {
        Ok(Value::String(_)) | Err(_) => Value::String(text.to_owned()),
        Ok(v) => v,
    }
}

/// Without a schema: text for a leaf, else an object of the children (repeated names become
/// arrays).
fn untyped(el: &Element) -> Value {
    if el.children.is_empty() {
        return Value::String(el.text.clone());
    }
    let mut map = Map::new();
    for c in &el.children {
        add(&mut map, &c.name, untyped(c));
    }
    Value::Object(map)
}

fn add(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(Value::Array(items)) => items.push(value),
        Some(other) => {
            let old = std::mem::take(other);
            *other = Value::Array(vec![old, value]);
        }
        None => {
            map.insert(key.to_owned(), value);
        }
    }
}

fn object(el: &Element, view: &View<'_>) -> Value {
    let mut map = Map::new();
    let mut used = vec![false; el.children.len()];
    for name in view.property_names() {
        let pv = view.property(name);
        let (xname, attribute, wrapped) = xml_of(&pv);
        let xname = xname.unwrap_or(name);
        if attribute {
            if let Some((_, v)) = el.attrs.iter().find(|(n, _)| local(n) == xname) {
                map.insert(name.to_owned(), scalar(v, &pv));
            }
            continue;
        }
        if pv.shape() == Shape::Array {
            let items = pv.items();
            let (iname, _, _) = xml_of(&items);
            if wrapped {
                if let Some((i, wrapper)) = el
                    .children
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.name == xname)
                {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    let values = wrapper
                        .children
                        .iter()
                        .filter(|c| iname.is_none_or(|n| c.name == n))
                        .map(|c| to_value(c, &items))
                        .collect();
                    map.insert(name.to_owned(), Value::Array(values));
                }
            } else {
                let element_name = iname.unwrap_or(xname);
                let mut values = Vec::new();
                for (i, c) in el.children.iter().enumerate() {
                    if c.name == element_name {
                        if let Some(u) = used.get_mut(i) {
                            *u = true;
                        }
                        values.push(to_value(c, &items));
                    }
                }
                if !values.is_empty() {
                    map.insert(name.to_owned(), Value::Array(values));
                }
            }
            continue;
        }
        let mut values = Vec::new();
        for (i, c) in el.children.iter().enumerate() {
            if c.name == xname {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                values.push(to_value(c, &pv));
            }
        }
        match values.len() {
            0 => {}
            // One element per property; a repeated one is a list the validator refuses.
            1 => {
                map.insert(name.to_owned(), values.swap_remove(0));
            }
            _ => {
                map.insert(name.to_owned(), Value::Array(values));
            }
        }
    }
    // Undeclared elements still count, so `additionalProperties: false` can refuse them.
    for (i, c) in el.children.iter().enumerate() {
        if !used.get(i).copied().unwrap_or(true) {
            let pv = view.property(&c.name);
            add(&mut map, &c.name, to_value(c, &pv));
        }
    }
    Value::Object(map)
}
