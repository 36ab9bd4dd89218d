//! Complementary suppression. Hiding a small cell alone does not hide it:
//! with 9 patients enrolled and 6 of them in chronic fatigue, the hidden
//! chronic-pain cell is 9 − 6 = 3. The attack this resists is that
//! subtraction: for every table whose parts add up to a published total,
//! enough further parts are hidden (or, failing that, the total) that the
//! hidden parts sum to at least the threshold and no one of them is pinned
//! to a single value, even by a reader who knows zeros are never hidden.

use super::{
    figures::{Cell, Month},
    model::{DropOutWhen, Uptake},
};

/// Hides further `parts` of a table that adds up to `total` until the
/// hidden ones cannot be told apart by subtraction: what the total leaves
/// for them is at least `min` and more than their number, so each could be
/// one of several values, and there are at least two of them. The smallest
/// non-zero part goes first, as it costs the reader least; with none left,
/// the total is hidden.
pub fn protect_sum(total: &mut Cell, parts: &mut [&mut Cell], min: u64) {
    protect(total, parts, false, min);
}

/// As `protect_sum`, for parts that fall short of the total by a remainder
/// that is not published and may be zero (patients who reliably improved,
/// who got worse, and — unpublished — the rest). The remainder counts as a
/// hidden part that needs no company.
pub fn protect_parts(total: &mut Cell, parts: &mut [&mut Cell], min: u64) {
    protect(total, parts, true, min);
}

fn protect(total: &mut Cell, parts: &mut [&mut Cell], open_rest: bool, min: u64) {
    if min <= 1 {
        return;
    }
    while let Some(whole) = *total {
        let hidden = parts.iter().filter(|p| p.is_none()).count() as u64;
        if hidden == 0 {
            return;
        }
        let shown: u64 = parts.iter().filter_map(|p| **p).sum();
        let rest = whole.saturating_sub(shown);
        if (hidden >= 2 || open_rest) && rest >= min.max(hidden + 1) {
            return;
        }
        let next = parts.iter_mut().filter(|p| p.is_some_and(|v| v > 0)).min_by_key(|p| p.unwrap_or(0));
        match next {
            Some(part) => **part = None,
            None => *total = None,
        }
    }
}

/// Every table of the report whose parts add up to one of its figures. The
/// digital share is worked out afterwards, from the months as published.
/// `tiled_from` is the index of the first month of the period when the
/// period starts on a month's first day: then those months add up to the
/// period's figures.
pub fn protect_report(report: &mut Uptake, tiled_from: Option<usize>, min: u64) {
    let reach = &mut report.reach;
    let mut parts: Vec<&mut Cell> = reach.by_program.iter_mut().map(|p| &mut p.enrolled).collect();
    protect_sum(&mut reach.enrolled, &mut parts, min);
    let mut parts: Vec<&mut Cell> = reach.by_program.iter_mut().map(|p| &mut p.activated).collect();
    protect_sum(&mut reach.activated, &mut parts, min);

    let engagement = &mut report.engagement;
    for table in [&mut engagement.drop_out_by_week, &mut engagement.drop_out_by_module] {
        let mut parts: Vec<&mut Cell> = table.iter_mut().map(|w: &mut DropOutWhen| &mut w.patients).collect();
        protect_sum(&mut engagement.dropped_out, &mut parts, min);
    }

    let flags = &mut report.outcomes.stepped_care;
    let mut parts = [&mut flags.stepped_up, &mut flags.not_stepped_up, &mut flags.open];
    protect_sum(&mut flags.flagged, &mut parts, min);

    let early = &mut report.outcomes.not_on_track;
    protect_parts(&mut early.flagged, &mut [&mut early.supported_within_7_days], min);

    for change in report.outcomes.score_changes.iter_mut().filter(|c| c.reliable_change.is_some()) {
        let mut parts = [&mut change.reliably_improved, &mut change.reliably_deteriorated];
        protect_parts(&mut change.patients, &mut parts, min);
    }

    if let Some(first) = tiled_from {
        protect_months(report, first, min);
    }
    derived_follow(report);
}

