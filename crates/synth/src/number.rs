//! Numbers within bounds and `multipleOf`, computed exactly.
//!
//! Every value is `k × step` where `step` is a rational (the least common multiple of the
//! `multipleOf` values, 1 for integers, 1/100 for realistic decimals). The value is written as
//! an exact decimal string first and only then turned into an `f64`, and kept only if that
//! `f64` prints back as the same decimal: the validator (like any JSON reader) sees the
//! shortest decimal of the double, so that is what must be a multiple.

use crate::merge::Bound;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use serde_json::{Number, Value};

/// A positive rational `num / den`, reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if num <= 0 || den <= 0 {
            return None;
        }
        let g = gcd(num, den);
        Some(Ratio {
            num: num / g,
            den: den / g,
        })
    }

    /// The exact decimal a positive `f64` prints as (`0.01` → 1/100).
    pub fn of_f64(value: f64) -> Option<Ratio> {
        let (mantissa, scale) = decimal_parts(value)?;
        Ratio::new(mantissa, 10i128.checked_pow(scale)?)
    }

    /// Least common multiple: `lcm(a/b, c/d) = lcm(a, c) / gcd(b, d)` for reduced fractions.
    pub fn lcm(self, other: Ratio) -> Option<Ratio> {
        let g = gcd(self.num, other.num);
        let num = (self.num / g).checked_mul(other.num)?;
        Ratio::new(num, gcd(self.den, other.den))
    }

    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// `value` as `mantissa × 10^-scale`, read from its shortest decimal form.
pub fn decimal_parts(value: f64) -> Option<(i128, u32)> {
    if !value.is_finite() {
        return None;
    }
    // `Display` for f64 prints the shortest round-tripping decimal, never in exponent form.
    let text = format!("{value}");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = frac.trim_end_matches('0');
    if int.len() + frac.len() > 36 {
        return None;
    }
    let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
    let scale = u32::try_from(frac.len()).ok()?;
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// Whether `value` is a multiple of `multiple` in the decimal reading both print as.
pub fn is_multiple(value: f64, multiple: f64) -> bool {
    if value == 0.0 {
        return true;
    }
    let (Some((vm, vs)), Some((mm, ms))) = (decimal_parts(value), decimal_parts(multiple)) else {
        return (value / multiple).fract() == 0.0;
    };
    if mm == 0 {
        return false;
    }
    let shared = vs.min(ms);
    let scale = |m: i128, s: u32| m.checked_mul(10i128.checked_pow(s - shared)?);
    match (scale(vm, ms), scale(mm, vs)) {
        (Some(a), Some(b)) => a % b == 0,
        _ => (value / multiple).fract() == 0.0,
    }
}

/// Whether `value` lies within the bounds.
pub fn within(value: f64, min: Option<Bound>, max: Option<Bound>) -> bool {
    let above = min.is_none_or(|b| {
        if b.exclusive {
            value > b.value
        } else {
            value >= b.value
        }
    });
    let below = max.is_none_or(|b| {
        if b.exclusive {
            value < b.value
        } else {
            value <= b.value
        }
    });
    above && below
}

/// What to draw from.
#[derive(Clone, Copy, Debug)]
pub struct Draw {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    /// Values are multiples of this.
    pub step: Ratio,
    /// Preferred range (clamped into the bounds).
    pub window: (f64, f64),
    /// The value must not be an integer (`number` without `integer`).
    pub fractional: bool,
}

/// A value `k × step` within the bounds, preferably within the window; `None` when no
/// multiple of the step fits.
pub fn draw(d: &Draw, rng: &mut ChaCha8Rng) -> Option<Value> {
    let lo = d.min.map_or(f64::NEG_INFINITY, |b| b.value);
    let hi = d.max.map_or(f64::INFINITY, |b| b.value);
    if lo > hi {
        return None;
    }
    let step = d.step.as_f64();
    // The window, clamped into the bounds; a window that misses them collapses onto them.
    let mut wlo = d.window.0.clamp(lo, hi);
    let mut whi = d.window.1.clamp(lo, hi);
    let span = (d.window.1 - d.window.0).abs().max(step * 10.0);
    if wlo >= whi {
        if wlo <= lo {
            whi = (wlo + span).min(hi);
        } else {
            wlo = (whi - span).max(lo);
        }
    }
    for (a, b) in [(wlo, whi), (lo, hi)] {
        if let Some(v) = draw_between(d, a, b, step, rng) {
            return Some(v);
        }
    }
    None
}

fn draw_between(d: &Draw, lo: f64, hi: f64, step: f64, rng: &mut ChaCha8Rng) -> Option<Value> {
    if step.is_nan() || step <= 0.0 {
        return None;
    }
    // k range in f64, kept within i64 so products stay exact in i128.
    let limit = 9.0e15;
    let kmin = (lo / step).ceil().max(-limit);
    let kmax = (hi / step).floor().min(limit);
    if kmin.is_nan() || kmax.is_nan() || kmin > kmax {
        return None;
    }
    let (kmin, kmax) = (kmin as i64, kmax as i64);
    // A few random picks, then a scan from the low end (narrow ranges, exclusive bounds).
    let mut tries: Vec<i64> = (0..8).map(|_| rng.random_range(kmin..=kmax)).collect();
    tries.extend(
        (0..8)
            .filter_map(|i| kmin.checked_add(i))
            .filter(|k| *k <= kmax),
    );
    tries.extend(
        (0..8)
            .filter_map(|i| kmax.checked_sub(i))
            .filter(|k| *k >= kmin),
    );
    for k in tries {
        if let Some(v) = multiple_value(k, d.step)
            && let Some(f) = v.as_f64()
            && within(f, d.min, d.max)
            && !(d.fractional && f.fract() == 0.0)
        {
            return Some(v);
        }
    }
    None
}

/// `k × step` as a JSON number: an integer when whole, else the exact decimal, provided the
/// decimal survives the trip through `f64`.
pub fn multiple_value(k: i64, step: Ratio) -> Option<Value> {
    let num = i128::from(k).checked_mul(step.num)?;
    if step.den == 1 {
        return Some(if let Ok(i) = i64::try_from(num) {
            Value::from(i)
        } else {
            Value::from(num as f64)
        });
    }
    // den is 2^a·5^b for decimal steps; scale to a power of ten.
    let mut scale = 0u32;
    let mut pow = 1i128;
    while pow % step.den != 0 {
        scale += 1;
        pow = pow.checked_mul(10)?;
        if scale > 30 {
            return None;
        }
    }
    let scaled = num.checked_mul(pow / step.den)?;
    let text = decimal_text(scaled, scale);
    let f: f64 = text.parse().ok()?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Value::from(f as i64));
    }
    // The double must print back as exactly this decimal.
    let (m, s) = decimal_parts(f)?;
    let (m2, s2) = normalise(scaled, scale);
    if (m, s) != (m2, s2) {
        return None;
    }
    Number::from_f64(f).map(Value::Number)
}

