//! Durations (`200ms`, `1.5s`) and latency distributions: fixed, uniform and lognormal, the
//! shapes WireMock users know. Sampling is a pure function of the random source, so the
//! scheduled delays can be checked statistically without a clock.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::time::Duration;

/// No scheduled delay is longer than this, whatever the distribution's tail.
pub const MAX_DELAY: Duration = Duration::from_secs(3600);

/// `200ms`, `1.5s`, `2m`, `750us`, `0`; a bare number is milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 200ms or 1.5s"))?;
    let millis = match unit.trim() {
        "" | "ms" => value,
        "us" | "µs" => value / 1000.0,
        "s" => value * 1000.0,
        "m" | "min" => value * 60_000.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (use us, ms, s or m)"
            ));
        }
    };
    duration_from_millis(millis).ok_or_else(|| format!("`{text}` is out of range"))
}

/// A duration from a (finite, non-negative, at most an hour) number of milliseconds.
pub fn duration_from_millis(millis: f64) -> Option<Duration> {
    if !millis.is_finite() || millis < 0.0 || millis > MAX_DELAY.as_secs_f64() * 1000.0 {
        return None;
    }
    Some(Duration::from_secs_f64(millis / 1000.0))
}

/// How long to wait before answering.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    Fixed(Duration),
    /// Uniform between `min` and `max` (inclusive).
    Uniform {
        min: Duration,
        max: Duration,
    },
    /// `median · e^(sigma·Z)` with Z standard normal, capped at `max` when given.
    LogNormal {
        median: Duration,
        sigma: f64,
        max: Option<Duration>,
    },
}

impl Latency {
    /// One scheduled delay.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Duration {
        match self {
            Latency::Fixed(d) => *d,
            Latency::Uniform { min, max } => {
                let (lo, hi) = (min.as_secs_f64(), max.as_secs_f64().max(min.as_secs_f64()));
                let u: f64 = rng.random();
                secs(lo + (hi - lo) * u)
            }
            Latency::LogNormal { median, sigma, max } => {
                let z = standard_normal(rng);
                let value = secs(median.as_secs_f64() * (sigma * z).exp());
                match max {
                    Some(m) => value.min(*m),
                    None => value,
                }
            }
        }
    }

    /// `200ms`, `uniform:100ms..300ms`, `lognormal:median=120ms,sigma=0.4[,max=2s]`,
    /// `fixed:200ms`.
    pub fn parse(text: &str) -> Result<Latency, String> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("fixed:") {
            return parse_duration(rest).map(Latency::Fixed);
        }
        if let Some(rest) = t.strip_prefix("uniform:") {
            let (a, b) = rest.split_once("..").ok_or_else(|| {
                format!("`{text}`: write uniform:MIN..MAX, e.g. uniform:100ms..300ms")
            })?;
            return Latency::uniform(parse_duration(a)?, parse_duration(b)?);
        }
        if let Some(rest) = t.strip_prefix("lognormal:") {
            let (mut median, mut sigma, mut max) = (None, None, None);
            for part in rest.split(',') {
                let (k, v) = part
                    .split_once('=')
                    .ok_or_else(|| format!("`{text}`: write lognormal:median=120ms,sigma=0.4"))?;
                match k.trim() {
                    "median" => median = Some(parse_duration(v)?),
                    "sigma" => {
                        sigma = Some(
                            v.trim()
                                .parse::<f64>()
                                .map_err(|_| format!("`{v}` is not a number (sigma)"))?,
                        );
                    }
                    "max" => max = Some(parse_duration(v)?),
                    other => {
                        return Err(format!(
                            "unknown lognormal parameter `{other}` (median, sigma, max)"
                        ));
                    }
                }
            }
            let median = median.ok_or_else(|| format!("`{text}`: median is missing"))?;
            let sigma = sigma.ok_or_else(|| format!("`{text}`: sigma is missing"))?;
            return Latency::lognormal(median, sigma, max);
        }
        parse_duration(t).map(Latency::Fixed).map_err(|e| {
            format!(
                "{e}; a latency is 200ms, uniform:100ms..300ms or lognormal:median=120ms,sigma=0.4"
            )
        })
    }

    pub fn uniform(min: Duration, max: Duration) -> Result<Latency, String> {
        if max < min {
            return Err(format!("uniform: max ({max:?}) is below min ({min:?})"));
        }
        Ok(Latency::Uniform { min, max })
    }

    pub fn lognormal(
        median: Duration,
        sigma: f64,
        max: Option<Duration>,
    ) -> Result<Latency, String> {
        if !(sigma.is_finite() && (0.0..=10.0).contains(&sigma)) {
            return Err(format!(
                "lognormal: sigma must be between 0 and 10, not {sigma}"
            ));
        }
        Ok(Latency::LogNormal { median, sigma, max })
    }
}