/// One column of the month table.
type MonthColumn = fn(&mut Month) -> &mut Cell;

/// The months of the period against the period's own figures.
fn protect_months(report: &mut Uptake, first: usize, min: u64) {
    let months = &mut report.months[first..];
    let columns: [(&mut Cell, MonthColumn); 7] = [
        (&mut report.reach.enrolled, |m| &mut m.enrolled),
        (&mut report.engagement.diary_entries, |m| &mut m.diary_entries),
        (&mut report.fidelity.feedback_due, |m| &mut m.feedback_due),
        (&mut report.fidelity.feedback_given, |m| &mut m.feedback_given),
        (&mut report.fidelity.feedback_on_time, |m| &mut m.feedback_on_time),
        (&mut report.outcomes.completed, |m| &mut m.completed),
        (&mut report.engagement.dropped_out, |m| &mut m.dropped_out),
    ];
    for (total, column) in columns {
        let mut parts: Vec<&mut Cell> = months.iter_mut().map(column).collect();
        protect_sum(total, &mut parts, min);
    }
}

/// A figure computed from a hidden one would give it back (a rate times
/// its published denominator), so it is hidden too.
fn derived_follow(report: &mut Uptake) {
    let engagement = &mut report.engagement;
    if engagement.diary_entries.is_none() {
        engagement.diary_entries_per_patient_week = None;
    }
    if engagement.active_patients.is_none() {
        engagement.weekly_active_patients = None;
        engagement.active_patient_weeks = None;
    }
    let fidelity = &mut report.fidelity;
    if fidelity.feedback_on_time.is_none() || fidelity.feedback_due.is_none() {
        fidelity.feedback_on_time_percent = None;
    }
    for change in &mut report.outcomes.score_changes {
        if change.reliably_improved.is_none() || change.patients.is_none() {
            change.reliably_improved_percent = None;
        }
        if change.patients.is_none() {
            (change.baseline_mean, change.end_mean) = (None, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(total: u64, parts: &[u64]) -> (Cell, Vec<Cell>) {
        let mut total = Some(total);
        let mut cells: Vec<Cell> = parts.iter().map(|&v| (v == 0 || v >= 5).then_some(v)).collect();
        let mut refs: Vec<&mut Cell> = cells.iter_mut().collect();
        protect_sum(&mut total, &mut refs, 5);
        (total, cells)
    }

    #[test]
    fn the_one_small_cell_takes_the_next_smallest_with_it() {
        assert_eq!(protected(9, &[3, 6]), (Some(9), vec![None, None]));
        assert_eq!(protected(20, &[3, 6, 11]), (Some(20), vec![None, None, Some(11)]));
    }

    #[test]
    fn two_small_cells_that_sum_small_take_another() {
        // 1 + 1 = 2 would say both are 1.
        assert_eq!(protected(12, &[1, 1, 10]), (Some(12), vec![None, None, None]));
        assert_eq!(protected(19, &[1, 1, 7, 10]), (Some(19), vec![None, None, None, Some(10)]));
    }

    #[test]
    fn zeros_are_not_hidden_so_the_total_goes() {
        assert_eq!(protected(3, &[3, 0, 0]), (None, vec![None, Some(0), Some(0)]));
    }

    #[test]
    fn an_unpublished_rest_may_be_zero() {
        let (mut total, mut cells) = (Some(6), vec![Some(5), None]);
        let mut refs: Vec<&mut Cell> = cells.iter_mut().collect();
        protect_parts(&mut total, &mut refs, 5);
        assert_eq!((total, cells), (Some(6), vec![None, None]), "5 of 6 improved: the other one is 1");
        let (mut total, mut cells) = (Some(12), vec![Some(5), None]);
        let mut refs: Vec<&mut Cell> = cells.iter_mut().collect();
        protect_parts(&mut total, &mut refs, 5);
        assert_eq!((total, cells), (Some(12), vec![Some(5), None]), "1 to 7 got worse");
    }

    #[test]
    fn nothing_small_hides_nothing() {
        assert_eq!(protected(11, &[5, 6, 0]), (Some(11), vec![Some(5), Some(6), Some(0)]));
    }
}
