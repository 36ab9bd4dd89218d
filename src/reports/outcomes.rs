//! Effectiveness: baseline against end-of-treatment scores, per
//! questionnaire, for the patients whose end assessment falls in the period.
//! Only scores are read, and only their aggregates leave this module.

use std::collections::{BTreeMap, HashMap};

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

/// One questionnaire's change from baseline to the end of treatment.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreChange {
    pub questionnaire_id: String,
    pub title: String,
    /// The highest score the questionnaire gives (for charts).
    pub scale_max: i64,
    /// Patients with both a baseline and an end score.
    pub patients: Cell,
    /// Means, one decimal; null when suppressed.
    pub baseline_mean: Option<f64>,
    pub end_mean: Option<f64>,
    /// Points a score must fall to count as reliably improved; null when the
    /// questionnaire does not define one.
    pub reliable_change: Option<i64>,
    pub reliably_improved: Cell,
    /// Percent of `patients`, one decimal; null when either is suppressed.
    pub reliably_improved_percent: Option<f64>,
    pub reliably_deteriorated: Cell,
}

#[derive(Default)]
struct Pair {
    baseline: Option<i64>,
    end: Option<(i64, DateTime<Utc>)>,
}

/// Score changes for the scope, one per questionnaire that has pairs.
pub async fn score_changes(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    tz: Tz,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<Vec<ScoreChange>> {
    let moments: HashMap<&str, AssessmentWhen> = content
        .programs()
        .flat_map(|p| &p.assessments)
        .filter(|a| matches!(a.when, AssessmentWhen::Baseline | AssessmentWhen::End))
        .map(|a| (a.id.as_str(), a.when))
        .collect();
    let mut sql = Sql::new(
        "SELECT r.enrollment_id, r.questionnaire_id, r.assessment_id, r.score, r.submitted_at \
         FROM questionnaire_responses r JOIN enrollments e ON e.id = r.enrollment_id WHERE ",
    );
    sql.scope("e.", scope);
    let mut pairs: BTreeMap<(String, String), Pair> = BTreeMap::new();
    for row in sql.all(db).await? {
        let assessment: String = row.try_get("", "assessment_id")?;
        let Some(when) = moments.get(assessment.as_str()) else { continue };
        let questionnaire: String = row.try_get("", "questionnaire_id")?;
        let key = (questionnaire, row.try_get::<String>("", "enrollment_id")?);
        let score: i64 = row.try_get::<i32>("", "score")?.into();
        let pair = pairs.entry(key).or_default();
        match when {
            AssessmentWhen::Baseline => pair.baseline = Some(score),
            _ => pair.end = Some((score, row.try_get("", "submitted_at")?)),
        }
    }
    let (start, end) = (start_of(from, tz), start_of(to + Duration::days(1), tz));
    let mut per_questionnaire: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for ((questionnaire, _), pair) in pairs {
        if let (Some(baseline), Some((last, at))) = (pair.baseline, pair.end) {
            if at >= start && at < end {
                per_questionnaire.entry(questionnaire).or_default().push((baseline, last));
            }
        }
    }
    Ok(per_questionnaire.into_iter().map(|(id, scores)| change_for(content, id, &scores, min)).collect())
}

/// One questionnaire's change over its (baseline, end) score pairs.
fn change_for(content: &Catalogue, id: String, scores: &[(i64, i64)], min: u64) -> ScoreChange {
    let questionnaire = content.questionnaire(&id);
    let reliable_change = questionnaire.and_then(|q| q.reliable_change);
    let n = scores.len() as u64;
    let visible = shown(n, n, min).is_some();
    let mean = |pick: fn(&(i64, i64)) -> i64| {
        let sum: i64 = scores.iter().map(pick).sum();
        visible.then(|| (sum as f64 / n as f64 * 10.0).round() / 10.0)
    };
    let count = |improved: bool| {
        reliable_change.and_then(|rc| {
            let k = scores.iter().filter(|(b, e)| if improved { b - e >= rc } else { e - b >= rc }).count()
                as u64;
            shown(k, k, min).filter(|_| visible)
        })
    };
    let improved = count(true);
    ScoreChange {
        reliably_improved_percent: improved
            .filter(|_| visible)
            .map(|k| (k as f64 / n as f64 * 1000.0).round() / 10.0),
        scale_max: questionnaire.map_or(1, |q| q.max.max(1)),
        title: questionnaire.map_or_else(|| id.clone(), |q| q.title.clone()),
        questionnaire_id: id,
        patients: shown(n, n, min),
        baseline_mean: mean(|s| s.0),
        end_mean: mean(|s| s.1),
        reliable_change,
        reliably_improved: improved,
        reliably_deteriorated: count(false),
    }
}