/// Seconds as a duration in [0, MAX_DELAY] (an infinite tail is the cap, not zero).
fn secs(s: f64) -> Duration {
    if s > 0.0 {
        Duration::from_secs_f64(s.min(MAX_DELAY.as_secs_f64()))
    } else {
        Duration::ZERO
    }
}

/// Box–Muller: one standard normal value from two uniform ones.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 - [0,1) is (0,1]: the logarithm stays finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn samples(latency: &Latency, n: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let mut v: Vec<f64> = (0..n)
            .map(|_| latency.sample(&mut rng).as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("200ms"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("500us"), Ok(Duration::from_micros(500)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("-5ms").is_err());
        assert!(parse_duration("2m").is_ok() && parse_duration("61m").is_err());
    }

    #[test]
    fn latency_flags_parse() {
        assert_eq!(
            Latency::parse("200ms"),
            Ok(Latency::Fixed(Duration::from_millis(200)))
        );
        assert_eq!(
            Latency::parse("uniform:100ms..300ms"),
            Ok(Latency::Uniform {
                min: Duration::from_millis(100),
                max: Duration::from_millis(300)
            })
        );
        assert_eq!(
            Latency::parse("lognormal:median=120ms,sigma=0.4"),
            Ok(Latency::LogNormal {
                median: Duration::from_millis(120),
                sigma: 0.4,
                max: None
            })
        );
        assert!(Latency::parse("uniform:300ms..100ms").is_err());
        assert!(Latency::parse("lognormal:median=1s").is_err());
        assert!(Latency::parse("lognormal:sigma=-1,median=1s").is_err());
        assert!(Latency::parse("gamma:1").is_err());
    }

    #[test]
    fn uniform_stays_in_range_with_the_right_mean() {
        let l = Latency::parse("uniform:100ms..300ms").expect("valid");
        let v = samples(&l, 400);
        assert!(v.iter().all(|&x| (100.0..=300.0).contains(&x)));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        // Standard error of the mean: 57.7 / sqrt(400) = 2.9 ms; allow ~3.5 of them.
        assert!((mean - 200.0).abs() < 10.0, "mean {mean}");
        // Both halves are used: quartiles near 150 and 250.
        assert!((v[100] - 150.0).abs() < 15.0, "q1 {}", v[100]);
        assert!((v[300] - 250.0).abs() < 15.0, "q3 {}", v[300]);
    }

    #[test]
    fn lognormal_median_and_spread_match() {
        let l = Latency::parse("lognormal:median=120ms,sigma=0.4").expect("valid");
        let v = samples(&l, 400);
        let median = (v[199] + v[200]) / 2.0;
        // Standard error of the median in log space: 1.2533 · 0.4 / 20 ≈ 2.5 %: allow 10 %.
        assert!((median / 120.0 - 1.0).abs() < 0.10, "median {median}");
        let logs: Vec<f64> = v.iter().map(|x| x.ln()).collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd =
            (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (logs.len() - 1) as f64).sqrt();
        // Standard error of the log-space deviation: 0.4 / sqrt(800) ≈ 3.5 %: allow 15 %.
        assert!((sd / 0.4 - 1.0).abs() < 0.15, "sigma {sd}");
        // A right-skewed shape: the mean is above the median (e^(σ²/2) ≈ 1.083).
        let mean_ms = v.iter().sum::<f64>() / v.len() as f64;
        assert!(mean_ms > median, "mean {mean_ms} median {median}");
    }

    #[test]
    fn lognormal_max_caps_the_tail() {
        let l = Latency::parse("lognormal:median=100ms,sigma=2,max=150ms").expect("valid");
        let v = samples(&l, 300);
        assert!(v.iter().all(|&x| x <= 150.0 + 1e-9));
        assert!(v.iter().any(|&x| (x - 150.0).abs() < 1e-6));
    }

    #[test]
    fn extreme_tails_are_capped_not_zeroed() {
        let l = Latency::lognormal(Duration::from_secs(3000), 10.0, None).expect("valid");
        let v = samples(&l, 200);
        assert!(v.iter().all(|&x| x <= MAX_DELAY.as_secs_f64() * 1000.0));
        assert!(v.iter().any(|&x| x == MAX_DELAY.as_secs_f64() * 1000.0));
        assert_eq!(secs(f64::NAN), Duration::ZERO);
        assert_eq!(secs(f64::INFINITY), MAX_DELAY);
        assert_eq!(secs(-1.0), Duration::ZERO);
    }

    #[test]
    fn same_seed_same_delays() {
        let l = Latency::parse("lognormal:median=50ms,sigma=1").expect("valid");
        assert_eq!(samples(&l, 50), samples(&l, 50));
    }
}