fn normalise(mut mantissa: i128, mut scale: u32) -> (i128, u32) {
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    (mantissa, scale)
}

fn decimal_text(mantissa: i128, scale: u32) -> String {
    let negative = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// The step all values must be multiples of: the lcm of the `multipleOf`s, and of 1 for
/// integers. `None` when the lcm cannot be represented (then values are checked instead).
pub fn step_for(multiples: &[f64], integer: bool, default: Ratio) -> Option<Ratio> {
    let mut step: Option<Ratio> = if integer { Some(Ratio::ONE) } else { None };
    for &m in multiples {
        let r = Ratio::of_f64(m)?;
        step = Some(match step {
            Some(s) => s.lcm(r)?,
            None => r,
        });
    }
    Some(step.unwrap_or(default))
}

impl<'s> crate::engine::Gen<'s> {
    /// A number (`integer` when `integer`; not integral when `fractional`) satisfying the
    /// merged numeric constraints: the preferred value, a schema example, a realistic draw
    /// for the property's kind, then a draw anywhere in the bounds.
    pub fn number(
        &mut self,
        m: &crate::merge::Merged<'s>,
        at: &crate::engine::At<'_>,
        integer: bool,
        fractional: bool,
    ) -> crate::error::GenResult<Value> {
        use crate::error::GenError;
        let (doc, pointer) = m.parts.first().map_or((0, ""), |n| (n.doc, &*n.pointer));
        let fits = |g: &Self, v: &Value| {
            g.scalar_ok(m, v)
                && v.as_f64().is_some_and(|f| {
                    (!integer || f.fract() == 0.0) && !(fractional && f.fract() == 0.0)
                })
        };
        if let Some(p) = at.preferred
            && p.is_number()
            && fits(self, p)
        {
            return Ok(p.clone());
        }
        let mut rng = at.seed.part("number").rng();
        let numeric_hints: Vec<&Value> =
            m.hints.iter().copied().filter(|h| h.is_number()).collect();
        if !numeric_hints.is_empty() && rng.random_bool(0.5) {
            let h = numeric_hints[rng.random_range(0..numeric_hints.len())];
            if fits(self, h) {
                return Ok(h.clone());
            }
        }
        // The step every value is a multiple of; when the multipleOfs have no representable
        // lcm, the first one is used and the others are checked.
        let fallback_step = m.multiple_of.first().and_then(|f| Ratio::of_f64(*f));
        let decimals_step =
            |places: u32| Ratio::new(1, 10i128.pow(places.min(12))).unwrap_or(Ratio::ONE);
        let base = if integer {
            Ratio::ONE
        } else {
            decimals_step(2)
        };
        let step = step_for(&m.multiple_of, integer, base)
            .or(fallback_step)
            .unwrap_or(base);
        let mut draws: Vec<Draw> = Vec::new();
        if let Some(kind) = at.kind()
            && let Some((lo, hi, places)) =
                crate::realistic::number_window(&kind, integer, &self.env)
        {
            let kind_step = if m.multiple_of.is_empty() && !integer {
                decimals_step(places)
            } else {
                step
            };
            draws.push(Draw {
                min: m.minimum,
                max: m.maximum,
                step: kind_step,
                window: (lo, hi),
                fractional,
            });
        }
        draws.push(Draw {
            min: m.minimum,
            max: m.maximum,
            step,
            window: (1.0, 1000.0),
            fractional,
        });
        // Narrow ranges may hold no multiple of 1/100: finer steps, then the exact midpoint.
        if m.multiple_of.is_empty() && !integer {
            draws.push(Draw {
                min: m.minimum,
                max: m.maximum,
                step: decimals_step(6),
                window: (1.0, 1000.0),
                fractional,
            });
            draws.push(Draw {
                min: m.minimum,
                max: m.maximum,
                step: decimals_step(12),
                window: (1.0, 1000.0),
                fractional,
            });
        }
        for d in &draws {
            for _ in 0..4 {
                if let Some(v) = draw(d, &mut rng)
                    && fits(self, &v)
                {
                    return Ok(v);
                }
            }
        }
        if !integer
            && m.multiple_of.is_empty()
            && let (Some(lo), Some(hi)) = (m.minimum, m.maximum)
            && let Some(mid) = Number::from_f64(lo.value / 2.0 + hi.value / 2.0).map(Value::Number)
            && fits(self, &mid)
        {
            return Ok(mid);
        }
        for h in numeric_hints {
            if fits(self, h) {
                return Ok(h.clone());
            }
        }
        let bound = |b: Option<Bound>| {
            b.map_or("none".to_owned(), |b| {
                format!(
                    "{}{}",
                    b.value,
                    if b.exclusive { " (exclusive)" } else { "" }
                )
            })
        };
        Err(GenError::unsat(
            doc,
            pointer,
            format!(
                "no {} between minimum {} and maximum {}{}",
                if integer { "integer" } else { "number" },
                bound(m.minimum),
                bound(m.maximum),
                if m.multiple_of.is_empty() {
                    String::new()
                } else {
                    format!(" that is a multiple of {:?}", m.multiple_of)
                }
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    #[test]
    fn ratios() {
        assert_eq!(Ratio::of_f64(0.01), Ratio::new(1, 100));
        assert_eq!(Ratio::of_f64(2.5), Ratio::new(5, 2));
        let lcm = Ratio::new(1, 10).unwrap().lcm(Ratio::new(1, 4).unwrap());
        assert_eq!(lcm, Ratio::new(1, 2));
        assert_eq!(step_for(&[0.5], true, Ratio::ONE), Some(Ratio::ONE));
        assert_eq!(step_for(&[1.5], true, Ratio::ONE), Ratio::new(3, 1));
    }

    #[test]
    fn multiples_are_exact_decimals() {
        let step = Ratio::of_f64(0.1).unwrap();
        for k in [1, 3, 7, 29, 123_456] {
            let v = multiple_value(k, step).unwrap();
            assert!(is_multiple(v.as_f64().unwrap(), 0.1), "{v}");
        }
        assert_eq!(multiple_value(3, step).unwrap().to_string(), "0.3");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(12345, 2), "123.45");
    }

    #[test]
    fn draws_respect_bounds() {
        let mut rng = Seed::new(1).rng();
        let d = Draw {
            min: Some(Bound {
                value: 0.0,
                exclusive: true,
            }),
            max: Some(Bound {
                value: 1.0,
                exclusive: true,
            }),
            step: Ratio::of_f64(0.25).unwrap(),
            window: (1.0, 1000.0),
            fractional: false,
        };
        for _ in 0..50 {
            let v = draw(&d, &mut rng).unwrap().as_f64().unwrap();
            assert!(v > 0.0 && v < 1.0 && is_multiple(v, 0.25), "{v}");
        }
        let none = Draw {
            min: Some(Bound {
                value: 0.1,
                exclusive: false,
            }),
            max: Some(Bound {
                value: 0.2,
                exclusive: false,
            }),
            step: Ratio::ONE,
            window: (1.0, 1000.0),
            fractional: false,
        };
        assert_eq!(draw(&none, &mut rng), None);
    }
}
