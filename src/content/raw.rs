//! The files as written: serde shapes of the TOML, with spans where a
//! problem must be reported at its line. Unknown keys are refused, so a typo
//! is an error instead of a silently ignored setting.

use serde::Deserialize;
use toml::Spanned;

pub type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramFile {
    pub id: Text,
    pub title: String,
    pub summary: String,
    pub modules: Vec<Text>,
    #[serde(default)]
    pub diaries: Vec<DiaryRef>,
    #[serde(default)]
    pub assessments: Vec<AssessmentRaw>,
    pub stepped_care: Option<SteppedCareRaw>,
    pub not_on_track: Option<NotOnTrackRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiaryRef {
    pub id: Text,
    pub opens_with: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRaw {
    pub id: Text,
    pub when: Text,
    pub module: Option<Text>,
    pub weeks: Option<u32>,
    pub instruments: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SteppedCareRaw {
    pub instrument: Text,
    pub at_or_above: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotOnTrackRaw {
    pub from_week: Spanned<u32>,
    pub to_week: u32,
    pub baseline: Text,
    pub diary: Text,
    pub field: Text,
    pub at_or_above: i64,
    pub reliable_change: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleFile {
    pub id: Text,
    pub title: String,
    pub summary: String,
    pub items: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub minutes: u32,
    pub audio: Option<Text>,
    pub video: Option<Text>,
    pub audio_transcript: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormFile {
    pub kind: Text,
    pub title: String,
    pub minutes: u32,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub chart: Vec<Text>,
    pub fields: Vec<FieldRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRaw {
    pub id: Text,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: Text,
    #[serde(default)]
    pub required: bool,
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
    pub step: Option<f64>,
    pub min_label: Option<String>,
    pub max_label: Option<String>,
    pub unit: Option<String>,
    pub max_length: Option<usize>,
    #[serde(default)]
    pub options: Vec<OptionRaw>,
    #[serde(default)]
    pub columns: Vec<FieldRaw>,
    pub min_rows: Option<usize>,
    pub max_rows: Option<usize>,
    pub sum: Option<SumRaw>,
    pub help: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionRaw {
    pub value: Text,
    pub label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumRaw {
    pub column: Text,
    pub equals: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireFile {
    pub id: Text,
    pub title: String,
    pub short_title: String,
    pub instructions: String,
    pub source: String,
    pub options: Vec<ScoredOptionRaw>,
    pub items: Vec<QuestionnaireItemRaw>,
    pub scoring: ScoringRaw,
    pub bands: Vec<BandRaw>,
    #[serde(default)]
    pub risk: Vec<RiskRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoredOptionRaw {
    pub value: i64,
    pub label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireItemRaw {
    pub id: Text,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRaw {
    pub method: Text,
    pub min: i64,
    pub max: i64,
    #[serde(default)]
    pub reliable_change: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandRaw {
    pub min: Spanned<i64>,
    pub max: i64,
    pub label: String,
    pub plain: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRaw {
    pub item: Text,
    pub above: i64,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipsFile {
    pub tips: Vec<TipRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipRaw {
    pub id: Text,
    pub title: String,
    pub text: String,
}
