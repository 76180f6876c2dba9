//! Reading spec files from disk (and, when allowed, over plain HTTP): the binary's
//! implementation of the loader's `Resolver`.

use mockgen_spec::{Fetched, Resolver};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Most we read of one file or response (a spec larger than this is surely a mistake).
const MAX_FILE: u64 = 256 * 1024 * 1024;

/// Resolves references relative to the referring file.
#[derive(Debug, Default)]
pub struct FsResolver {
    pub allow_remote: bool,
}

/// Read and load one spec from disk (local `$ref`s resolved next to it). An unreadable file is
/// reported on stderr and becomes `Err(exit::USAGE)`.
pub fn load_spec(path: &Path) -> Result<(String, mockgen_spec::Loaded), u8> {
    let name = path.to_string_lossy().into_owned();
    match read_text(path) {
        Ok(text) => {
            let loaded = mockgen_spec::load(
                &name,
                text,
                &FsResolver::default(),
                &mockgen_spec::LoadOptions::default(),
            );
            Ok((name, loaded))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(crate::exit::USAGE)
        }
    }
}

/// Read a file as UTF-8, explaining what is wrong when it is not.
pub fn read_text(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!(
            "{} is larger than {} MiB",
            path.display(),
            MAX_FILE >> 20
        ));
    }
    decode(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// An I/O error in words that do not depend on the platform ("(os error 2)").
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => {
            let text = e.to_string();
            text.split(" (os error").next().unwrap_or(&text).to_owned()
        }
    }
}

fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; save it as UTF-8".to_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..upto];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        format!(
            "invalid UTF-8 at line {line}, column {column} (byte {upto}); save the file as UTF-8"
        )
    })
}

/// `a/./b/../c` → `a/c`, without touching the file system (keeps names readable).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Resolver for FsResolver {
    fn fetch(&self, base: &str, target: &str) -> Result<Fetched, String> {
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            if !self.allow_remote {
                return Err("remote references are not fetched".to_owned());
            }
            return http_get(target).map(|text| Fetched {
                name: target.to_owned(),
                text,
            });
        }
        if base.starts_with("http://") {
            return Err(format!(
                "`{target}` is relative to a remote document; download both next to each other"
            ));
        }
        let target = target.strip_prefix("file://").unwrap_or(target);
        let decoded = percent_decode(target);
        let path = Path::new(&decoded);
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            Path::new(base).parent().unwrap_or(Path::new("")).join(path)
        };
        let joined = clean(&joined);
        let text = read_text(&joined)?;
        Ok(Fetched {
            name: joined.to_string_lossy().into_owned(),
            text,
        })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A minimal HTTP/1.1 GET for `--allow-remote-refs` (plain http only: no TLS in this binary).
fn http_get(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("HTTP://"))
        .ok_or_else(|| {
            "https references are not supported (no TLS in mockgen); download the file".to_owned()
        })?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let mut stream = std::net::TcpStream::connect(&addr)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let timeout = Some(Duration::from_secs(10));
    let _ = stream.set_read_timeout(timeout);
    let _ = stream.set_write_timeout(timeout);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: */*\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .take(MAX_FILE)
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with('2') {
        return Err(format!("GET {url} answered {status}"));
    }
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).ok_or("malformed chunked response")?;
    }
    decode(body)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_paths() {
        assert_eq!(
            clean(Path::new("a/./b/../c.yaml")),
            PathBuf::from("a/c.yaml")
        );
        assert_eq!(clean(Path::new("../x.yaml")), PathBuf::from("../x.yaml"));
    }

    #[test]
    fn decodes_percent() {
        assert_eq!(percent_decode("my%20file.yaml"), "my file.yaml");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn reports_invalid_utf8_position() {
        let err = decode(b"a: 1\nb: \xff\n".to_vec()).unwrap_err();
        assert!(err.contains("line 2, column 4"), "{err}");
    }

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").as_deref(),
            Some(&b"abcde"[..])
        );
    }
}
