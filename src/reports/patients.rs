//! Distinct-patient figures from `usage_patient_months`: one row per patient
//! and month, with a bit per day for each thing counted. A year of a clinic
//! is about one row per patient-month, so every distinct count over any
//! period (and the weekly figures) is computed here from a single read.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, Months, NaiveDate};
use sea_orm::ConnectionTrait;

use super::service::{Scope, Sql};
use crate::{error::AppResult, usage::rollups::PATIENT_FLAGS};

/// One rolled-up patient-month, clipped to the days that matter.
struct PatientMonth {
    month: NaiveDate,
    therapist: String,
    program: String,
    patient: String,
    days: Vec<i32>,
}

/// The patient-months of a scope from `first_month` to the month of `to`.
pub struct PatientMonths {
    rows: Vec<PatientMonth>,
}

/// The position of a flag (a column of `usage_patient_months`).
pub fn flag(name: &str) -> usize {
    PATIENT_FLAGS.iter().position(|(n, _)| *n == name).unwrap_or_else(|| panic!("unknown usage flag {name}"))
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The bits of the days of `month` that fall within `from..=to`.
pub fn clip(month: NaiveDate, from: NaiveDate, to: NaiveDate) -> i32 {
    let next = month + Months::new(1);
    let (first, last) = (from.max(month), to.min(next - Duration::days(1)));
    if first > last {
        return 0;
    }
    let upto = |d: u32| if d >= 31 { i32::MAX } else { (1i32 << d) - 1 };
    upto(last.day()) & !upto(first.day0())
}

impl PatientMonths {
    pub async fn load(
        db: &impl ConnectionTrait,
        scope: &Scope,
        first_month: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Self> {
        let columns: Vec<&str> = PATIENT_FLAGS.iter().map(|(c, _)| *c).collect();
        let mut sql = Sql::new(&format!(
            "SELECT month, therapist_id, program_id, patient_pseudonym, {} FROM usage_patient_months WHERE ",
            columns.join(", ")
        ));
        sql.scope("", scope);
        sql.push(" AND month >= ").bind(first_month.format("%Y-%m").to_string());
        sql.push(" AND month <= ").bind(to.format("%Y-%m").to_string());
        let found = sql.all(db).await?;
        let mut rows = Vec::with_capacity(found.len());
        for row in found {
            let month: String = row.try_get("", "month")?;
            let Ok(month) = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") else { continue };
            let keep = clip(month, first_month, to);
            let mut days = Vec::with_capacity(columns.len());
            for column in &columns {
                days.push(row.try_get::<i32>("", column)? & keep);
            }
            rows.push(PatientMonth {
                month,
                therapist: row.try_get("", "therapist_id")?,
                program: row.try_get("", "program_id")?,
                patient: row.try_get("", "patient_pseudonym")?,
                days,
            });
        }
        Ok(PatientMonths { rows })
    }

    /// Distinct patients with the flag within `from..=to`, per program.
    pub fn by_program(&self, flag: usize, from: NaiveDate, to: NaiveDate) -> HashMap<&str, u64> {
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for row in &self.rows {
            if row.days[flag] & clip(row.month, from, to) != 0 {
                seen.insert((row.program.as_str(), row.patient.as_str()));
            }
        }
        let mut out: HashMap<&str, u64> = HashMap::new();
        for (program, _) in seen {
            *out.entry(program).or_default() += 1;
        }
        out
    }

    /// Distinct patients with the flag within `from..=to`.
    pub fn patients(&self, flag: usize, from: NaiveDate, to: NaiveDate) -> u64 {
        self.rows
            .iter()
            .filter(|row| row.days[flag] & clip(row.month, from, to) != 0)
            .map(|row| row.patient.as_str())
            .collect::<HashSet<_>>()
            .len() as u64
    }

    /// Distinct therapists with a patient active within `from..=to`.
    pub fn therapists(&self, flag: usize, from: NaiveDate, to: NaiveDate) -> u64 {
        self.rows
            .iter()
            .filter(|row| !row.therapist.is_empty() && row.days[flag] & clip(row.month, from, to) != 0)
            .map(|row| row.therapist.as_str())
            .collect::<HashSet<_>>()
            .len() as u64
    }

    /// Per week (Monday to Sunday) that overlaps `from..=to`: how many
    /// patients had the flag on a day of that week within the period.
    pub fn weekly(&self, flag: usize, from: NaiveDate, to: NaiveDate) -> Vec<u64> {
        let monday = from - Duration::days(from.weekday().num_days_from_monday().into());
        let weeks = ((to - monday).num_days() / 7 + 1) as usize;
        let mut per_patient: HashMap<&str, Vec<u64>> = HashMap::new();
        for row in &self.rows {
            let mut bits = row.days[flag] & clip(row.month, from, to);
            if bits == 0 {
                continue;
            }
            let seen = per_patient.entry(row.patient.as_str()).or_insert_with(|| vec![0; weeks.div_ceil(64)]);
            while bits != 0 {
                let day = row.month + Duration::days(bits.trailing_zeros().into());
                let week = ((day - monday).num_days() / 7) as usize;
                seen[week / 64] |= 1 << (week % 64);
                bits &= bits - 1;
            }
        }
        let mut out = vec![0; weeks];
        for seen in per_patient.values() {
            for (week, count) in out.iter_mut().enumerate() {
                *count += (seen[week / 64] >> (week % 64)) & 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn clip_keeps_the_days_of_the_period() {
        let march = day("2026-03-01");
        assert_eq!(clip(march, day("2026-01-01"), day("2026-12-31")), i32::MAX);
        assert_eq!(clip(march, day("2026-03-02"), day("2026-03-03")), 0b110);
        assert_eq!(clip(march, day("2026-03-31"), day("2026-04-30")), 1 << 30);
        assert_eq!(clip(march, day("2026-04-01"), day("2026-04-30")), 0);
        let february = day("2026-02-01");
        assert_eq!(clip(february, day("2026-02-27"), day("2026-03-02")), 0b11 << 26);
    }
}
