//! One line per request on stderr: short for people, one JSON object per line for machines.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How request lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `GET /v1/pets/1 getPet 200 0.3ms`, then the violations when there are any.
    #[default]
    Human,
    /// `{"ts","method","path","operationId","status","ms","violations":[…]}` per line.
    Json,
    /// No request lines (start-up and reload messages still appear).
    Off,
}

/// What one exchange logs.
#[derive(Debug)]
pub struct Entry<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub operation_id: Option<&'a str>,
    pub status: u16,
    pub elapsed: Duration,
    pub violations: &'a [String],
}

/// Lines waiting for the log thread before a request has to wait for it.
const QUEUE: usize = 8192;
/// How long the log thread lets lines gather while they keep coming.
const PAUSE: Duration = Duration::from_millis(2);

/// Hands request lines to a thread that writes them to stderr, so a worker never waits on a
/// slow or full stderr and, under load, many lines go out in one `write`.
#[derive(Debug)]
pub(crate) struct Logger {
    format: LogFormat,
    /// `None`: no thread (logging off, or it could not start): lines are written directly.
    tx: Option<SyncSender<String>>,
}

impl Logger {
    /// The logger and its thread, which ends (after writing everything) once every `Logger`
    /// is dropped.
    pub(crate) fn start(format: LogFormat) -> (Logger, Option<JoinHandle<()>>) {
        if format == LogFormat::Off {
            return (Logger { format, tx: None }, None);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("mockgen-log".to_owned())
            .spawn(move || {
                let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
                // A closed stderr must not stop the server: write errors are ignored.
                while let Ok(line) = rx.recv() {
                    let _ = out.write_all(line.as_bytes());
                    // Do not block in `recv` again at once: a blocked receiver costs the next
                    // sender a wake-up. Write what is queued, pause briefly (senders only
                    // enqueue meanwhile), and block again only after a pause that brought
                    // nothing: at most one wake-up per pause, however busy the server is.
                    loop {
                        for line in rx.try_iter() {
                            let _ = out.write_all(line.as_bytes());
                        }
                        let _ = out.flush();
                        std::thread::sleep(PAUSE);
                        match rx.try_recv() {
                            Ok(line) => {
                                let _ = out.write_all(line.as_bytes());
                            }
                            Err(_) => break,
                        }
                    }
                }
            });
        match spawned {
            Ok(handle) => (
                Logger {
                    format,
                    tx: Some(tx),
                },
                Some(handle),
            ),
            Err(_) => (Logger { format, tx: None }, None),
        }
    }

    pub(crate) fn write(&self, entry: &Entry<'_>) {
        let line = match self.format {
            LogFormat::Human => human(entry),
            LogFormat::Json => json(entry, SystemTime::now()),
            LogFormat::Off => return,
        };
        match &self.tx {
            Some(tx) => {
                if let Err(e) = tx.send(line) {
                    let _ = std::io::stderr().lock().write_all(e.0.as_bytes());
                }
            }
            None => {
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }
        }
    }
}

fn ms(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

fn human(e: &Entry<'_>) -> String {
    let mut line = String::with_capacity(48 + e.path.len());
    // Pieces pushed one by one: cheaper than `format!` on every request.
    for piece in [
        e.method,
        " ",
        e.path,
        " ",
        e.operation_id.unwrap_or("-"),
        " ",
    ] {
        line.push_str(piece);
    }
    let _ = write!(line, "{} ", e.status);
    push_tenths_ms(&mut line, e.elapsed);
    line.push_str("ms");
    if !e.violations.is_empty() {
        let n = e.violations.len();
        let _ = write!(
            line,
            " {n} violation{}: {}",
            if n == 1 { "" } else { "s" },
            e.violations.join("; ")
        );
    }
    line.push('\n');
    line
}

/// Milliseconds with one decimal (`0.3`), rounded half up, in integer arithmetic.
fn push_tenths_ms(out: &mut String, elapsed: Duration) {
    let tenths = elapsed.as_micros().saturating_add(50) / 100;
    let _ = write!(out, "{}.{}", tenths / 10, tenths % 10);
}

fn json(e: &Entry<'_>, now: SystemTime) -> String {
    let mut line = String::with_capacity(128);
    line.push_str("{\"ts\":\"");
    timestamp(&mut line, now);
    line.push_str("\",\"method\":");
    push_json_str(&mut line, e.method);
    line.push_str(",\"path\":");
    push_json_str(&mut line, e.path);
    line.push_str(",\"operationId\":");
    match e.operation_id {
        Some(id) => push_json_str(&mut line, id),
        None => line.push_str("null"),
    }
    let _ = write!(
        line,
        ",\"status\":{},\"ms\":{:.3},\"violations\":[",
        e.status,
        ms(e.elapsed)
    );
    for (i, v) in e.violations.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_json_str(&mut line, v);
    }
    line.push_str("]}\n");
    line
}

fn push_json_str(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// RFC 3339 UTC with milliseconds: `2026-01-01T12:00:00.000Z`.
fn timestamp(out: &mut String, now: SystemTime) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    );
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(violations: &[String]) -> Entry<'_> {
        Entry {
            method: "POST",
            path: "/v1/pets",
            operation_id: Some("createPet"),
            status: 422,
            elapsed: Duration::from_micros(1500),
            violations,
        }
    }

    #[test]
    fn human_lines_are_short() {
        assert_eq!(human(&entry(&[])), "POST /v1/pets createPet 422 1.5ms\n");
        let v = vec![
            "body.name: must be string".to_owned(),
            "query.x: y".to_owned(),
        ];
        assert_eq!(
            human(&entry(&v)),
            "POST /v1/pets createPet 422 1.5ms 2 violations: body.name: must be string; query.x: y\n"
        );
    }

    #[test]
    fn json_lines_parse() {
        let v = vec!["body.name: \"quoted\"".to_owned()];
        let at = UNIX_EPOCH + Duration::from_millis(1_767_225_600_123);
        let line = json(&entry(&v), at);
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["ts"], "2026-01-01T00:00:00.123Z");
        assert_eq!(parsed["operationId"], "createPet");
        assert_eq!(parsed["status"], 422);
        assert_eq!(parsed["ms"], 1.5);
        assert_eq!(parsed["violations"][0], "body.name: \"quoted\"");
    }

    #[test]
    fn human_milliseconds_round_half_up() {
        let ms = |micros| {
            let mut s = String::new();
            push_tenths_ms(&mut s, Duration::from_micros(micros));
            s
        };
        assert_eq!(ms(0), "0.0");
        assert_eq!(ms(49), "0.0");
        assert_eq!(ms(50), "0.1");
        assert_eq!(ms(1_449), "1.4");
        assert_eq!(ms(12_950), "13.0");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
