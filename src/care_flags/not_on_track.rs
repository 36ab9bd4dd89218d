//! Not on track (after Forsell et al., 2019, who gave patients classified at
//! risk of failure in week 4 more therapist support, and cut their odds of
//! failure to about a third). Once a day, each patient in weeks
//! `from_week..=to_week` of treatment is classified by the program's rule in
//! `program.toml`: the last seven days of a diary scale (three entries at
//! least) against the patient's baseline score on the same scale. Still at
//! or above the rule's threshold, and not reliably better than baseline, is
//! not on track: a flag on the record and the caseload, until the therapist
//! records the extra support given.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::open::Detail;
use crate::{
    accounts::Role,
    content::{
        model::{AssessmentWhen, NotOnTrack},
        Program,
    },
    entities::{
        care_flags, diary_entries, enrollments, enums::EnrollmentStatus, enums::FlagKind,
        questionnaire_responses,
    },
    error::AppResult,
    ids,
    state::AppState,
    usage::{self, UsageEvent},
};

const STATE: &str = "not_on_track";
/// Diary entries in the last week needed to say anything.
const MIN_ENTRIES: usize = 3;

/// The rule applied to a baseline score and the last week's diary values.
pub fn not_on_track(rule: &NotOnTrack, baseline: i64, recent: &[f64]) -> Option<f64> {
    if recent.len() < MIN_ENTRIES {
        return None;
    }
    let mean = recent.iter().sum::<f64>() / recent.len() as f64;
    let still_high = mean >= rule.at_or_above as f64;
    let improved = baseline as f64 - mean >= rule.reliable_change as f64;
    (still_high && !improved).then_some((mean * 10.0).round() / 10.0)
}

/// The week of treatment `today` is in, counting the start as week 1.
pub fn week_of(activated: NaiveDate, today: NaiveDate) -> i64 {
    (today - activated).num_days().div_euclid(7) + 1
}

/// The day's classification, once a day; returns how many were flagged.
pub async fn classify_once_a_day(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let tz = state.settings.care.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let txn = state.db.begin().await?;
    if !crate::usage::rollups::due_today(&txn, STATE, today).await? {
        return Ok(0);
    }
    let active = enrollments::Entity::find()
        .filter(enrollments::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollments::Column::ActivatedAt.is_not_null())
        .all(&txn)
        .await?;
    let mut flagged = 0;
    for enrollment in &active {
        let Some(program) = state.content.program(&enrollment.program_id) else { continue };
        let Some(rule) = &program.not_on_track else { continue };
        let activated =
            enrollment.activated_at.unwrap_or(enrollment.enrolled_at).with_timezone(&tz).date_naive();
        let week = week_of(activated, today);
        if week < i64::from(rule.from_week) || week > i64::from(rule.to_week) {
            continue;
        }
        if classify(&txn, program, rule, enrollment, (week, today), now).await? {
            flagged += 1;
        }
    }
    crate::usage::rollups::save_state(&txn, STATE, today + Duration::days(1), now).await?;
    txn.commit().await?;
    Ok(flagged)
}

async fn classify(
    db: &impl ConnectionTrait,
    program: &Program,
    rule: &NotOnTrack,
    enrollment: &enrollments::Model,
    (week, today): (i64, NaiveDate),
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let already = care_flags::Entity::find()
        .filter(care_flags::Column::EnrollmentId.eq(&enrollment.id))
        .filter(care_flags::Column::Kind.eq(FlagKind::NotOnTrack))
        .one(db)
        .await?;
    let baselines: Vec<&str> = program
        .assessments
        .iter()
        .filter(|a| a.when == AssessmentWhen::Baseline)
        .map(|a| a.id.as_str())
        .collect();
    let baseline = questionnaire_responses::Entity::find()
        .filter(questionnaire_responses::Column::EnrollmentId.eq(&enrollment.id))
        .filter(questionnaire_responses::Column::QuestionnaireId.eq(&rule.baseline))
        .filter(questionnaire_responses::Column::AssessmentId.is_in(baselines))
        .one(db)
        .await?;
    let (None, Some(baseline)) = (already, baseline) else { return Ok(false) };
    let entries = diary_entries::Entity::find()
        .filter(diary_entries::Column::EnrollmentId.eq(&enrollment.id))
        .filter(diary_entries::Column::DiaryId.eq(&rule.diary))
        .filter(diary_entries::Column::EntryDate.gt(today - Duration::days(7)))
        .filter(diary_entries::Column::EntryDate.lte(today))
        .all(db)
        .await?;
    let recent: Vec<f64> = entries
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.entry_values).ok())
        .filter_map(|values| values.get(&rule.field).and_then(|v| v.as_f64()))
        .collect();
    let Some(mean) = not_on_track(rule, baseline.score.into(), &recent) else { return Ok(false) };
    let diary = program.modules.iter().flat_map(|m| &m.items).find(|i| i.id == rule.diary);
    let detail = Detail {
        week,
        baseline: baseline.score.into(),
        recent_mean: mean,
        entries: recent.len() as u32,
        diary: diary.map_or_else(|| rule.diary.clone(), |d| d.title.clone()),
        reliable_change: rule.reliable_change,
    };
    let flag = care_flags::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment.id.clone()),
        kind: Set(FlagKind::NotOnTrack),
        response_id: Set(Some(baseline.id.clone())),
        score: Set((mean * 10.0).round() as i32),
        threshold: Set(rule.at_or_above as i32),
        raised_at: Set(now),
        decision: Set(None),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        detail: Set(serde_json::to_string(&detail).ok()),
    };
    care_flags::Entity::insert(flag).exec(db).await?;
    let event = UsageEvent::new("flag.raised").item("not_on_track").value(mean);
    usage::record(db, enrollment, Role::Therapist, event, now).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> NotOnTrack {
        NotOnTrack {
            from_week: 3,
            to_week: 4,
            baseline: "pain-nrs".into(),
            diary: "pain-level-diary".into(),
            field: "pain".into(),
            at_or_above: 5,
            reliable_change: 2,
        }
    }

    #[test]
    fn still_high_and_not_reliably_better_is_not_on_track() {
        assert_eq!(not_on_track(&rule(), 7, &[6.0, 6.0, 5.0]), Some(5.7));
        assert_eq!(not_on_track(&rule(), 7, &[5.0, 5.0, 5.0]), None, "two points better is reliable");
        assert_eq!(not_on_track(&rule(), 8, &[4.0, 5.0, 4.0]), None, "below the threshold");
        assert_eq!(not_on_track(&rule(), 7, &[7.0, 7.0]), None, "two entries say too little");
    }

    #[test]
    fn the_first_day_is_week_one() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(week_of(start, start), 1);
        assert_eq!(week_of(start, start + Duration::days(13)), 2);
        assert_eq!(week_of(start, start + Duration::days(14)), 3);
    }
}
