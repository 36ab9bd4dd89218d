//! A simulated clinic for `icbt demo`: therapists, patients enrolled over the
//! months, engagement that fades for some, diaries, assignments,
//! questionnaires that improve, feedback on (or not quite on) schedule, and
//! drop-outs. Everything goes through the service functions the web uses, on
//! a clock that starts in the past and is moved forward a day at a time, so
//! the caseload, digests and reports see what real use would leave behind.

use chrono::{DateTime, Duration, Utc};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use sea_orm::EntityTrait;

use crate::entities::enums::EnrollmentStatus;
use crate::{
    accounts::{service as accounts, service::NewUser, Role},
    assignments,
    auth::{self, password::hash_password, Credential, Principal},
    content::{answers::Completeness, ItemBody, ItemKind, Program},
    diaries,
    enrollment::schedule::feedback_due_on,
    enrollment::{self, service::NewEnrollment},
    entities::{enrollments, users},
    error::{AppError, AppResult},
    messages,
    progress::service::{self as progress, Progress},
    questionnaires,
    state::AppState,
    web::ClientInfo,
};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct ClinicPlan {
    pub clinic: String,
    pub therapists: usize,
    pub patients: usize,
    /// How long the clinic has run: the simulation ends now.
    pub weeks: u32,
    /// Patients are enrolled evenly over this many first weeks (0: all at once).
    pub intake_weeks: u32,
    pub seed: u64,
    /// Existing therapists (by e-mail) to be the clinic's first ones.
    pub known_therapists: Vec<String>,
    /// The team the therapists work in; "Team 1" when not given.
    pub team: Option<String>,
}

/// Names for the simulated therapists, so a caseload and a cover read like a clinic.
const THERAPIST_NAMES: [&str; 6] =
    ["Sanne de Vries", "Ahmed Bakker", "Lotte Visser", "Daan Smit", "Fatima el Idrissi", "Joris Mulder"];

/// What the simulation left behind.
#[derive(Clone, Debug, Default)]
pub struct SimulationReport {
    pub patients: usize,
    pub activated: usize,
    pub diary_entries: usize,
    pub pages_read: usize,
    pub submissions: usize,
    pub questionnaires: usize,
    pub messages: usize,
    pub feedback: usize,
    pub dropped_out: usize,
}

/// Demo passwords are acceptable only because demo data is refused in production.
pub const STAFF_PASSWORD: &str = "demo-clinic-passphrase";
pub const PATIENT_PASSWORD: &str = "demo-patient-passphrase";

const FEEDBACK: [&str; 4] = [
    "Thank you for keeping your diary so faithfully this week. I noticed you took breaks before the pain got worse; that is exactly the pacing we talked about. Next week, try one short walk on a day that feels hard.",
    "Well done on reading the new module. It is normal that some days are heavier; what matters is that you kept going. For next week: plan one thing you enjoy, however small.",
    "I can see you worked hard on the assignment. Your goals are concrete and realistic. Try the first step this week and tell me how it went.",
    "It was a quieter week in the program, and that is fine. When you have ten minutes, the next page is a good one to start with. I look forward to hearing from you.",
];
const MESSAGES: [&str; 3] = [
    "Is it normal to feel more tired after the exercises at first?",
    "I missed two days of the diary, should I fill them in later?",
    "The breathing exercise helped last night, thank you.",
];

/// A patient in the simulation and how they tend to behave.
struct SimPatient {
    enrollment_id: String,
    principal: Option<Principal>,
    /// Chance of doing something on a given day; fades by `decay` a week.
    engagement: f64,
    decay: f64,
    /// How much their scores improve by the end of treatment (0..1).
    improvement: f64,
    started: DateTime<Utc>,
    dropped: bool,
}

