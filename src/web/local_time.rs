//! Dates and times as a person reads them: in their own time zone and in
//! their language's format ("3 Dec 2026, 14:05", "3 dec. 2026, 14:05"),
//! never as stored (UTC, ISO).
//!
//! Templates print instants with `{{ at | datetime }}` and calendar dates
//! with `{{ day | date }}`; the reader's zone and language are set for the
//! duration of one render (`Views::render`), so no template passes them on.

use std::{cell::Cell, collections::HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{views::message, Lang};

/// The zones a person can choose from: the Netherlands and its neighbours,
/// the Caribbean parts of the Kingdom and Suriname, and UTC. A chosen list,
/// not free text, so nobody types "Amsterdam" and gets an error.
pub const ZONES: [Tz; 16] = [
    Tz::Europe__Amsterdam,
    Tz::Europe__Brussels,
    Tz::Europe__Luxembourg,
    Tz::Europe__Berlin,
    Tz::Europe__Paris,
    Tz::Europe__London,
    Tz::Europe__Dublin,
    Tz::Europe__Lisbon,
    Tz::Europe__Madrid,
    Tz::Atlantic__Canary,
    Tz::Europe__Istanbul,
    Tz::Africa__Casablanca,
    Tz::America__Curacao,
    Tz::America__Kralendijk,
    Tz::America__Paramaribo,
    Tz::UTC,
];

/// A zone from the chosen list, by its IANA name.
pub fn chosen_zone(name: &str) -> Option<Tz> {
    ZONES.iter().copied().find(|zone| zone.name() == name)
}

/// The chosen zones for a `<select>`: `(name, label)`, the label being the
/// place as a person would say it ("Amsterdam", "Curacao").
pub fn zone_options() -> Vec<(&'static str, String)> {
    ZONES
        .iter()
        .map(|zone| {
            let name = zone.name();
            let place = name.rsplit('/').next().unwrap_or(name).replace('_', " ");
            (name, place)
        })
        .collect()
}

thread_local! {
    static READER: Cell<(Tz, Lang)> = const { Cell::new((Tz::Europe__Amsterdam, Lang::En)) };
}

/// Runs `render` with `zone` and `lang` as the reader's, for the filters.
pub fn for_reader<T>(zone: Tz, lang: Lang, render: impl FnOnce() -> T) -> T {
    let before = READER.with(|reader| reader.replace((zone, lang)));
    let result = render();
    READER.with(|reader| reader.set(before));
    result
}

/// "3 Dec 2026, 14:05" in `zone`.
pub fn instant(at: DateTime<Utc>, zone: Tz, lang: Lang) -> String {
    let local = at.with_timezone(&zone);
    format!("{}, {}", date(local.date_naive(), lang), local.format("%H:%M"))
}

/// "3 Dec 2026".
pub fn date(day: NaiveDate, lang: Lang) -> String {
    format!("{} {} {}", day.day(), month_short(day.month(), lang), day.year())
}

/// "Thu 3 Dec", for days close by (diaries, due dates).
pub fn weekday_date(day: NaiveDate, lang: Lang) -> String {
    let weekday = message(lang, &format!("weekday-short-{}", day.weekday().number_from_monday()));
    format!("{weekday} {} {}", day.day(), month_short(day.month(), lang))
}

/// "3 Dec", for chart axes.
pub fn short_date(day: NaiveDate, lang: Lang) -> String {
    format!("{} {}", day.day(), month_short(day.month(), lang))
}

/// "Dec 2026", for report months.
pub fn month(year: i32, month: u32, lang: Lang) -> String {
    format!("{} {year}", month_short(month, lang))
}

fn month_short(month: u32, lang: Lang) -> String {
    message(lang, &format!("month-{month}"))
}

type Args = HashMap<String, tera::Value>;

/// `{{ instant | datetime }}`; `style="date"` for the day only
/// (`style="short"` without the year, `style="time"` the time only),
/// `style="seconds"` where the exact second matters (the audit log).
pub fn datetime_filter(value: &tera::Value, args: &Args) -> tera::Result<tera::Value> {
    let Some(text) = value.as_str() else { return Ok(tera::Value::String(String::new())) };
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|e| tera::Error::msg(format!("datetime filter: {text:?} is not RFC 3339: {e}")))?
        .with_timezone(&Utc);
    let (zone, lang) = READER.with(Cell::get);
    let local = at.with_timezone(&zone);
    let text = match args.get("style").and_then(|s| s.as_str()) {
        Some("date") => date(local.date_naive(), lang),
        Some("short") => short_date(local.date_naive(), lang),
        Some("time") => local.format("%H:%M").to_string(),
        Some("seconds") => format!("{}, {}", date(local.date_naive(), lang), local.format("%H:%M:%S")),
        _ => instant(at, zone, lang),
    };
    Ok(tera::Value::String(text))
}

