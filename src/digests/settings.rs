//! A therapist's digest preferences (API.md `/api/v1/me/digest-settings`):
//! when digests come, in which time zone, and whether one e-mail covers one
//! patient or all of them. Urgent risk alerts ignore these settings.

use chrono_tz::Tz;
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};

use crate::{
    entities::{
        digest_settings,
        states::{DigestCadence, DigestLayout},
    },
    error::{AppError, AppResult, FieldErrors},
};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct DigestSettings {
    /// daily, feedback_day, weekly or in_app
    pub cadence: String,
    /// HH:MM in `timezone`
    pub local_time: String,
    /// mon..sun, for weekly digests
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<String>,
    /// An IANA time zone such as Europe/Amsterdam
    pub timezone: String,
    /// per_patient or combined
    pub layout: String,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings {
            cadence: "daily".into(),
            local_time: "08:00".into(),
            weekday: None,
            timezone: "Europe/Amsterdam".into(),
            layout: "per_patient".into(),
        }
    }
}

impl DigestSettings {
    /// The cadence, once `check` has passed (daily before that).
    pub fn cadence(&self) -> DigestCadence {
        DigestCadence::parse(&self.cadence).unwrap_or(DigestCadence::Daily)
    }

    /// The layout, once `check` has passed (per patient before that).
    pub fn layout(&self) -> DigestLayout {
        DigestLayout::parse(&self.layout).unwrap_or(DigestLayout::PerPatient)
    }

    /// Every problem at once, by field.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut add =
            |field: &str, message: &str| errors.entry(field.into()).or_default().push(message.into());
        if DigestCadence::parse(&self.cadence).is_none() {
            add("cadence", "Choose daily, feedback_day, weekly or in_app.");
        }
        if chrono::NaiveTime::parse_from_str(&self.local_time, "%H:%M").is_err() {
            add("local_time", "Enter a time such as 08:00.");
        }
        let weekday_ok =
            self.weekday.as_deref().is_none_or(|d| crate::enrollment::schedule::weekday_number(d).is_some());
        if !weekday_ok || (self.cadence() == DigestCadence::Weekly && self.weekday.is_none()) {
            add("weekday", "Choose a weekday (mon..sun) for weekly digests.");
        }
        if self.timezone.parse::<Tz>().is_err() {
            add("timezone", "Enter a time zone such as Europe/Amsterdam.");
        }
        if DigestLayout::parse(&self.layout).is_none() {
            add("layout", "Choose per_patient or combined.");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

pub async fn load(db: &impl ConnectionTrait, therapist_id: &str) -> AppResult<DigestSettings> {
    Ok(digest_settings::Entity::find_by_id(therapist_id.to_string())
        .one(db)
        .await?
        .map_or_else(DigestSettings::default, DigestSettings::from))
}

/// The settings of those of `therapist_ids` who chose any; the others have
/// the defaults.
pub async fn load_many(
    db: &impl ConnectionTrait,
    therapist_ids: &[String],
) -> AppResult<std::collections::HashMap<String, DigestSettings>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(digest_settings::Entity::find()
        .filter(digest_settings::Column::TherapistId.is_in(therapist_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.therapist_id.clone(), DigestSettings::from(row)))
        .collect())
}

impl From<digest_settings::Model> for DigestSettings {
    fn from(row: digest_settings::Model) -> Self {
        DigestSettings {
            cadence: row.cadence.as_str().into(),
            local_time: row.local_time,
            weekday: row.weekday,
            timezone: row.timezone,
            layout: row.layout.as_str().into(),
        }
    }
}

pub async fn save(
    db: &impl ConnectionTrait,
    therapist_id: &str,
    settings: &DigestSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    settings.check().map_err(AppError::Invalid)?;
    let row = digest_settings::ActiveModel {
        therapist_id: Set(therapist_id.to_string()),
        cadence: Set(settings.cadence()),
        local_time: Set(settings.local_time.clone()),
        weekday: Set(settings.weekday.clone().filter(|_| settings.cadence() == DigestCadence::Weekly)),
        timezone: Set(settings.timezone.clone()),
        layout: Set(settings.layout()),
        updated_at: Set(now),
    };
    digest_settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(digest_settings::Column::TherapistId)
                .update_columns([
                    digest_settings::Column::Cadence,
                    digest_settings::Column::LocalTime,
                    digest_settings::Column::Weekday,
                    digest_settings::Column::Timezone,
                    digest_settings::Column::Layout,
                    digest_settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