/// Runs the plan on `state`, whose clock must read `weeks` ago; calls
/// `on_day` after each simulated day.
pub async fn simulate(
    state: &AppState,
    plan: &ClinicPlan,
    on_day: impl Fn(u32),
) -> AppResult<SimulationReport> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let therapists = ensure_staff(state, plan).await?;
    let start = state.clock.now();
    let days = plan.weeks * 7;
    let intake_days = (plan.intake_weeks * 7).max(1);
    let mut report = SimulationReport::default();
    let mut patients: Vec<SimPatient> = Vec::new();
    for day in 0..days {
        let midnight = start + Duration::days(day.into());
        move_clock_to(state, midnight + Duration::hours(9));
        crate::usage::feedback_due::record_due_feedback(
            &state.db,
            state.settings.care.timezone,
            state.clock.now(),
        )
        .await?;
        let due_today = (0..plan.patients)
            .filter(|i| (*i as u64 * u64::from(intake_days) / plan.patients as u64) == u64::from(day));
        for index in due_today {
            let therapist = &therapists[index % therapists.len()];
            patients.push(enroll(state, plan, therapist, index, &mut rng, &mut report).await?);
        }
        move_clock_to(state, midnight + Duration::hours(14));
        for patient in patients.iter_mut().filter(|p| !p.dropped) {
            give_feedback_if_due(state, &therapists, patient, &mut rng, &mut report).await?;
        }
        move_clock_to(state, midnight + Duration::hours(19));
        for patient in patients.iter_mut().filter(|p| !p.dropped && p.principal.is_some()) {
            live_a_day(state, &therapists, patient, &mut rng, &mut report).await?;
        }
        // Digests go out on their schedule, as the worker would send them.
        move_clock_to(state, midnight + Duration::hours(23));
        crate::digests::run_due(state, "demo", state.clock.now()).await?;
        on_day(day + 1);
    }
    Ok(report)
}

/// The clock only ever moves forward.
fn move_clock_to(state: &AppState, at: DateTime<Utc>) {
    let now = state.clock.now();
    if at > now {
        state.clock.advance(at - now);
    }
}

/// The clinic, a team and its therapists, made once and reused.
async fn ensure_staff(state: &AppState, plan: &ClinicPlan) -> AppResult<Vec<Principal>> {
    let db = &state.db;
    let now = state.clock.now();
    let clinic = match accounts::find_clinic_by_name(db, &plan.clinic).await? {
        Some(clinic) => clinic,
        None => accounts::create_clinic(db, &plan.clinic, now).await?,
    };
    let team_name = plan.team.as_deref().unwrap_or("Team 1");
    let team = match accounts::find_team_by_name(db, &clinic.id, team_name).await? {
        Some(team) => team,
        None => accounts::create_team(db, &clinic.id, team_name, now).await?,
    };
    let slug: String = plan.clinic.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let hash = hash_password(STAFF_PASSWORD.to_string()).await?;
    let mut therapists = Vec::new();
    for n in 1..=plan.therapists.max(1) {
        let email = match plan.known_therapists.get(n - 1) {
            Some(known) => known.clone(),
            None => format!("therapist{n}@{slug}.demo.example.org"),
        };
        let user = match accounts::find_user_by_email(db, &email).await? {
            Some(user) => user,
            None => {
                let new = NewUser {
                    email: &email,
                    name: THERAPIST_NAMES[(n - 1) % THERAPIST_NAMES.len()],
                    role: Role::Therapist,
                    clinic_id: Some(&clinic.id),
                    team_id: Some(&team.id),
                    password_hash: Some(hash.clone()),
                };
                accounts::create_user(db, new, now).await?
            }
        };
        therapists.push(principal(Role::Therapist, user));
    }
    let manager = format!("manager@{slug}.demo.example.org");
    if accounts::find_user_by_email(db, &manager).await?.is_none() {
        let new = NewUser {
            email: &manager,
            name: "Manager",
            role: Role::Manager,
            clinic_id: Some(&clinic.id),
            team_id: None,
            password_hash: Some(hash),
        };
        accounts::create_user(db, new, now).await?;
    }
    Ok(therapists)
}

fn principal(role: Role, user: users::Model) -> Principal {
    Principal {
        role,
        credential: Credential::Session(String::new()),
        user,
        timezone: chrono_tz::Tz::Europe__Amsterdam,
        session_ends_at: None,
        session_seconds_left: None,
    }
}

