//! The uptake report's figures, as the API, the page and the CSV show them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{
    figures::{Cell, Month},
    treatments::DigitalShare,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Uptake {
    /// When the daily rollups were last brought up to date (the worker does
    /// this every minute); later events are not in the figures yet.
    pub as_of: Option<DateTime<Utc>>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub team_id: Option<String>,
    pub reach: Reach,
    pub adoption: Adoption,
    pub engagement: Engagement,
    pub fidelity: Fidelity,
    pub outcomes: Outcomes,
    /// Clinic-wide reports only: the totals are the whole clinic's.
    pub digital_share: Option<DigitalShare>,
    /// Maintenance: the twelve calendar months up to the end of the period
    /// (and any earlier months of the period), for trends.
    pub months: Vec<Month>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reach {
    /// Patients referred for ICBT, as the manager entered them per month
    /// (clinic-wide reports only; null when none were entered).
    pub referred: Option<u64>,
    /// Invited after the intake.
    pub enrolled: Cell,
    /// Accepted the invitation and started.
    pub activated: Cell,
    pub by_program: Vec<ProgramReach>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProgramReach {
    pub program_id: String,
    pub enrolled: Cell,
    pub activated: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Adoption {
    pub therapists_total: u64,
    /// Trained therapists, as the manager last entered them up to the end
    /// of the period (clinic-wide reports only).
    pub trained_therapists: Option<u64>,
    pub therapists_with_active_patients: u64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub active_patients: Cell,
    /// Mean, over the weeks of the period, of the patients active that week.
    pub weekly_active_patients: Option<f64>,
    /// Weeks in which a patient was active, summed over patients.
    pub active_patient_weeks: Cell,
    pub diary_entries: Cell,
    pub diary_entries_per_patient_week: Option<f64>,
    pub submissions: Cell,
    pub module_funnel: Vec<FunnelStep>,
    pub dropped_out: Cell,
    /// When patients dropped out: by weeks since they started.
    pub drop_out_by_week: Vec<DropOutWhen>,
    /// And in which module they were.
    pub drop_out_by_module: Vec<DropOutWhen>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    pub module_id: String,
    pub program_id: String,
    pub title: String,
    pub started: Cell,
    pub completed: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DropOutWhen {
    /// The program of a module; empty for weeks into treatment.
    pub program_id: String,
    /// Weeks such as "0-2", or a module id.
    pub when: String,
    pub title: String,
    pub patients: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Fidelity {
    /// Feedback occasions that fell due (each patient's feedback day).
    pub feedback_due: Cell,
    pub feedback_given: Cell,
    /// Feedback given on or before its due day.
    pub feedback_on_time: Cell,
    /// On time against due, percent, one decimal.
    pub feedback_on_time_percent: Option<f64>,
    pub median_feedback_latency_hours: Option<f64>,
    pub blended_contacts: Cell,
    pub tailoring: Tailoring,
    /// Minutes per patient-week on records and composers, and contacts.
    pub therapist_time: super::therapist_time::TherapistTime,
}

/// How therapists fitted the program to their patients.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Tailoring {
    pub patients_tailored: Cell,
    pub modules_opened: Cell,
    pub modules_skipped: Cell,
    pub modules_locked: Cell,
    pub items_hidden: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub completed: Cell,
    pub stepped_up: Cell,
    /// End scores at or above the stepped-care threshold, and the decisions.
    pub stepped_care: super::stepped_care::SteppedCareFlags,
    /// Patients not on track in weeks 3–4, the support they got, and how
    /// they ended.
    pub not_on_track: super::not_on_track::NotOnTrackFlags,
    /// Baseline against end of treatment, per questionnaire.
    pub score_changes: Vec<super::outcomes::ScoreChange>,
}
