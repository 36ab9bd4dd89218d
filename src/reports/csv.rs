//! The uptake report as CSV: one row per figure, `suppressed` where a cell
//! rests on too few patients, with the program a figure is about (empty for
//! figures over every program).

use super::{figures::Cell, model::Uptake};

/// `section,measure,program,breakdown,value`; a suppressed cell is written as
/// "suppressed" so a spreadsheet never reads it as zero.
pub fn csv(uptake: &Uptake) -> String {
    let mut csv = Csv(String::from("section,measure,program,breakdown,value\n"));
    csv.reach_and_adoption(uptake);
    csv.implementation(uptake);
    csv.engagement(uptake);
    csv.effectiveness(uptake);
    csv.months(uptake);
    csv.0
}

struct Csv(String);

fn cell(cell: Cell) -> Option<String> {
    cell.map(|v| v.to_string())
}

fn number(value: Option<f64>) -> Option<String> {
    value.map(|v| v.to_string())
}

impl Csv {
    fn row(&mut self, section: &str, measure: &str, breakdown: &str, value: Option<String>) {
        self.row_of("", section, measure, breakdown, value);
    }

    fn row_of(
        &mut self,
        program: &str,
        section: &str,
        measure: &str,
        breakdown: &str,
        value: Option<String>,
    ) {
        let value = value.unwrap_or_else(|| "suppressed".into());
        let breakdown = breakdown.replace([',', '"', '\n'], " ");
        self.0.push_str(&format!("{section},{measure},{program},{breakdown},{value}\n"));
    }

    fn reach_and_adoption(&mut self, uptake: &Uptake) {
        let (reach, adoption) = (&uptake.reach, &uptake.adoption);
        if let Some(referred) = reach.referred {
            self.row("reach", "referred", "", Some(referred.to_string()));
        }
        self.row("reach", "enrolled", "", cell(reach.enrolled));
        self.row("reach", "activated", "", cell(reach.activated));
        for program in &reach.by_program {
            self.row_of(&program.program_id, "reach", "enrolled", "", cell(program.enrolled));
            self.row_of(&program.program_id, "reach", "activated", "", cell(program.activated));
        }
        self.row("adoption", "therapists_total", "", Some(adoption.therapists_total.to_string()));
        if let Some(trained) = adoption.trained_therapists {
            self.row("adoption", "trained_therapists", "", Some(trained.to_string()));
        }
        let adopting = adoption.therapists_with_active_patients.to_string();
        self.row("adoption", "therapists_with_active_patients", "", Some(adopting));
    }

    fn implementation(&mut self, uptake: &Uptake) {
        let fidelity = &uptake.fidelity;
        self.row("implementation", "feedback_due", "", cell(fidelity.feedback_due));
        self.row("implementation", "feedback_given", "", cell(fidelity.feedback_given));
        self.row("implementation", "feedback_on_time", "", cell(fidelity.feedback_on_time));
        self.row("implementation", "feedback_on_time_percent", "", number(fidelity.feedback_on_time_percent));
        self.row(
            "implementation",
            "median_feedback_latency_hours",
            "",
            number(fidelity.median_feedback_latency_hours),
        );
        self.row("implementation", "blended_contacts", "", cell(fidelity.blended_contacts));
        let tailoring = &fidelity.tailoring;
        self.row("implementation", "patients_tailored", "", cell(tailoring.patients_tailored));
        self.row("implementation", "modules_opened", "", cell(tailoring.modules_opened));
        self.row("implementation", "modules_skipped", "", cell(tailoring.modules_skipped));
        self.row("implementation", "modules_locked", "", cell(tailoring.modules_locked));
        self.row("implementation", "items_hidden", "", cell(tailoring.items_hidden));
        let time = &fidelity.therapist_time;
        for (who, spread) in
            std::iter::once(("all", &time.all)).chain(time.by_therapist.iter().map(|(n, s)| (n.as_str(), s)))
        {
            self.row("implementation", "minutes_per_patient_week_patients", who, cell(spread.patients));
            self.row("implementation", "minutes_per_patient_week_median", who, number(spread.median));
            self.row(
                "implementation",
                "minutes_per_patient_week_lower_quartile",
                who,
                number(spread.lower_quartile),
            );
            self.row(
                "implementation",
                "minutes_per_patient_week_upper_quartile",
                who,
                number(spread.upper_quartile),
            );
        }
    }

