//! JSON request bodies: strict UTF-8, a nesting bound well below serde_json's own recursion
//! limit, duplicate keys refused (two parsers would disagree on which one counts), and the
//! line and column of every error.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Deepest nesting of arrays and objects accepted in a request body.
pub const MAX_DEPTH: usize = 64;

/// -2^63 as a float.
const I64_MIN_F64: f64 = i64::MIN as f64;

/// Parse a JSON body; the error is a sentence for a problem+json `detail`.
pub fn parse(bytes: &[u8]) -> Result<Value, String> {
    let text = super::utf8(bytes, "JSON")?;
    parse_str(text)
}

/// Parse JSON text (already known to be UTF-8).
pub fn parse_str(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node { depth: 0 }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| describe(&e))?;
    Ok(value)
}

fn describe(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |i| &message[..i]);
    if e.line() == 0 {
        format!("The JSON body does not parse: {message}.")
    } else {
        format!(
            "The JSON body does not parse: {message} at line {} column {}.",
            e.line(),
            e.column()
        )
    }
}

/// Builds a `Value` like serde_json's own, but bounded in depth and without duplicate keys.
#[derive(Clone, Copy)]
struct Node {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Node {
    fn deeper<E: de::Error>(self) -> Result<Node, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "nesting too deep (more than {MAX_DEPTH} levels of arrays and objects)"
            )));
        }
        Ok(Node {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for Node {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // Integers beyond i64/u64 arrive as the nearest f64, and -2^63 - 1 (…and a few
        // hundred below it) rounds to exactly -2^63, which an int64 `minimum` would then
        // accept. Step off that bound so the out-of-range integer is refused.
        let v = if v == I64_MIN_F64 { v.next_down() } else { v };
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            let value = access.next_value_seed(inner)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}
