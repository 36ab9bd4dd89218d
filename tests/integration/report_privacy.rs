//! No report figure can be worked out by subtraction. The attack: a reader
//! takes a table's published total and its published parts and subtracts;
//! or, with several parts hidden, tries every way the hidden ones could add
//! up (knowing a hidden cell is never zero, as zeros are shown). Each test
//! runs that attack by brute force over every table of a real report.

use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// The hidden parts whose value the published total and parts pin down to
/// one value, trying every assignment of 1..=total to the hidden parts (and,
/// with `open_rest`, of 0..=total to an unpublished remainder).
fn revealed(total: &Value, parts: &[Value], open_rest: bool) -> Vec<usize> {
    let Some(total) = total.as_u64() else { return Vec::new() };
    let hidden: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].is_null()).collect();
    if hidden.is_empty() {
        return Vec::new();
    }
    let rest = total as i64 - parts.iter().filter_map(Value::as_u64).sum::<u64>() as i64;
    let lowest: Vec<i64> = hidden.iter().map(|_| 1).chain(open_rest.then_some(0)).collect();
    let mut seen: Vec<std::collections::BTreeSet<i64>> = vec![Default::default(); hidden.len()];
    let mut values = lowest.clone();
    // Odometer over lowest..=total for every slot.
    loop {
        if values.iter().sum::<i64>() == rest {
            for (set, v) in seen.iter_mut().zip(&values) {
                set.insert(*v);
            }
        }
        let mut i = 0;
        while i < values.len() && values[i] >= total as i64 {
            values[i] = lowest[i];
            i += 1;
        }
        if i == values.len() {
            break;
        }
        values[i] += 1;
    }
    hidden.iter().zip(&seen).filter(|(_, set)| set.len() <= 1).map(|(i, _)| *i).collect()
}

#[test]
fn the_attack_finds_a_cell_hidden_alone() {
    // 9 enrolled, 6 in one program: the other is 3.
    assert_eq!(revealed(&9.into(), &[Value::Null, 6.into()], false), vec![0]);
    // Two hidden that sum to 2 are both 1.
    assert_eq!(revealed(&12.into(), &[Value::Null, Value::Null, 10.into()], false), vec![0, 1]);
    assert!(revealed(&9.into(), &[Value::Null, Value::Null], false).is_empty());
    assert!(revealed(&Value::Null, &[Value::Null, 6.into()], false).is_empty(), "no total to subtract from");
    // 5 of 6 reliably improved, the one who got worse hidden: it is 1.
    assert_eq!(revealed(&6.into(), &[5.into(), Value::Null], true), vec![1]);
    assert!(revealed(&12.into(), &[5.into(), Value::Null], true).is_empty());
}

/// Every table of `report` whose parts add up to one of its figures, by
/// name, and whether an unpublished remainder completes the parts.
fn tables(report: &Value) -> Vec<(String, Value, Vec<Value>, bool)> {
    let column = |list: &Value, field: &str| -> Vec<Value> {
        list.as_array().unwrap().iter().map(|row| row[field].clone()).collect()
    };
    let (reach, engagement) = (&report["reach"], &report["engagement"]);
    let sums = [
        ("enrolled by program", &reach["enrolled"], column(&reach["by_program"], "enrolled")),
        ("activated by program", &reach["activated"], column(&reach["by_program"], "activated")),
        (
            "dropped out by week",
            &engagement["dropped_out"],
            column(&engagement["drop_out_by_week"], "patients"),
        ),
        (
            "dropped out by module",
            &engagement["dropped_out"],
            column(&engagement["drop_out_by_module"], "patients"),
        ),
    ];
    let mut tables: Vec<(String, Value, Vec<Value>, bool)> = sums
        .into_iter()
        .map(|(name, total, parts)| (name.to_string(), total.clone(), parts, false))
        .collect();
    for change in report["outcomes"]["score_changes"].as_array().unwrap() {
        let parts = vec![change["reliably_improved"].clone(), change["reliably_deteriorated"].clone()];
        let name = format!("reliable change on {}", change["questionnaire_id"]);
        tables.push((name, change["patients"].clone(), parts, true));
    }
    let early = &report["outcomes"]["not_on_track"];
    let supported = vec![early["supported_within_7_days"].clone()];
    tables.push(("not on track, supported".into(), early["flagged"].clone(), supported, true));
    let flags = &report["outcomes"]["stepped_care"];
    let decisions = vec![flags["stepped_up"].clone(), flags["not_stepped_up"].clone(), flags["open"].clone()];
    tables.push(("stepped-care decisions".into(), flags["flagged"].clone(), decisions, false));
    // The months of a period that starts on the first add up to it.
    let from = report["from"].as_str().unwrap();
    if from.ends_with("-01") {
        let months: Vec<Value> = report["months"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["month"].as_str().unwrap() >= &from[..7])
            .cloned()
            .collect();
        let months = Value::Array(months);
        for (total, field) in [
            (&reach["enrolled"], "enrolled"),
            (&engagement["diary_entries"], "diary_entries"),
            (&report["fidelity"]["feedback_due"], "feedback_due"),
            (&report["fidelity"]["feedback_given"], "feedback_given"),
            (&report["fidelity"]["feedback_on_time"], "feedback_on_time"),
            (&report["outcomes"]["completed"], "completed"),
            (&engagement["dropped_out"], "dropped_out"),
        ] {
            tables.push((format!("{field} by month"), total.clone(), column(&months, field), false));
        }
    }
    tables
}

