//! The server's notion of "now". Everything asks the `Clock` in the app state,
//! so demos (`clock.start`), the CLI (`--now`) and tests can move time.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Instant,
};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug)]
pub struct Clock {
    /// Where the clock started, and the monotonic instant it started at; `None`
    /// is the real wall clock.
    anchor: Option<(DateTime<Utc>, Instant)>,
    /// Milliseconds added by `advance`.
    shift_ms: AtomicI64,
}

impl Clock {
    pub fn system() -> Self {
        Clock { anchor: None, shift_ms: AtomicI64::new(0) }
    }

    /// A clock that reads `start` now and runs on in real time from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Clock { anchor: Some((start, Instant::now())), shift_ms: AtomicI64::new(0) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let base = match self.anchor {
            None => Utc::now(),
            Some((start, at)) => start + Duration::from_std(at.elapsed()).unwrap_or_default(),
        };
        base + Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        self.shift_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_the_given_instant_and_moves_on() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").unwrap().with_timezone(&Utc);
        let clock = Clock::starting_at(start);
        assert!(clock.now() >= start && clock.now() < start + Duration::seconds(5));
        clock.advance(Duration::days(2));
        assert!(clock.now() >= start + Duration::days(2));
    }
}
