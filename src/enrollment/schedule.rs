//! The feedback schedule: on the patient's feedback weekday, one or two weeks
//! after the last feedback (or after the start of treatment). Caseloads,
//! digests, messages and the usage job all ask it.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use crate::entities::{enrollments, enums::Cadence};

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Weekday name → 0 (Monday) .. 6 (Sunday).
pub fn weekday_number(name: &str) -> Option<i32> {
    WEEKDAYS.iter().position(|d| *d == name).map(|n| n as i32)
}

/// When this patient's next feedback is due: counted from the last feedback,
/// or from the start of treatment before the first. Feedback given early
/// meets its day, so the next one is counted from that day.
pub fn feedback_due_on(enrollment: &enrollments::Model, timezone: Tz) -> NaiveDate {
    let anchor = enrollment.last_feedback_at.or(enrollment.activated_at).unwrap_or(enrollment.enrolled_at);
    let anchor = anchor.with_timezone(&timezone).date_naive();
    let anchor = enrollment.feedback_on_time_for.map_or(anchor, |met| anchor.max(met));
    next_due(anchor, enrollment.feedback_cadence, enrollment.feedback_weekday)
}

/// The days between two feedback days.
pub fn period(cadence: Cadence) -> Duration {
    match cadence {
        Cadence::Weekly => Duration::days(7),
        Cadence::Fortnightly => Duration::days(14),
    }
}

/// Whether feedback given on `day` meets the feedback day `occasion`: on it,
/// or in the period before it (so two messages in one week do not meet next
/// week's day as well).
pub fn meets(day: NaiveDate, occasion: NaiveDate, cadence: Cadence) -> bool {
    day <= occasion && day > occasion - period(cadence)
}

/// The first feedback weekday at least a week (weekly) or a week and a day
/// (fortnightly) after `anchor`, so feedback given on the day is not due again
/// at once. `weekday` counts from Monday = 0.
pub fn next_due(anchor: NaiveDate, cadence: Cadence, weekday: i32) -> NaiveDate {
    let earliest = match cadence {
        Cadence::Weekly => anchor + Duration::days(1),
        Cadence::Fortnightly => anchor + Duration::days(8),
    };
    let ahead = (weekday - earliest.weekday().num_days_from_monday() as i32).rem_euclid(7);
    earliest + Duration::days(ahead.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekly_is_the_next_feedback_day() {
        // 2026-03-02 is a Monday; Thursday = 3.
        assert_eq!(next_due(day("2026-03-02"), Cadence::Weekly, 3), day("2026-03-05"));
        assert_eq!(
            next_due(day("2026-03-05"), Cadence::Weekly, 3),
            day("2026-03-12"),
            "not the same day again"
        );
        assert_eq!(next_due(day("2026-03-06"), Cadence::Weekly, 3), day("2026-03-12"));
    }

    #[test]
    fn fortnightly_skips_a_week() {
        assert_eq!(next_due(day("2026-03-05"), Cadence::Fortnightly, 3), day("2026-03-19"));
        assert_eq!(next_due(day("2026-03-02"), Cadence::Fortnightly, 3), day("2026-03-12"));
    }
}
