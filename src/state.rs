//! The state every request handler and background job shares: the database
//! pools, the settings, the clock, the templates and the treatment content.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    clock::Clock,
    config::Settings,
    content::{Catalogue, ContentErrors},
    db,
    web::Views,
};

/// Why a server or worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Content(#[from] ContentErrors),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
}

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Where reports read: see `db::connect_reader`.
    pub reports_db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Arc<Clock>,
    pub views: Arc<Views>,
    pub content: Arc<Catalogue>,
}

impl AppState {
    /// Connects, migrates and loads everything a server or worker needs.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        // Invalid content stops the start with the full report.
        let content = Catalogue::load(&settings.content.dir)?;
        let db = db::connect(&settings.database).await?;
        db::migrate(&db).await?;
        let reports_db = db::connect_reader(&settings.database, &db).await?;
        let clock = match settings.clock.start {
            Some(start) => Clock::starting_at(start),
            None => Clock::system(),
        };
        let views = Arc::new(Views::load(settings.care.timezone)?);
        Ok(AppState {
            db,
            reports_db,
            settings: Arc::new(settings),
            clock: Arc::new(clock),
            views,
            content: Arc::new(content),
        })
    }
}
