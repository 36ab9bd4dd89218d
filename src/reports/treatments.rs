//! The clinic's total treatments per month, as its manager enters them, and
//! ICBT's share of them ("digital share" in the uptake report).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::figures::{Cell, Month};
use crate::{
    entities::treatment_totals,
    error::{AppError, AppResult, FieldErrors},
};

/// One month's total (`PUT /api/v1/reports/treatments`).
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TreatmentTotal {
    /// YYYY-MM
    pub month: String,
    /// Every treatment the clinic started that month, ICBT or not.
    pub total: i64,
    /// Patients referred for ICBT that month (reach), if known.
    #[serde(default)]
    pub referrals: Option<i64>,
    /// Therapists trained in ICBT by that month (adoption), if known.
    #[serde(default)]
    pub trained_therapists: Option<i64>,
}

/// What the manager entered for a period, beyond the totals.
pub struct Entered {
    /// The sum over the months with a figure; none when no month has one.
    pub referrals: Option<u64>,
    /// The last figure up to the end of the period.
    pub trained_therapists: Option<u64>,
}

/// ICBT enrollments against the clinic's total treatments, over the months
/// of the period for which the manager entered a total.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DigitalShare {
    pub months_with_totals: u64,
    pub icbt_enrollments: Cell,
    pub total_treatments: u64,
    /// Percent, one decimal; null when suppressed or without totals.
    pub share_percent: Option<f64>,
}

/// Saves (or corrects) one month's total; every problem named by field.
pub async fn save(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    manager_id: &str,
    given: &TreatmentTotal,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let month_ok = NaiveDate::parse_from_str(&format!("{}-01", given.month.trim()), "%Y-%m-%d").is_ok()
        && given.month.trim().len() == 7;
    if !month_ok {
        errors.entry("month".into()).or_default().push("Enter a month such as 2026-03.".into());
    }
    if !(0..=1_000_000).contains(&given.total) {
        errors
            .entry("total".into())
            .or_default()
            .push("Enter a number of treatments from 0 to 1,000,000.".into());
    }
    for (field, value) in [("referrals", given.referrals), ("trained_therapists", given.trained_therapists)] {
        if value.is_some_and(|v| !(0..=1_000_000).contains(&v)) {
            errors
                .entry(field.into())
                .or_default()
                .push("Enter a number from 0 to 1,000,000, or leave it empty.".into());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = treatment_totals::ActiveModel {
        clinic_id: Set(clinic_id.to_string()),
        month: Set(given.month.trim().to_string()),
        total: Set(given.total as i32),
        referrals: Set(given.referrals.map(|v| v as i32)),
        trained_therapists: Set(given.trained_therapists.map(|v| v as i32)),
        updated_by: Set(manager_id.to_string()),
        updated_at: Set(now),
    };
    let conflict = OnConflict::columns([treatment_totals::Column::ClinicId, treatment_totals::Column::Month])
        .update_columns([
            treatment_totals::Column::Total,
            treatment_totals::Column::Referrals,
            treatment_totals::Column::TrainedTherapists,
            treatment_totals::Column::UpdatedBy,
            treatment_totals::Column::UpdatedAt,
        ])
        .to_owned();
    treatment_totals::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}

/// The referrals and trained therapists entered for a period.
pub async fn entered(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<Entered> {
    let rows = treatment_totals::Entity::find()
        .filter(treatment_totals::Column::ClinicId.eq(clinic_id))
        .filter(treatment_totals::Column::Month.lte(to.format("%Y-%m").to_string()))
        .order_by_asc(treatment_totals::Column::Month)
        .all(db)
        .await?;
    let first = from.format("%Y-%m").to_string();
    let referrals: Vec<u64> = rows
        .iter()
        .filter(|r| r.month >= first)
        .filter_map(|r| r.referrals)
        .map(|n| n.max(0) as u64)
        .collect();
    Ok(Entered {
        referrals: (!referrals.is_empty()).then(|| referrals.iter().sum()),
        trained_therapists: rows.iter().rev().find_map(|r| r.trained_therapists).map(|n| n.max(0) as u64),
    })
}

/// The digital share over `months` (the report's monthly figures).
pub async fn digital_share(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    (from, to): (NaiveDate, NaiveDate),
    months: &[Month],
) -> AppResult<DigitalShare> {
    let totals = treatment_totals::Entity::find()
        .filter(treatment_totals::Column::ClinicId.eq(clinic_id))
        .filter(treatment_totals::Column::Month.gte(from.format("%Y-%m").to_string()))
        .filter(treatment_totals::Column::Month.lte(to.format("%Y-%m").to_string()))
        .all(db)
        .await?;
    let total: u64 = totals.iter().map(|t| t.total.max(0) as u64).sum();
    // A month of enrollments that is suppressed makes the sum suppressed.
    let enrolled: Option<u64> = totals
        .iter()
        .map(|t| months.iter().find(|m| m.month == t.month).map_or(Some(0), |m| m.enrolled))
        .sum();
    let share = enrolled.filter(|_| total > 0).map(|n| (n as f64 / total as f64 * 1000.0).round() / 10.0);
    Ok(DigitalShare {
        months_with_totals: totals.len() as u64,
        icbt_enrollments: enrolled,
        total_treatments: total,
        share_percent: share,
    })
}