    fn engagement(&mut self, uptake: &Uptake) {
        let engagement = &uptake.engagement;
        self.row("engagement", "active_patients", "", cell(engagement.active_patients));
        self.row("engagement", "weekly_active_patients", "", number(engagement.weekly_active_patients));
        self.row("engagement", "active_patient_weeks", "", cell(engagement.active_patient_weeks));
        self.row("engagement", "diary_entries", "", cell(engagement.diary_entries));
        self.row(
            "engagement",
            "diary_entries_per_patient_week",
            "",
            number(engagement.diary_entries_per_patient_week),
        );
        self.row("engagement", "submissions", "", cell(engagement.submissions));
        self.row("engagement", "dropped_out", "", cell(engagement.dropped_out));
        for step in &engagement.module_funnel {
            let (program, module) = (&step.program_id, &step.module_id);
            self.row_of(program, "engagement", "module_started", module, cell(step.started));
            self.row_of(program, "engagement", "module_completed", module, cell(step.completed));
        }
        for when in &engagement.drop_out_by_week {
            self.row("engagement", "dropped_out_in_weeks", &when.when, cell(when.patients));
        }
        for when in &engagement.drop_out_by_module {
            self.row_of(
                &when.program_id,
                "engagement",
                "dropped_out_in_module",
                &when.when,
                cell(when.patients),
            );
        }
    }

    fn effectiveness(&mut self, uptake: &Uptake) {
        self.row("effectiveness", "completed", "", cell(uptake.outcomes.completed));
        self.row("effectiveness", "stepped_up", "", cell(uptake.outcomes.stepped_up));
        let flags = &uptake.outcomes.stepped_care;
        self.row("effectiveness", "stepped_care_flagged", "", cell(flags.flagged));
        self.row("effectiveness", "stepped_care_stepped_up", "", cell(flags.stepped_up));
        self.row("effectiveness", "stepped_care_not_stepped_up", "", cell(flags.not_stepped_up));
        self.row("effectiveness", "stepped_care_open", "", cell(flags.open));
        let early = &uptake.outcomes.not_on_track;
        self.row("effectiveness", "not_on_track_flagged", "", cell(early.flagged));
        self.row(
            "effectiveness",
            "not_on_track_supported_within_7_days",
            "",
            cell(early.supported_within_7_days),
        );
        self.row("effectiveness", "not_on_track_end_mean", "flagged", number(early.end_mean_flagged));
        self.row("effectiveness", "not_on_track_end_mean", "others", number(early.end_mean_others));
        for change in &uptake.outcomes.score_changes {
            let id = change.questionnaire_id.as_str();
            self.row("effectiveness", "patients_with_baseline_and_end", id, cell(change.patients));
            self.row("effectiveness", "baseline_mean", id, number(change.baseline_mean));
            self.row("effectiveness", "end_mean", id, number(change.end_mean));
            if change.reliable_change.is_some() {
                self.row("effectiveness", "reliably_improved", id, cell(change.reliably_improved));
                self.row(
                    "effectiveness",
                    "reliably_improved_percent",
                    id,
                    number(change.reliably_improved_percent),
                );
                self.row("effectiveness", "reliably_deteriorated", id, cell(change.reliably_deteriorated));
            }
        }
        if let Some(share) = &uptake.digital_share {
            self.row("digital_share", "icbt_enrollments", "", cell(share.icbt_enrollments));
            self.row("digital_share", "total_treatments", "", Some(share.total_treatments.to_string()));
            self.row("digital_share", "share_percent", "", number(share.share_percent));
        }
    }

    fn months(&mut self, uptake: &Uptake) {
        for month in &uptake.months {
            let m = month.month.as_str();
            self.row("reach", "enrolled", m, cell(month.enrolled));
            self.row("maintenance", "active_patients", m, cell(month.active_patients));
            self.row("maintenance", "diary_entries", m, cell(month.diary_entries));
            self.row("maintenance", "feedback_due", m, cell(month.feedback_due));
            self.row("maintenance", "feedback_given", m, cell(month.feedback_given));
            self.row("maintenance", "feedback_on_time", m, cell(month.feedback_on_time));
            self.row("maintenance", "completed", m, cell(month.completed));
            self.row("maintenance", "dropped_out", m, cell(month.dropped_out));
        }
    }
}
