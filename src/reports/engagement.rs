//! Engagement figures that need more than a count: the module funnel and
//! when patients dropped out.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use super::{
    figures::{daily, month_start, number, shown, text, Scope, Sql},
    model::{DropOutWhen, FunnelStep},
    patients::clip,
};
use crate::{content::Catalogue, error::AppResult};

/// Per module: patients who worked on it, and who completed it, in the
/// period (from the module-months, clipped to the period's days).
pub(super) async fn funnel(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<Vec<FunnelStep>> {
    let (first, last) = (month_start(from), month_start(to));
    let month = |day: NaiveDate| day.format("%Y-%m").to_string();
    let mut sql = Sql::new("SELECT program_id, module_id");
    for column in ["started", "completed"] {
        sql.push(&format!(", COUNT(DISTINCT CASE WHEN ({column} & CASE WHEN month = "))
            .bind(month(first))
            .push(" THEN ")
            .bind(clip(first, from, to))
            .push(" ELSE -1 END & CASE WHEN month = ")
            .bind(month(last))
            .push(" THEN ")
            .bind(clip(last, from, to))
            .push(&format!(" ELSE -1 END) <> 0 THEN patient_pseudonym END) AS {column}"));
    }
    sql.push(" FROM usage_module_months WHERE ").scope("", scope);
    sql.push(" AND month >= ").bind(month(first)).push(" AND month <= ").bind(month(last));
    // Programs share module ids ("looking-ahead"), so a module is counted
    // within its program.
    sql.push(" GROUP BY program_id, module_id");
    let mut counts: HashMap<(String, String), (u64, u64)> = HashMap::new();
    for row in sql.all(db).await? {
        let key = (text(&row, "program_id")?, text(&row, "module_id")?);
        counts.insert(key, (number(&row, "started")?, number(&row, "completed")?));
    }
    let mut programs: Vec<_> = content.programs().collect();
    programs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(programs
        .into_iter()
        .flat_map(|p| p.modules.iter().map(move |m| (p, m)))
        .map(|(p, m)| {
            let (started, completed) = counts.get(&(p.id.clone(), m.id.clone())).copied().unwrap_or((0, 0));
            FunnelStep {
                module_id: m.id.clone(),
                program_id: p.id.clone(),
                title: m.title.clone(),
                started: shown(started, started, min),
                completed: shown(completed, completed, min),
            }
        })
        .collect())
}

/// Weeks since the start of treatment at which patients dropped out.
const DROP_OUT_WEEKS: [(i64, i64, &str); 5] =
    [(0, 2, "0-2"), (3, 5, "3-5"), (6, 8, "6-8"), (9, 12, "9-12"), (13, i64::MAX, "13+")];

/// Drop-outs by weeks into treatment and by module, each cell a count of
/// patients (a patient drops out once).
pub(super) async fn drop_outs(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<(Vec<DropOutWhen>, Vec<DropOutWhen>)> {
    let rest = " AND kind = 'status.dropped_out' GROUP BY value_key, program_id, module_id";
    let select = "value_key, program_id, module_id, SUM(events) AS events";
    let rows = daily(scope, select, period, rest).all(db).await?;
    let mut by_week = [0u64; DROP_OUT_WEEKS.len()];
    let mut by_module: HashMap<(String, String), u64> = HashMap::new();
    for row in &rows {
        let weeks: i64 = row.try_get::<i32>("", "value_key")?.into();
        let n = number(row, "events")?;
        if let Some(bucket) = DROP_OUT_WEEKS.iter().position(|(lo, hi, _)| (*lo..=*hi).contains(&weeks)) {
            by_week[bucket] += n;
        }
        *by_module.entry((text(row, "program_id")?, text(row, "module_id")?)).or_default() += n;
    }
    let weeks = DROP_OUT_WEEKS
        .iter()
        .zip(by_week)
        .map(|((_, _, label), n)| DropOutWhen {
            program_id: String::new(),
            when: label.to_string(),
            title: label.to_string(),
            patients: shown(n, n, min),
        })
        .collect();
    let mut modules: Vec<DropOutWhen> = by_module
        .into_iter()
        .map(|((program, module), n)| DropOutWhen {
            title: content
                .program(&program)
                .and_then(|p| p.modules.iter().find(|m| m.id == module))
                .map_or_else(|| module.clone(), |m| m.title.clone()),
            program_id: program,
            when: module,
            patients: shown(n, n, min),
        })
        .collect();
    modules.sort_by(|a, b| (&a.program_id, &a.when).cmp(&(&b.program_id, &b.when)));
    Ok((weeks, modules))
}
