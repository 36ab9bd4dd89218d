//! The `icbt` command line: serve, worker, migrate, user.

use std::{io::BufRead, process::ExitCode};

use anyhow::Context;
use clap::Parser;
use icbt::{
    accounts::{service as accounts, service::NewUser, Role},
    app,
    auth::password,
    config::{Environment, Settings},
    demo,
    state::AppState,
    telemetry, worker,
};
use tokio_util::sync::CancellationToken;

mod cli;

use cli::{Cli, Command, ContentCommand, DemoArgs, DigestCommand, UsageCommand, UserCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("icbt: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("icbt: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("icbt: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Worker => {
            let state = AppState::build(settings).await.context("starting the worker")?;
            let shutdown = CancellationToken::new();
            tokio::spawn(cancel_on_signal(shutdown.clone()));
            worker::run(state, shutdown).await
        }
        Command::Demo(args) => simulate_demo_clinic(settings, args).await,
        Command::Usage { command: UsageCommand::Rebuild { from, to } } => {
            rebuild_usage(settings, from, to).await
        }
        Command::Digest { command: DigestCommand::Run { now, compose_only } } => {
            run_digests(settings, now, compose_only).await
        }
        Command::Migrate => {
            let db = icbt::db::connect(&settings.database).await.context("connecting to the database")?;
            icbt::db::migrate(&db).await.context("migrating the database")?;
            println!("database is up to date");
            Ok(())
        }
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            let copied = icbt::lifecycle::backup::backup(&settings.database.url, &file).await?;
            println!(
                "backed up {} patients ({} bytes) to {} in {:.1} s",
                copied.patients,
                copied.bytes,
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, replace } => {
            let copied = icbt::lifecycle::backup::restore(&settings.database.url, &file, replace).await?;
            println!(
                "restored {} patients ({} bytes) from {}",
                copied.patients,
                copied.bytes,
                file.display()
            );
            Ok(())
        }
        Command::Content { command: ContentCommand::Check { dir } } => {
            let dir = dir.unwrap_or_else(|| settings.content.dir.clone());
            let started = std::time::Instant::now();
            let catalogue = icbt::content::Catalogue::load(&dir)?;
            print!("{}", catalogue.summary());
            println!("{} is valid (loaded in {} ms)", dir.display(), started.elapsed().as_millis());
            Ok(())
        }
        Command::User { command: UserCommand::Create { role, email, name } } => {
            create_user(settings, role, &email, &name).await
        }
    }
}

