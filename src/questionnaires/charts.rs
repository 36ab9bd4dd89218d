//! A patient's scores on one instrument over time, drawn over its severity
//! bands, so therapist and patient see at a glance where the scores sit.

use serde::Serialize;

use crate::{content::Questionnaire, entities::questionnaire_responses};

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 180.0;
const PAD: f64 = 28.0;
/// Room under the x axis for the dates and the axis title.
const PAD_BOTTOM: f64 = 44.0;

#[derive(Serialize)]
pub struct BandRect {
    pub label: String,
    pub y: f64,
    pub height: f64,
    /// 0 for the mildest band upwards, for shading.
    pub level: usize,
}

#[derive(Serialize)]
pub struct ScoreDot {
    pub x: f64,
    pub y: f64,
    pub score: i32,
    /// When it was answered (RFC 3339), printed as the reader's date.
    pub at: String,
    /// Whether the date goes under the axis: all when few, else first and last.
    pub labelled: bool,
}

#[derive(Serialize)]
pub struct ScoreChart {
    pub title: String,
    pub max: i64,
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub bands: Vec<BandRect>,
    pub line: String,
    pub dots: Vec<ScoreDot>,
}

/// One chart for `questionnaire` from `responses` (oldest first).
pub fn score_chart(
    questionnaire: &Questionnaire,
    responses: &[&questionnaire_responses::Model],
) -> ScoreChart {
    let span = (questionnaire.max - questionnaire.min).max(1) as f64;
    let y_of = |score: f64| {
        HEIGHT - PAD_BOTTOM - (score - questionnaire.min as f64) / span * (HEIGHT - PAD - PAD_BOTTOM)
    };
    let bands = questionnaire
        .bands
        .iter()
        .enumerate()
        .map(|(level, band)| {
            let top = y_of(band.max as f64 + 0.5_f64.min(span));
            let bottom = y_of(band.min as f64 - if band.min == questionnaire.min { 0.0 } else { 0.5 });
            BandRect {
                label: band.label.clone(),
                y: round(top.max(PAD)),
                height: round((bottom - top.max(PAD)).max(0.0)),
                level,
            }
        })
        .collect();
    let step = if responses.len() > 1 { (WIDTH - 2.0 * PAD) / (responses.len() - 1) as f64 } else { 0.0 };
    let dots: Vec<ScoreDot> = responses
        .iter()
        .enumerate()
        .map(|(n, r)| ScoreDot {
            x: round(
                PAD + step * n as f64 + if responses.len() == 1 { (WIDTH - 2.0 * PAD) / 2.0 } else { 0.0 },
            ),
            y: round(y_of(r.score.into())),
            score: r.score,
            at: r.submitted_at.to_rfc3339(),
            labelled: responses.len() <= 4 || n == 0 || n + 1 == responses.len(),
        })
        .collect();
    ScoreChart {
        title: questionnaire.title.clone(),
        max: questionnaire.max,
        width: WIDTH,
        height: HEIGHT,
        left: PAD,
        right: WIDTH - PAD,
        top: PAD,
        bottom: HEIGHT - PAD_BOTTOM,
        bands,
        line: dots.iter().map(|d| format!("{},{}", d.x, d.y)).collect::<Vec<_>>().join(" "),
        dots,
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
