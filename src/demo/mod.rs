//! Demo data for `icbt serve --demo`: a clinic with an administrator, two
//! therapists in one team (so cover can be tried), a manager and one patient. Idempotent: a second start finds and reuses them.

pub mod answers;
pub mod simulate;

use crate::{
    accounts::{service as accounts, service::NewUser, Role},
    auth::{self, password::hash_password, Credential, Principal},
    enrollment::{self, service::NewEnrollment},
    error::AppResult,
    state::AppState,
    web::ClientInfo,
};

pub const CLINIC_NAME: &str = "Demo clinic";
const TEAM_NAME: &str = "Pain and fatigue team";

/// A login printed for the person trying icbt out.
pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
}

/// Well-known passwords are acceptable only because demo data is refused in
/// production.
pub const LOGINS: [DemoLogin; 5] = [
    DemoLogin {
        role: Role::Admin,
        email: "admin@demo.example.org",
        password: "demo-admin-passphrase",
        name: "Demo Administrator",
    },
    DemoLogin {
        role: Role::Therapist,
        email: "therapist@demo.example.org",
        password: "demo-therapist-passphrase",
        name: "Sanne de Vries",
    },
    DemoLogin {
        role: Role::Manager,
        email: "manager@demo.example.org",
        password: "demo-manager-passphrase",
        name: "Mark Jansen",
    },
    DemoLogin {
        role: Role::Patient,
        email: "patient@demo.example.org",
        password: "demo-sunny-walks",
        name: "Anna",
    },
    // A colleague in the same team, so cover can be arranged and tried from
    // both sides.
    DemoLogin {
        role: Role::Therapist,
        email: "colleague@demo.example.org",
        password: "demo-colleague-passphrase",
        name: "Ahmed Bakker",
    },
];

/// How long the demo clinic has been running when it is first created.
const DEMO_WEEKS: u32 = 10;

/// Creates whatever of the demo clinic is missing. On the first start the
/// clinic gets ten weeks of simulated history, so a newcomer sees a caseload
/// with work to do, digests and questionnaire trajectories.
pub async fn ensure_demo_clinic(state: &AppState) -> AppResult<()> {
    let is_new = accounts::find_clinic_by_name(&state.db, CLINIC_NAME).await?.is_none();
    ensure_logins(state).await?;
    if is_new {
        let started = state.clock.now() - chrono::Duration::weeks(DEMO_WEEKS.into());
        let past = AppState {
            clock: std::sync::Arc::new(crate::clock::Clock::starting_at(started)),
            ..state.clone()
        };
        let plan = simulate::ClinicPlan {
            clinic: CLINIC_NAME.into(),
            therapists: 2,
            patients: 12,
            weeks: DEMO_WEEKS,
            intake_weeks: 6,
            seed: 2026,
            known_therapists: vec![LOGINS[1].email.into(), LOGINS[4].email.into()],
            team: Some(TEAM_NAME.into()),
        };
        simulate::simulate(&past, &plan, |_| {}).await?;
    }
    Ok(())
}

async fn ensure_logins(state: &AppState) -> AppResult<()> {
    let now = state.clock.now();
    let db = &state.db;
    let clinic = match accounts::find_clinic_by_name(db, CLINIC_NAME).await? {
        Some(clinic) => clinic,
        None => accounts::create_clinic(db, CLINIC_NAME, now).await?,
    };
    let team = match accounts::find_team_by_name(db, &clinic.id, TEAM_NAME).await? {
        Some(team) => team,
        None => accounts::create_team(db, &clinic.id, TEAM_NAME, now).await?,
    };
    for login in LOGINS.iter().filter(|l| l.role != Role::Patient) {
        if accounts::find_user_by_email(db, login.email).await?.is_some() {
            continue;
        }
        let (clinic_id, team_id) = match login.role {
            Role::Admin => (None, None),
            _ => (Some(clinic.id.as_str()), Some(team.id.as_str())),
        };
        let new = NewUser {
            email: login.email,
            name: login.name,
            role: login.role,
            clinic_id,
            team_id,
            password_hash: Some(hash_password(login.password.to_string()).await?),
        };
        accounts::create_user(db, new, now).await?;
    }
    ensure_demo_patient(state).await
}

/// A patient of the demo therapist in the chronic-pain program, enrolled the
/// way a therapist would, with the invitation already accepted.
async fn ensure_demo_patient(state: &AppState) -> AppResult<()> {
    let Some(login) = LOGINS.iter().find(|l| l.role == Role::Patient) else { return Ok(()) };
    if accounts::find_user_by_email(&state.db, login.email).await?.is_some() {
        return Ok(());
    }
    let Some(therapist) = accounts::find_user_by_email(&state.db, LOGINS[1].email).await? else {
        return Ok(());
    };
    let principal = Principal {
        role: Role::Therapist,
        credential: Credential::Session(String::new()),
        user: therapist,
        timezone: chrono_tz::Tz::Europe__Amsterdam,
        session_ends_at: None,
        session_seconds_left: None,
    };
    let new = NewEnrollment {
        email: login.email.to_string(),
        case_code: "DEMO-001".into(),
        program: "chronic-pain".into(),
        feedback_cadence: "weekly".into(),
        feedback_weekday: "thu".into(),
        name: Some("Anna".into()),
        auto_unlock: Some(true),
    };
    let (_, url) = enrollment::service::enroll(state, &principal, new, &ClientInfo::default()).await?;
    let secret = url.rsplit('/').next().unwrap_or_default().to_string();
    auth::service::accept_invitation(state, &secret, login.password, &ClientInfo::default()).await?;
    Ok(())
}