/// Enrolls the patient as their therapist would; most accept the invitation.
async fn enroll(
    state: &AppState,
    plan: &ClinicPlan,
    therapist: &Principal,
    index: usize,
    rng: &mut StdRng,
    report: &mut SimulationReport,
) -> AppResult<SimPatient> {
    let slug: String = plan.clinic.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let program = if rng.gen_bool(0.6) { "chronic-pain" } else { "chronic-fatigue" };
    let new = NewEnrollment {
        email: format!("patient{:04}@{slug}.demo.example.org", index + 1),
        case_code: format!("{}-{:04}", slug.chars().take(3).collect::<String>().to_uppercase(), index + 1),
        program: program.into(),
        feedback_cadence: if rng.gen_bool(0.7) { "weekly" } else { "fortnightly" }.into(),
        feedback_weekday: ["mon", "tue", "wed", "thu", "fri"].choose(rng).copied().unwrap_or("thu").into(),
        name: Some(["Anna", "Bram", "Carla", "Daan", "Eva", "Fatima", "Gijs", "Hanna"][index % 8].into()),
        auto_unlock: Some(true),
    };
    let (enrollment, url) =
        enrollment::service::enroll(state, therapist, new, &ClientInfo::default()).await?;
    report.patients += 1;
    let principal = if rng.gen_bool(0.9) {
        let secret = url.rsplit('/').next().unwrap_or_default();
        let user =
            auth::service::accept_invitation(state, secret, PATIENT_PASSWORD, &ClientInfo::default()).await?;
        report.activated += 1;
        Some(principal(Role::Patient, user))
    } else {
        None
    };
    let fading = rng.gen_bool(0.3);
    Ok(SimPatient {
        enrollment_id: enrollment.id,
        principal,
        engagement: rng.gen_range(0.55..0.95),
        decay: if fading { rng.gen_range(0.6..0.8) } else { rng.gen_range(0.97..1.0) },
        improvement: rng.gen_range(0.0..0.7),
        started: state.clock.now(),
        dropped: false,
    })
}

async fn current(state: &AppState, patient: &SimPatient) -> AppResult<enrollments::Model> {
    enrollments::Entity::find_by_id(patient.enrollment_id.clone())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

fn therapist_of<'a>(therapists: &'a [Principal], enrollment: &enrollments::Model) -> Option<&'a Principal> {
    therapists.iter().find(|t| t.user.id == enrollment.therapist_id)
}

/// On or after the due day, most therapists write feedback; some are late.
async fn give_feedback_if_due(
    state: &AppState,
    therapists: &[Principal],
    patient: &SimPatient,
    rng: &mut StdRng,
    report: &mut SimulationReport,
) -> AppResult<()> {
    let enrollment = current(state, patient).await?;
    let today = diaries::service::today(state);
    let due = feedback_due_on(&enrollment, state.settings.care.timezone);
    if enrollment.status != EnrollmentStatus::Active || due > today || !rng.gen_bool(0.8) {
        return Ok(());
    }
    let Some(therapist) = therapist_of(therapists, &enrollment) else { return Ok(()) };
    let body = FEEDBACK.choose(rng).copied().unwrap_or(FEEDBACK[0]);
    messages::service::send_feedback(state, &enrollment, therapist, body, &ClientInfo::default()).await?;
    report.feedback += 1;
    Ok(())
}

