//! When a digest window closes: the instant the digest for activity happening
//! now goes out, from the therapist's cadence, local time and time zone.
//! Local times are resolved in the therapist's zone, so a daily digest stays
//! at 08:00 across daylight-saving changes, never skipped or sent twice.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::settings::DigestSettings;
use crate::entities::states::DigestCadence;

/// The end of the window that activity at `now` falls into. `feedback_due` is
/// the patient's next feedback day, for the feedback-day cadence.
pub fn window_end(settings: &DigestSettings, feedback_due: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let time = NaiveTime::parse_from_str(&settings.local_time, "%H:%M").unwrap_or(NaiveTime::MIN);
    let next_daily = next_at(tz, time, now, |_| true);
    match settings.cadence() {
        DigestCadence::Weekly => {
            let weekday = settings
                .weekday
                .as_deref()
                .and_then(crate::enrollment::schedule::weekday_number)
                .unwrap_or(0);
            next_at(tz, time, now, |day| day.weekday().num_days_from_monday() as i32 == weekday)
        }
        DigestCadence::FeedbackDay => {
            Some(local_instant(tz, feedback_due, time)).filter(|at| *at > now).unwrap_or(next_daily)
        }
        DigestCadence::Daily | DigestCadence::InApp => next_daily,
    }
}

/// The first `time` strictly after `now` on a local day that `fits`.
fn next_at(tz: Tz, time: NaiveTime, now: DateTime<Utc>, fits: impl Fn(NaiveDate) -> bool) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    (0..=7)
        .map(|ahead| today + Duration::days(ahead))
        .filter(|day| fits(*day))
        .map(|day| local_instant(tz, day, time))
        .find(|at| *at > now)
        .unwrap_or_else(|| local_instant(tz, today + Duration::days(8), time))
}

/// `time` on `day` in `tz`. In the autumn hour that happens twice the first
/// one counts; a time the spring change skips becomes the first valid minute
/// after it.
fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let wanted = day.and_time(time);
    (0..=180)
        .find_map(|minutes| tz.from_local_datetime(&(wanted + Duration::minutes(minutes))).earliest())
        .map_or_else(|| wanted.and_utc(), |at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn settings(cadence: &str, time: &str, weekday: Option<&str>) -> DigestSettings {
        DigestSettings {
            cadence: cadence.into(),
            local_time: time.into(),
            weekday: weekday.map(str::to_string),
            timezone: "Europe/Amsterdam".into(),
            layout: "per_patient".into(),
        }
    }

    fn far() -> NaiveDate {
        NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()
    }

    #[test]
    fn daily_is_the_next_local_time() {
        let daily = settings("daily", "08:00", None);
        // 07:00 UTC is 08:00 in Amsterdam in winter: already passed at 07:30.
        assert_eq!(window_end(&daily, far(), at("2026-01-15T06:59:00Z")), at("2026-01-15T07:00:00Z"));
        assert_eq!(window_end(&daily, far(), at("2026-01-15T07:30:00Z")), at("2026-01-16T07:00:00Z"));
    }

    #[test]
    fn daily_stays_at_eight_across_daylight_saving_changes() {
        let daily = settings("daily", "08:00", None);
        // Spring forward on 2026-03-29: 08:00 is 07:00 UTC before, 06:00 UTC after.
        assert_eq!(window_end(&daily, far(), at("2026-03-28T12:00:00Z")), at("2026-03-29T06:00:00Z"));
        assert_eq!(window_end(&daily, far(), at("2026-03-29T06:00:00Z")), at("2026-03-30T06:00:00Z"));
        // Fall back on 2026-10-25: 08:00 is 06:00 UTC before, 07:00 UTC after.
        assert_eq!(window_end(&daily, far(), at("2026-10-24T12:00:00Z")), at("2026-10-25T07:00:00Z"));
        assert_eq!(window_end(&daily, far(), at("2026-10-25T07:00:00Z")), at("2026-10-26T07:00:00Z"));
    }

    #[test]
    fn a_skipped_or_doubled_local_time_gives_one_window() {
        let night = settings("daily", "02:30", None);
        // 02:30 does not exist on 2026-03-29; the digest goes at 03:00 local.
        assert_eq!(window_end(&night, far(), at("2026-03-28T12:00:00Z")), at("2026-03-29T01:00:00Z"));
        // 02:30 happens twice on 2026-10-25; only the first counts.
        assert_eq!(window_end(&night, far(), at("2026-10-24T12:00:00Z")), at("2026-10-25T00:30:00Z"));
        assert_eq!(window_end(&night, far(), at("2026-10-25T00:31:00Z")), at("2026-10-26T01:30:00Z"));
    }

    #[test]
    fn weekly_and_feedback_day() {
        let weekly = settings("weekly", "09:00", Some("fri"));
        // 2026-01-15 is a Thursday.
        assert_eq!(window_end(&weekly, far(), at("2026-01-15T10:00:00Z")), at("2026-01-16T08:00:00Z"));
        assert_eq!(window_end(&weekly, far(), at("2026-01-16T08:00:00Z")), at("2026-01-23T08:00:00Z"));
        let feedback_day = settings("feedback_day", "08:00", None);
        let due = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        assert_eq!(window_end(&feedback_day, due, at("2026-01-15T10:00:00Z")), at("2026-01-20T07:00:00Z"));
        // Overdue feedback: the digest comes the next morning rather than never.
        assert_eq!(window_end(&feedback_day, due, at("2026-01-21T10:00:00Z")), at("2026-01-22T07:00:00Z"));
    }
}
