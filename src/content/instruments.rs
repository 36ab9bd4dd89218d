//! Loading the shared questionnaires and the therapists' booster tips.

use std::{collections::BTreeMap, path::Path};

use super::{
    loader::{valid_id, Loader, Source},
    model::{Band, Questionnaire, QuestionnaireItem, RiskRule, ScoredOption, Tip},
    raw,
};

pub(super) fn load_questionnaires(loader: &mut Loader) -> BTreeMap<String, Questionnaire> {
    let mut out = BTreeMap::new();
    let folder = Path::new("questionnaires");
    for name in loader.list(folder) {
        let Some(stem) = name.strip_suffix(".toml") else { continue };
        let Some(source) = loader.read(&folder.join(&name)) else { continue };
        let Some(file) = loader.parse::<raw::QuestionnaireFile>(&source) else { continue };
        if file.id.get_ref() != stem {
            let message = format!("the id {:?} must equal the file name {stem:?}", file.id.get_ref());
            loader.at(&source, file.id.span(), message);
        }
        if !valid_id(file.id.get_ref()) {
            loader.at(&source, file.id.span(), "not a valid id (a-z, 0-9 and -)");
        }
        if file.scoring.method.get_ref() != "sum" {
            loader.at(&source, file.scoring.method.span(), "scoring method must be \"sum\"");
        }
        if file.items.is_empty() || file.options.is_empty() {
            loader.error(&source.rel, 1, "a questionnaire needs items and options");
            continue;
        }
        check_scoring(loader, &source, &file);
        let questionnaire = questionnaire(file);
        out.insert(questionnaire.id.clone(), questionnaire);
    }
    out
}

/// Item ids, the scoring range, bands, reliable change and risk rules agree.
fn check_scoring(loader: &mut Loader, source: &Source, file: &raw::QuestionnaireFile) {
    let mut item_ids = std::collections::HashSet::new();
    for item in &file.items {
        if !item_ids.insert(item.id.get_ref().clone()) {
            loader.at(source, item.id.span(), format!("item id {:?} is used twice", item.id.get_ref()));
        }
    }
    // The declared range must be what the items can add up to.
    let lowest = file.options.iter().map(|o| o.value).min().unwrap_or(0);
    let highest = file.options.iter().map(|o| o.value).max().unwrap_or(0);
    let count = file.items.len() as i64;
    let (min, max) = (file.scoring.min, file.scoring.max);
    if (min, max) != (lowest * count, highest * count) {
        let message = format!(
            "scoring range {min}..{max} does not match {count} items scored {lowest}..{highest} ({}..{})",
            lowest * count,
            highest * count
        );
        loader.error(&source.rel, 1, message);
    }
    check_bands(loader, source, &file.bands, min, max);
    if let Some(change) = &file.scoring.reliable_change {
        if !(1..=max - min).contains(change.get_ref()) {
            let message = format!("reliable_change must be from 1 to {}", max - min);
            loader.at(source, change.span(), message);
        }
    }
    for rule in &file.risk {
        if !item_ids.contains(rule.item.get_ref()) {
            let message = format!("risk rule names unknown item {:?}", rule.item.get_ref());
            loader.at(source, rule.item.span(), message);
        }
    }
}

/// The checked file as the catalogue holds it.
fn questionnaire(file: raw::QuestionnaireFile) -> Questionnaire {
    Questionnaire {
        id: file.id.get_ref().clone(),
        title: file.title,
        short_title: file.short_title,
        instructions: file.instructions,
        source: file.source,
        options: file.options.into_iter().map(|o| ScoredOption { value: o.value, label: o.label }).collect(),
        items: file
            .items
            .into_iter()
            .map(|i| QuestionnaireItem { id: i.id.into_inner(), text: i.text })
            .collect(),
        min: file.scoring.min,
        max: file.scoring.max,
        reliable_change: file.scoring.reliable_change.map(|c| c.into_inner()),
        bands: file
            .bands
            .into_iter()
            .map(|b| Band { min: b.min.into_inner(), max: b.max, label: b.label, plain: b.plain })
            .collect(),
        risk: file
            .risk
            .into_iter()
            .map(|r| RiskRule { item: r.item.into_inner(), above: r.above, message: r.message })
            .collect(),
    }
}

/// Bands must cover `min..=max` in order, with no gap and no overlap.
fn check_bands(loader: &mut Loader, source: &Source, bands: &[raw::BandRaw], min: i64, max: i64) {
    let mut expected = min;
    for band in bands {
        let start = *band.min.get_ref();
        if start > expected {
            loader.at(
                source,
                band.min.span(),
                format!("band gap: scores {expected}..{} are in no band", start.saturating_sub(1)),
            );
        } else if start < expected {
            loader.at(
                source,
                band.min.span(),
                format!("band overlap: {start} is already in the band before"),
            );
        }
        if band.max < start {
            loader.at(source, band.min.span(), format!("band {start}..{} ends before it starts", band.max));
        }
        // Bounds come from the author's file, so they may be any i64.
        expected = band.max.saturating_add(1);
    }
    if bands.is_empty() {
        loader.error(&source.rel, 1, "a questionnaire needs [[bands]]");
    } else if expected != max.saturating_add(1) {
        let end = expected.saturating_sub(1);
        loader.error(&source.rel, 1, format!("the bands end at {end} but scores go up to {max}"));
    }
}

pub(super) fn load_tips(loader: &mut Loader) -> Vec<Tip> {
    let rel = Path::new("tips.toml");
    if !loader.exists(rel) {
        return Vec::new();
    }
    let Some(source) = loader.read(rel) else { return Vec::new() };
    let Some(file) = loader.parse::<raw::TipsFile>(&source) else { return Vec::new() };
    let mut seen = std::collections::HashSet::new();
    file.tips
        .into_iter()
        .filter_map(|tip| {
            if !seen.insert(tip.id.get_ref().clone()) {
                loader.at(&source, tip.id.span(), format!("tip id {:?} is used twice", tip.id.get_ref()));
                return None;
            }
            if tip.text.trim().is_empty() {
                loader.at(&source, tip.id.span(), "a tip needs text");
            }
            Some(Tip { id: tip.id.into_inner(), title: tip.title, text: tip.text })
        })
        .collect()
}