async fn rebuild_usage(
    settings: Settings,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let state = AppState::build(settings).await.context("opening the database")?;
    let tz = state.settings.care.timezone;
    let now = state.clock.now();
    let started = std::time::Instant::now();
    let last = to.unwrap_or(now.with_timezone(&tz).date_naive());
    let first = match from {
        Some(day) => Some(day),
        None => icbt::usage::rollups::first_event_day(&state.db, tz).await?,
    };
    let days = match first {
        Some(first) => icbt::usage::rollups::rebuild(&state.db, tz, first, last, now).await?,
        None => 0,
    };
    println!("rebuilt the daily usage rollups: {days} days in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn run_digests(mut settings: Settings, now: Option<String>, compose_only: bool) -> anyhow::Result<()> {
    if let Some(now) = now {
        let at = chrono::DateTime::parse_from_rfc3339(&now)
            .with_context(|| format!("--now {now}: not RFC 3339"))?;
        settings.clock.start = Some(at.with_timezone(&chrono::Utc));
    }
    let state = AppState::build(settings).await.context("opening the database")?;
    let mailer = icbt::mail::Mailer::from_settings(&state.settings.mail)?;
    let started = std::time::Instant::now();
    let name = worker::worker_name();
    let report = if compose_only {
        let notifications = icbt::digests::run_due(&state, &name, state.clock.now()).await?;
        worker::RoundReport { notifications, mail: Default::default() }
    } else {
        worker::run_once(&state, &mailer, &name).await?
    };
    let digests = report.notifications.digests;
    println!(
        "at {}: {} digest e-mails covering {} patients ({} in-app only, {} retrying, {} dead), \
         {} patient notices, {} diary reminders; mail sent {}, retrying {}, dead {} ({:.1} s)",
        state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        digests.emails,
        digests.digests,
        digests.shown,
        digests.retrying,
        digests.dead,
        report.notifications.patient_notices,
        report.notifications.diary_reminders,
        report.mail.sent,
        report.mail.retrying,
        report.mail.dead,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn simulate_demo_clinic(mut settings: Settings, args: DemoArgs) -> anyhow::Result<()> {
    if settings.environment == Environment::Production {
        anyhow::bail!("demo data is refused when environment = \"production\"");
    }
    let plan = demo::simulate::ClinicPlan {
        clinic: args.clinic,
        therapists: args.therapists,
        patients: args.patients,
        weeks: args.weeks.max(1),
        intake_weeks: args.intake_weeks.unwrap_or(args.weeks * 2 / 3),
        seed: args.seed,
        known_therapists: Vec::new(),
        team: None,
    };
    settings.clock.start = Some(chrono::Utc::now() - chrono::Duration::weeks(plan.weeks.into()));
    let state = AppState::build(settings).await.context("opening the database")?;
    let bar = indicatif::ProgressBar::new(u64::from(plan.weeks) * 7).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] day {pos}/{len}, {eta} left")?
            .progress_chars("=> "),
    );
    bar.set_message(format!("simulating {}", plan.clinic));
    let started = std::time::Instant::now();
    let report = demo::simulate::simulate(&state, &plan, |day| bar.set_position(day.into())).await?;
    bar.finish_and_clear();
    println!(
        "{}: {} patients ({} activated, {} dropped out), {} diary entries, {} pages read, {} submissions, \
         {} questionnaires, {} messages, {} feedback messages in {:.1} s",
        plan.clinic,
        report.patients,
        report.activated,
        report.dropped_out,
        report.diary_entries,
        report.pages_read,
        report.submissions,
        report.questionnaires,
        report.messages,
        report.feedback,
        started.elapsed().as_secs_f64()
    );
    println!("staff log in as therapist1@… or manager@… with {}", demo::simulate::STAFF_PASSWORD);
    println!(
        "patients who accepted their invitation log in as patientNNNN@… with {}",
        demo::simulate::PATIENT_PASSWORD
    );
    Ok(())
}

async fn serve(settings: Settings, with_demo: bool) -> anyhow::Result<()> {
    if with_demo && settings.environment == Environment::Production {
        anyhow::bail!("--demo is refused when environment = \"production\"");
    }
    let bind = settings.server.bind;
    let state = AppState::build(settings).await.context("starting icbt")?;
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    if with_demo {
        demo::ensure_demo_clinic(&state).await.context("creating the demo clinic")?;
        print_demo_logins(&format!("http://{address}"));
    }
    println!("icbt listening on http://{address}");
    tracing::info!(%address, "icbt is listening");
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    let background = tokio::spawn(worker::run(state.clone(), shutdown.clone()));
    app::serve(listener, state, shutdown).await?;
    // The worker finishes its current round before the process exits.
    match tokio::time::timeout(std::time::Duration::from_secs(5), background).await {
        Ok(Ok(Err(e))) => tracing::error!(error = %e, "background worker failed"),
        Err(_) => tracing::warn!("background worker did not stop in time"),
        _ => {}
    }
    tracing::info!("icbt stopped");
    Ok(())
}

fn print_demo_logins(base: &str) {
    println!("\nicbt demo is running at {base}/\n");
    for login in &demo::LOGINS {
        println!("  {:<10} {:<32} password: {}", login.role.as_str(), login.email, login.password);
    }
    println!("\nLog in at {base}/login · stop with Ctrl-C\n");
}

async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
    token.cancel();
}

async fn create_user(settings: Settings, role: Role, email: &str, name: &str) -> anyhow::Result<()> {
    if role != Role::Admin {
        anyhow::bail!("only administrators are created here; staff and patients are invited in the app");
    }
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    password::check_policy(&password, email).map_err(|why| anyhow::anyhow!("password: {why}"))?;
    let state = AppState::build(settings).await?;
    let hash = password::hash_password(password).await?;
    let user = accounts::create_user(
        &state.db,
        NewUser { email, name, role, clinic_id: None, team_id: None, password_hash: Some(hash) },
        state.clock.now(),
    )
    .await?;
    println!("created {} {} ({})", role, user.email, user.id);
    Ok(())
}