/// One evening of a patient: maybe nothing, maybe diaries, a page or two, an
/// assignment, due questionnaires, now and then a message.
async fn live_a_day(
    state: &AppState,
    therapists: &[Principal],
    patient: &mut SimPatient,
    rng: &mut StdRng,
    report: &mut SimulationReport,
) -> AppResult<()> {
    let weeks_in = (state.clock.now() - patient.started).num_days() as f64 / 7.0;
    let chance = patient.engagement * patient.decay.powf(weeks_in);
    let enrollment = current(state, patient).await?;
    if chance < 0.08 {
        return drop_out(state, therapists, patient, &enrollment, report).await;
    }
    if !rng.gen_bool(chance.clamp(0.0, 1.0)) {
        return Ok(());
    }
    let Some(me) = patient.principal.clone() else { return Ok(()) };
    let program = progress::program_of(&state.content, &enrollment)?;
    // Scores start high and move down by `improvement` over twelve weeks.
    let severity = 0.75 - patient.improvement * (weeks_in / 12.0).min(1.0);
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let today = diaries::service::today(state).to_string();
    for (id, fields) in open_forms(program, &current, ItemKind::Diary) {
        let values = super::answers::fill(&fields, severity, rng);
        diaries::service::save_entry(state, &enrollment, &id, &today, &values).await?;
        report.diary_entries += 1;
    }
    let unread = program
        .modules
        .iter()
        .flat_map(|m| m.items.iter().map(move |i| (m, i)))
        .filter(|(m, i)| i.kind == ItemKind::Page && current.can_open(m, i) && !current.is_done(i))
        .take(rng.gen_range(1..=2));
    for (_, item) in unread {
        progress::mark_page_read(state, &enrollment, &item.id).await?;
        report.pages_read += 1;
    }
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let assignment = open_forms(program, &current, ItemKind::Assignment).into_iter().next();
    if let Some((id, fields)) = assignment.filter(|_| rng.gen_bool(0.5)) {
        let answers = super::answers::fill(&fields, severity, rng);
        assignments::service::save(state, &enrollment, &id, &answers, Completeness::Final).await?;
        report.submissions += 1;
    }
    answer_questionnaires(state, &enrollment, program, severity, rng, report).await?;
    if rng.gen_bool(0.04) {
        let body = MESSAGES.choose(rng).copied().unwrap_or(MESSAGES[0]);
        messages::service::send_from_patient(state, &enrollment, &me, body).await?;
        report.messages += 1;
    }
    Ok(())
}

/// Open, unfinished forms of one kind (diaries stay open once started).
fn open_forms(
    program: &Program,
    current: &Progress,
    kind: ItemKind,
) -> Vec<(String, Vec<serde_json::Value>)> {
    program
        .modules
        .iter()
        .flat_map(|m| m.items.iter().map(move |i| (m, i)))
        .filter(|(m, i)| i.kind == kind && current.can_open(m, i))
        .filter(|(_, i)| kind == ItemKind::Diary || !current.is_done(i))
        .filter_map(|(_, i)| match &i.body {
            ItemBody::Form(form) => Some((i.id.clone(), serde_json::to_value(&form.fields).ok()?)),
            ItemBody::Page(_) => None,
        })
        .map(|(id, fields)| (id, fields.as_array().cloned().unwrap_or_default()))
        .collect()
}

async fn answer_questionnaires(
    state: &AppState,
    enrollment: &enrollments::Model,
    program: &Program,
    severity: f64,
    rng: &mut StdRng,
    report: &mut SimulationReport,
) -> AppResult<()> {
    let due: Vec<_> = questionnaires::service::due(state, enrollment, program)
        .await?
        .into_iter()
        .map(|d| d.questionnaire.clone())
        .collect();
    for questionnaire in due {
        let top = questionnaire.options.len().saturating_sub(1) as f64;
        let answers = questionnaire
            .items
            .iter()
            .map(|item| {
                let at = ((severity + rng.gen_range(-0.2..=0.2)).clamp(0.0, 1.0) * top).round() as usize;
                (item.id.clone(), serde_json::json!(questionnaire.options[at].value))
            })
            .collect();
        questionnaires::service::answer(state, enrollment, &questionnaire.id, &answers).await?;
        report.questionnaires += 1;
    }
    Ok(())
}

/// A patient whose engagement has faded away is marked dropped out.
async fn drop_out(
    state: &AppState,
    therapists: &[Principal],
    patient: &mut SimPatient,
    enrollment: &enrollments::Model,
    report: &mut SimulationReport,
) -> AppResult<()> {
    patient.dropped = true;
    let Some(therapist) = therapist_of(therapists, enrollment) else { return Ok(()) };
    let reason = "No longer taking part";
    enrollment::service::change_status(
        state,
        therapist,
        enrollment,
        "dropped_out",
        reason,
        &ClientInfo::default(),
    )
    .await?;
    report.dropped_out += 1;
    Ok(())
}