/// `{{ day | date }}` for a calendar date ("2026-12-03"), `style="weekday"`
/// for "Thu 3 Dec", `style="short"` for "3 Dec"; a report month
/// ("2026-11") reads "Nov 2026".
pub fn date_filter(value: &tera::Value, args: &Args) -> tera::Result<tera::Value> {
    let Some(text) = value.as_str() else { return Ok(tera::Value::String(String::new())) };
    let (_, lang) = READER.with(Cell::get);
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let shown = match args.get("style").and_then(|s| s.as_str()) {
            Some("weekday") => weekday_date(day, lang),
            Some("short") => short_date(day, lang),
            _ => date(day, lang),
        };
        return Ok(tera::Value::String(shown));
    }
    if let Ok(first) = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
        return Ok(tera::Value::String(month(first.year(), first.month(), lang)));
    }
    Err(tera::Error::msg(format!("date filter: {text:?} is not a date (YYYY-MM-DD) or month (YYYY-MM)")))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn an_instant_reads_in_the_readers_zone_and_language() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 13, 5, 0).unwrap();
        assert_eq!(instant(at, Tz::Europe__Amsterdam, Lang::En), "3 Dec 2026, 14:05");
        assert_eq!(instant(at, Tz::Europe__Amsterdam, Lang::Nl), "3 dec. 2026, 14:05");
        // Curaçao is four hours behind UTC all year.
        assert_eq!(instant(at, Tz::America__Curacao, Lang::En), "3 Dec 2026, 09:05");
        // Late evening in UTC is already the next day in Amsterdam.
        let late = Utc.with_ymd_and_hms(2026, 6, 30, 22, 30, 0).unwrap();
        assert_eq!(instant(late, Tz::Europe__Amsterdam, Lang::Nl), "1 jul. 2026, 00:30");
    }

    #[test]
    fn the_filters_use_the_reader_set_for_the_render() {
        let value = tera::Value::String("2026-12-03T13:05:00Z".into());
        let args = Args::new();
        let shown = for_reader(Tz::America__Paramaribo, Lang::Nl, || datetime_filter(&value, &args).unwrap());
        assert_eq!(shown, "3 dec. 2026, 10:05");
        let day = tera::Value::String("2026-12-03".into());
        let weekday = Args::from([("style".to_string(), tera::Value::String("weekday".into()))]);
        assert_eq!(for_reader(Tz::UTC, Lang::Nl, || date_filter(&day, &weekday).unwrap()), "do 3 dec.");
        assert_eq!(for_reader(Tz::UTC, Lang::En, || date_filter(&day, &args).unwrap()), "3 Dec 2026");
        let month = tera::Value::String("2026-11".into());
        assert_eq!(for_reader(Tz::UTC, Lang::En, || date_filter(&month, &args).unwrap()), "Nov 2026");
    }

    #[test]
    fn only_chosen_zones_are_accepted() {
        assert_eq!(chosen_zone("America/Curacao"), Some(Tz::America__Curacao));
        assert_eq!(chosen_zone("Amsterdam"), None);
        assert_eq!(chosen_zone("Asia/Pyongyang"), None);
        assert!(zone_options().iter().any(|(_, place)| place == "Amsterdam"));
    }
}
