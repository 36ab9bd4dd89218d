//! The command line as clap reads it: every command, argument and help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use icbt::accounts::Role;

#[derive(Parser)]
#[command(name = "icbt", version, about = "Guided internet-based CBT for chronic pain and chronic fatigue")]
pub struct Cli {
    /// A settings file laid over config/default.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server and the background work.
    Serve {
        /// Create a demo clinic with logins on first start and print them.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the background work (mail delivery, housekeeping).
    Worker,
    /// Digests and notices.
    Digest {
        #[command(subcommand)]
        command: DigestCommand,
    },
    /// Usage figures.
    Usage {
        #[command(subcommand)]
        command: UsageCommand,
    },
    /// Simulate a clinic that has been running for some weeks: therapists,
    /// patients, diaries, feedback, questionnaires, drop-outs.
    Demo(DemoArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy the SQLite database to FILE; safe while icbt serves.
    /// (PostgreSQL: use pg_dump, see the README.)
    Backup {
        /// The backup file to write; it must not exist yet.
        file: PathBuf,
    },
    /// Put a backup made by `icbt backup` in place of the SQLite database.
    Restore {
        /// The backup file to restore.
        file: PathBuf,
        /// Overwrite an existing database (stop icbt first).
        #[arg(long)]
        replace: bool,
    },
    /// Check the treatment content.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The clinic's name; a second run with the same name adds to it.
    #[arg(long, default_value = "Simulated clinic")]
    pub clinic: String,
    #[arg(long, default_value_t = 4)]
    pub therapists: usize,
    #[arg(long, default_value_t = 40)]
    pub patients: usize,
    /// How long the clinic has been running; the simulation ends now.
    #[arg(long, default_value_t = 26)]
    pub weeks: u32,
    /// Patients are enrolled evenly over this many first weeks (0: all on day one).
    #[arg(long)]
    pub intake_weeks: Option<u32>,
    /// The same seed gives the same clinic.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Subcommand)]
pub enum UsageCommand {
    /// Recompute the daily rollups from the usage events.
    Rebuild {
        /// First day to recompute (YYYY-MM-DD); default: the first event.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day to recompute (YYYY-MM-DD); default: today.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
pub enum DigestCommand {
    /// Compose and send everything due at that instant, once, and print it.
    Run {
        /// The instant to run at (RFC 3339); default now.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// Only compose and queue: leave sending the mail to the workers.
        #[arg(long)]
        compose_only: bool,
    },
}

#[derive(Subcommand)]
pub enum ContentCommand {
    /// Validate every file; list each program's modules and item counts.
    Check {
        /// The content folder (default: content.dir from the settings).
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        role: Role,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}
