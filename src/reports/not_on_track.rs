//! The not-on-track flags of the period: how many were raised, how many got
//! extra support within a week, and the end scores of flagged patients beside
//! those of the rest, so a clinic sees whether acting early pays off.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::figures::{shown, Cell, Scope, Sql};
use crate::{
    content::{model::AssessmentWhen, Catalogue},
    error::AppResult,
    usage::rollups::start_of,
};

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct NotOnTrackFlags {
    /// Patients classified not on track in the period.
    pub flagged: Cell,
    /// Of them, those given extra support within 7 days of the flag.
    pub supported_within_7_days: Cell,
    /// Mean end score on the rule's questionnaire, one decimal, of patients
    /// whose end score falls in the period and who were flagged…
    pub end_mean_flagged: Option<f64>,
    /// …and of those who never were.
    pub end_mean_others: Option<f64>,
}

pub(super) async fn flags(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    tz: Tz,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<NotOnTrackFlags> {
    let (start, end) = (start_of(from, tz), start_of(to + Duration::days(1), tz));
    let mut sql = Sql::new(
        "SELECT f.enrollment_id, f.raised_at, f.decided_at FROM care_flags f \
         JOIN enrollments e ON e.id = f.enrollment_id WHERE f.kind = 'not_on_track' AND ",
    );
    sql.scope("e.", scope);
    let (mut flagged, mut supported) = (0u64, 0u64);
    let mut ever: HashSet<String> = HashSet::new();
    for row in sql.all(db).await? {
        let raised: DateTime<Utc> = row.try_get("", "raised_at")?;
        let decided: Option<DateTime<Utc>> = row.try_get("", "decided_at")?;
        ever.insert(row.try_get("", "enrollment_id")?);
        if raised >= start && raised < end {
            flagged += 1;
            supported += u64::from(decided.is_some_and(|d| d - raised <= Duration::days(7)));
        }
    }
    let (flagged_ends, other_ends) = end_scores(db, content, scope, &ever, (start, end)).await?;
    let mean = |scores: &[i64]| {
        let n = scores.len() as u64;
        (n > 0 && n >= min).then(|| (scores.iter().sum::<i64>() as f64 / n as f64 * 10.0).round() / 10.0)
    };
    Ok(NotOnTrackFlags {
        flagged: shown(flagged, flagged, min),
        supported_within_7_days: shown(supported, supported, min),
        end_mean_flagged: mean(&flagged_ends),
        end_mean_others: mean(&other_ends),
    })
}

/// End scores in the period on each program's not-on-track questionnaire,
/// of the ever-flagged patients and of the rest.
async fn end_scores(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    ever: &HashSet<String>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<(Vec<i64>, Vec<i64>)> {
    let mut sql = Sql::new(
        "SELECT e.id, e.program_id, r.questionnaire_id, r.assessment_id, r.score, r.submitted_at \
         FROM questionnaire_responses r JOIN enrollments e ON e.id = r.enrollment_id WHERE ",
    );
    sql.scope("e.", scope);
    let (mut flagged, mut others) = (Vec::new(), Vec::new());
    for row in sql.all(db).await? {
        let at: DateTime<Utc> = row.try_get("", "submitted_at")?;
        let program_id: String = row.try_get("", "program_id")?;
        let Some(program) = content.program(&program_id) else { continue };
        let Some(rule) = &program.not_on_track else { continue };
        let (questionnaire, assessment): (String, String) =
            (row.try_get("", "questionnaire_id")?, row.try_get("", "assessment_id")?);
        let at_end = program.assessments.iter().any(|a| a.id == assessment && a.when == AssessmentWhen::End);
        if !at_end || questionnaire != rule.baseline || at < start || at >= end {
            continue;
        }
        let score: i64 = row.try_get::<i32>("", "score")?.into();
        let id: String = row.try_get("", "id")?;
        if ever.contains(&id) {
            flagged.push(score)
        } else {
            others.push(score)
        }
    }
    Ok((flagged, others))
}
