//! The catalogue's types: programs, modules, items, form fields and scored
//! questionnaires, as loaded and checked from `modules-content/`.

use serde::Serialize;

/// One treatment program.
#[derive(Clone, Debug, Serialize)]
pub struct Program {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub modules: Vec<Module>,
    pub assessments: Vec<Assessment>,
    pub stepped_care: Option<SteppedCare>,
    pub not_on_track: Option<NotOnTrack>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Pages and assignments in order, then the diaries that open with it.
    pub items: Vec<Item>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Page,
    Assignment,
    Diary,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Page => "page",
            ItemKind::Assignment => "assignment",
            ItemKind::Diary => "diary",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub id: String,
    pub kind: ItemKind,
    pub title: String,
    /// Estimated minutes, so patients can pick what fits their energy.
    pub minutes: u32,
    pub body: ItemBody,
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ItemBody {
    Page(Page),
    Form(Form),
}

#[derive(Clone, Debug, Serialize)]
pub struct Page {
    /// Sanitised HTML.
    pub html: String,
    pub audio: Option<String>,
    pub video: Option<String>,
    pub audio_transcript: Option<String>,
}

/// An assignment or diary form.
#[derive(Clone, Debug, Serialize)]
pub struct Form {
    /// Sanitised HTML shown above the form.
    pub intro_html: String,
    pub fields: Vec<Field>,
    /// Diaries: scale or number fields plotted over time.
    pub chart: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Scale,
    Number,
    SingleChoice,
    MultiChoice,
    Checklist,
    Time,
    DurationMinutes,
    Date,
    Rows,
}

impl FieldType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => FieldType::Text,
            "long_text" => FieldType::LongText,
            "scale" => FieldType::Scale,
            "number" => FieldType::Number,
            "single_choice" => FieldType::SingleChoice,
            "multi_choice" => FieldType::MultiChoice,
            "checklist" => FieldType::Checklist,
            "time" => FieldType::Time,
            "duration_minutes" => FieldType::DurationMinutes,
            "date" => FieldType::Date,
            "rows" => FieldType::Rows,
            _ => return None,
        })
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldType::SingleChoice | FieldType::MultiChoice | FieldType::Checklist)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Scale | FieldType::Number | FieldType::DurationMinutes)
    }
}

/// A form field as clients see it (API.md "Form fields").
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<SumRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
}

/// Rows whose `column` must add up to `equals`.
#[derive(Clone, Debug, Serialize)]
pub struct SumRule {
    pub column: String,
    pub equals: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentWhen {
    Baseline,
    AfterModule,
    End,
    FollowUp,
}

/// A point in the program where questionnaires are due.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    pub id: String,
    pub when: AssessmentWhen,
    pub module: Option<String>,
    pub weeks: Option<u32>,
    pub instruments: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SteppedCare {
    pub instrument: String,
    pub at_or_above: i64,
}

/// The early-warning rule (after Forsell et al., 2019): in weeks
/// `from_week..=to_week` of treatment, a patient whose `diary` `field`
/// averages at or above `at_or_above` over the last week, and has not fallen
/// by `reliable_change` from their `baseline` questionnaire score (on the same
/// scale), is not on track and gets more support.
#[derive(Clone, Debug, Serialize)]
pub struct NotOnTrack {
    pub from_week: u32,
    pub to_week: u32,
    pub baseline: String,
    pub diary: String,
    pub field: String,
    pub at_or_above: i64,
    pub reliable_change: i64,
}

/// A scored instrument (PHQ-9, GAD-7, 0–10 ratings).
#[derive(Clone, Debug, Serialize)]
pub struct Questionnaire {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub instructions: String,
    pub source: String,
    pub options: Vec<ScoredOption>,
    pub items: Vec<QuestionnaireItem>,
    pub min: i64,
    pub max: i64,
    /// A fall of at least this many points counts as reliable improvement
    /// (the instrument's reliable change index, from its literature).
    pub reliable_change: Option<i64>,
    pub bands: Vec<Band>,
    pub risk: Vec<RiskRule>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScoredOption {
    pub value: i64,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuestionnaireItem {
    pub id: String,
    pub text: String,
}

/// A severity band, `min..=max`.
#[derive(Clone, Debug, Serialize)]
pub struct Band {
    pub min: i64,
    pub max: i64,
    pub label: String,
    /// What the patient reads about this score.
    pub plain: String,
}

/// An answer above `above` on `item` raises an urgent alert.
#[derive(Clone, Debug, Serialize)]
pub struct RiskRule {
    pub item: String,
    pub above: i64,
    pub message: String,
}

/// A short practical tip for therapists, shown in digests.
#[derive(Clone, Debug, Serialize)]
pub struct Tip {
    pub id: String,
    pub title: String,
    pub text: String,
}
