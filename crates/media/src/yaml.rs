//! A small block-style YAML writer for JSON values (fixtures in `--format yaml`). Strings are
//! written plain only when YAML 1.1 and 1.2 readers would both read them back as the same
//! string; everything else is double-quoted with JSON escapes, which YAML accepts.

use serde_json::Value;

/// `value` as a YAML document (ends with a newline).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, value, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, value, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_map(out: &mut String, value: &Value, level: usize) {
    let Value::Object(map) = value else { return };
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 || level > 0 {
            pad(out, level);
        }
        out.push_str(&string_text(k));
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, v, level + 1);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, v, level);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, value: &Value, level: usize) {
    let Value::Array(items) = value else { return };
    for item in items {
        pad(out, level);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => {
                // The first key sits on the dash's line; the rest align under it.
                let mut first = true;
                for (k, v) in m {
                    if !first {
                        pad(out, level + 1);
                    }
                    first = false;
                    out.push_str(&string_text(k));
                    out.push(':');
                    write_value_after_key(out, v, level + 1);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write_seq(out, item, level + 1);
            }
            scalar => {
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_text(s),
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
    }
}

/// Plain when unambiguous, else a JSON string (valid YAML double-quoted scalar).
fn string_text(s: &str) -> String {
    if plain_ok(s) {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

fn plain_ok(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    if RESERVED.contains(&s.to_ascii_lowercase().as_str()) || s.ends_with(' ') {
        return false;
    }
    // `.inf`/`.nan` start with a dot and are excluded above; a `: ` or ` #` would end the scalar.
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '@' | '+'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_block_yaml_that_reads_back() {
        let v = json!({
            "name": "Rex", "age": 3, "tags": ["a", "yes", "1.0", ""], "owner": {"email": "a@b.co", "note": "x: y"},
            "list": [{"id": 1, "n": null}, {"id": 2, "n": [1, 2]}], "empty": {}, "none": [], "on": true
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "name: Rex\nage: 3\ntags:\n- a\n- \"yes\"\n- \"1.0\"\n- \"\"\nowner:\n  email: a@b.co\n  note: \"x: y\"\nlist:\n- id: 1\n  \"n\": null\n- id: 2\n  \"n\":\n  - 1\n  - 2\nempty: {}\nnone: []\n\"on\": true\n"
        );
        // It reads back to the same value with our own YAML 1.2 loader.
        let back = mockgen_source::parse(&y).expect("valid YAML").value;
        assert_eq!(back, v);
    }

    #[test]
    fn scalars_and_awkward_strings_round_trip() {
        for v in [
            json!("plain"),
            json!("with: colon"),
            json!("#hash"),
            json!("- dash"),
            json!("ünï"),
            json!("line\nbreak"),
            json!("  lead"),
            json!("null"),
            json!("~"),
            json!("0x1F"),
            json!("1e3"),
            json!(12.5),
            json!(-3),
            json!(null),
            json!(false),
            json!([[1, [2]], {"a": {"b": []}}]),
        ] {
            let y = to_yaml(&json!({"k": v.clone(), "list": [v.clone()]}));
            let back = mockgen_source::parse(&y).expect("valid YAML").value;
            assert_eq!(back, json!({"k": v, "list": [v]}), "{y}");
        }
    }
}