/// Runs the attack on every table of `report`.
pub fn assert_nothing_revealed(report: &Value) {
    for (name, total, parts, open_rest) in tables(report) {
        assert!(
            revealed(&total, &parts, open_rest).is_empty(),
            "{name}: {total} = {parts:?} gives a hidden cell away"
        );
    }
}

async fn drop_out(app: &TestApp, therapist: &reqwest::Client, patient_id: &str) {
    let record = format!("/patients/{patient_id}");
    let form = [("status", "dropped_out"), ("reason", "Stopped coming")];
    let dropped = app.submit_form(therapist, &record, &format!("{record}/status"), &form).await;
    assert_eq!(dropped.status(), StatusCode::SEE_OTHER);
}

db_test!(
    async fn no_hidden_figure_can_be_worked_out_by_subtraction(app: TestApp) {
        let north = app.clinic("North").await;
        let start = icbt::diaries::service::today(&app.state);
        // Three in chronic pain this month, six in chronic fatigue next month.
        let mut pain = Vec::new();
        for n in 1..=3 {
            pain.push(app.patient(&north.therapist.email, &format!("p{n}@north.test"), "chronic-pain").await);
        }
        let days_to_next_month = (start.with_day(1).unwrap() + chrono::Months::new(1) - start).num_days();
        app.state.clock.advance(Duration::days(days_to_next_month + 1));
        let mut fatigue = Vec::new();
        for n in 1..=6 {
            let email = format!("f{n}@north.test");
            fatigue.push(app.patient(&north.therapist.email, &email, "chronic-fatigue").await);
        }
        // Five drop out at once; one of the pain patients weeks later.
        let browser = app.browser_login(&north.therapist.email).await;
        for patient in &fatigue[..5] {
            drop_out(&app, &browser, &patient.id).await;
        }
        app.state.clock.advance(Duration::weeks(4));
        let browser = app.browser_login(&north.therapist.email).await;
        drop_out(&app, &browser, &pain[0].id).await;
        let tz = app.state.settings.care.timezone;
        icbt::usage::rollups::catch_up(&app.state.db, tz, app.state.clock.now()).await.unwrap();

        let manager = app.token(&north.manager.email).await;
        let to = icbt::diaries::service::today(&app.state);
        for from in [start.with_day(1).unwrap(), start - Duration::days(3)] {
            let path = format!("/api/v1/reports/uptake?from={from}&to={to}");
            let report: Value = app.api_get(&manager, &path).await.json().await.unwrap();
            assert_eq!(report["reach"]["enrolled"], 9, "the total is shown: {report}");
            let programs = &report["reach"]["by_program"];
            assert!(
                programs.as_array().unwrap().iter().all(|p| p["enrolled"].is_null()),
                "6 of 9 would give the pain cell away: {programs}"
            );
            assert_eq!(report["engagement"]["dropped_out"], 6);
            assert_nothing_revealed(&report);
            if from.day() == 1 {
                let month = |day: chrono::NaiveDate| {
                    let key = day.format("%Y-%m").to_string();
                    report["months"].as_array().unwrap().iter().find(|m| m["month"] == key).unwrap()
                        ["enrolled"]
                        .clone()
                };
                let next = start.with_day(1).unwrap() + chrono::Months::new(1);
                assert_eq!(
                    (month(start), month(next)),
                    (Value::Null, Value::Null),
                    "3 and 6 of 9: both hidden"
                );
            }
            let csv =
                app.api_get(&manager, &path.replace("uptake?", "uptake.csv?")).await.text().await.unwrap();
            assert!(csv.contains("reach,enrolled,chronic-pain,,suppressed\n"), "{csv}");
            assert!(csv.contains("reach,enrolled,chronic-fatigue,,suppressed\n"), "{csv}");
        }
    }
);
