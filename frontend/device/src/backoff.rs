//! How long to wait before the next sync attempt after failures. Pure, so the policy is
//! tested natively and the caller supplies the randomness (`Math.random()` in the browser).

use std::time::Duration;

/// The first retry waits about this long.
pub const BASE: Duration = Duration::from_secs(5);
/// No wait is ever longer: an officer who walks into signal should not wait more than 5 min.
pub const CAP: Duration = Duration::from_secs(300);

/// The delay after `failures` consecutive failures (0 means "no failure yet": retry at once).
///
/// Equal jitter: half of the exponential step is fixed, the other half random, so a phone
/// never hammers the server (at least half the step) yet many phones coming back into signal
/// at once do not retry in lockstep. `random_unit` is clamped into `[0, 1]`.
pub fn next_delay(failures: u32, random_unit: f64) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    // 5 s · 2^(failures-1), capped; the shift is bounded so it cannot overflow.
    let step = BASE.saturating_mul(1u32 << (failures - 1).min(16)).min(CAP);
    let r = if random_unit.is_finite() { random_unit.clamp(0.0, 1.0) } else { 0.5 };
    let half = step / 2;
    half + half.mul_f64(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_bounds() {
        // failures → (lowest delay, highest delay), in seconds.
        let table: &[(u32, f64, f64)] = &[
            (0, 0.0, 0.0),
            (1, 2.5, 5.0),
            (2, 5.0, 10.0),
            (3, 10.0, 20.0),
            (4, 20.0, 40.0),
            (5, 40.0, 80.0),
            (6, 80.0, 160.0),
            (7, 150.0, 300.0),
            (8, 150.0, 300.0),
            (30, 150.0, 300.0),
            (u32::MAX, 150.0, 300.0),
        ];
        for &(failures, low, high) in table {
            let lo = next_delay(failures, 0.0).as_secs_f64();
            let hi = next_delay(failures, 1.0).as_secs_f64();
            assert!((lo - low).abs() < 1e-9, "failures {failures}: low {lo} != {low}");
            assert!((hi - high).abs() < 1e-9, "failures {failures}: high {hi} != {high}");
            for r in [0.1, 0.5, 0.9] {
                let d = next_delay(failures, r).as_secs_f64();
                assert!(d >= low && d <= high, "failures {failures}, r {r}: {d} outside [{low}, {high}]");
            }
        }
    }

    #[test]
    fn never_exceeds_cap_and_grows() {
        let mut last = Duration::ZERO;
        for f in 0..100 {
            let d = next_delay(f, 1.0);
            assert!(d <= CAP);
            assert!(d >= last, "delay shrank at {f}");
            last = d;
        }
    }

    #[test]
    fn bad_random_input_is_clamped() {
        assert_eq!(next_delay(1, -3.0), Duration::from_millis(2500));
        assert_eq!(next_delay(1, 7.0), Duration::from_secs(5));
        assert_eq!(next_delay(1, f64::NAN), Duration::from_millis(3750));
    }
}
