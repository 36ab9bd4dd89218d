//! Settings: `config/default.toml` (built in), then an optional `--config` file,
//! then `ICBT__SECTION__KEY` environment variables. Every problem is reported at
//! once, each naming its setting, so an operator fixes them in one go.
//!
//! A setting is a field of its section's struct here and a line, with its
//! default and a comment, in `config/default.toml`; the keys of that file are
//! the known keys, so a typo anywhere else is refused.

mod read;

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use chrono::{DateTime, Utc};
use config::{Config, Environment as EnvSource, File, FileFormat};
use serde::Deserialize;

/// The built-in defaults; the same file documents every setting.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(deserialize_with = "read::choice")]
    pub environment: Environment,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub clock: ClockSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub content: ContentSettings,
    pub care: CareSettings,
    pub digests: DigestWorkSettings,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServerSettings {
    #[serde(deserialize_with = "read::address")]
    pub bind: SocketAddr,
    /// Without a trailing slash.
    #[serde(deserialize_with = "read::public_url")]
    pub public_url: String,
    #[serde(rename = "request_timeout_secs", deserialize_with = "read::seconds::<1, 3600, _>")]
    pub request_timeout: Duration,
    #[serde(deserialize_with = "read::whole::<1024, 1073741824, _, _>")]
    pub body_limit_bytes: usize,
    #[serde(rename = "shutdown_grace_secs", deserialize_with = "read::seconds::<0, 600, _>")]
    pub shutdown_grace: Duration,
}

#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    #[serde(deserialize_with = "read::database_url")]
    pub url: String,
    #[serde(deserialize_with = "read::whole::<1, 1000, _, _>")]
    pub max_connections: u32,
    #[serde(rename = "busy_timeout_ms", deserialize_with = "read::millis::<0, 600000, _>")]
    pub busy_timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailTransport {
    Mailbox,
    Smtp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

#[derive(Clone, Deserialize)]
pub struct MailSettings {
    #[serde(deserialize_with = "read::choice")]
    pub transport: MailTransport,
    #[serde(deserialize_with = "read::path")]
    pub mailbox_dir: PathBuf,
    #[serde(deserialize_with = "read::text")]
    pub smtp_host: String,
    #[serde(deserialize_with = "read::whole::<1, 65535, _, _>")]
    pub smtp_port: u16,
    #[serde(deserialize_with = "read::choice")]
    pub smtp_tls: SmtpTls,
    #[serde(deserialize_with = "read::text_or_empty")]
    pub smtp_username: String,
    #[serde(deserialize_with = "read::text_or_empty")]
    pub smtp_password: String,
    #[serde(deserialize_with = "read::email")]
    pub from: String,
    #[serde(deserialize_with = "read::whole::<1, 100, _, _>")]
    pub max_attempts: i32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuthSettings {
    #[serde(rename = "session_idle_minutes", deserialize_with = "read::minutes::<1, 1440, _>")]
    pub session_idle: chrono::Duration,
    #[serde(rename = "session_absolute_hours", deserialize_with = "read::hours::<1, 720, _>")]
    pub session_absolute: chrono::Duration,
    #[serde(rename = "api_token_days", deserialize_with = "read::days::<1, 365, _>")]
    pub api_token_lifetime: chrono::Duration,
    #[serde(rename = "invitation_days", deserialize_with = "read::days::<1, 90, _>")]
    pub invitation_lifetime: chrono::Duration,
    #[serde(rename = "reset_hours", deserialize_with = "read::hours::<1, 72, _>")]
    pub reset_lifetime: chrono::Duration,
    #[serde(deserialize_with = "read::whole::<1, 1000, _, _>")]
    pub account_failures_before_delay: u32,
    #[serde(deserialize_with = "read::whole::<1, 100000, _, _>")]
    pub ip_failures_per_window: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DigestWorkSettings {
    /// How long a worker's claim on a digest holds.
    #[serde(rename = "lease_seconds", deserialize_with = "read::chrono_seconds::<5, 3600, _>")]
    pub lease: chrono::Duration,
    /// Crash tests only: the worker waits this long between claiming digests
    /// and composing them, so a test can kill it there. Refused in production.
    #[serde(rename = "pause_after_claim_ms", deserialize_with = "read::millis::<0, 600000, _>")]
    pub pause_after_claim: Duration,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ClockSettings {
    /// Where the clock starts, for demos and tests; `None`: the real time.
    #[serde(deserialize_with = "read::instant_or_empty")]
    pub start: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ContentSettings {
    #[serde(deserialize_with = "read::path")]
    pub dir: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CareSettings {
    /// The time zone that decides a patient's "today".
    #[serde(deserialize_with = "read::time_zone")]
    pub timezone: chrono_tz::Tz,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Pretty in development, JSON otherwise.
    Auto,
    Pretty,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogSettings {
    #[serde(deserialize_with = "read::choice")]
    pub format: LogFormat,
    #[serde(deserialize_with = "read::log_filter")]
    pub filter: String,
}

impl LogSettings {
    /// The format, with `auto` decided by the environment.
    pub fn format_in(&self, environment: Environment) -> LogFormat {
        match (self.format, environment) {
            (LogFormat::Auto, Environment::Development) => LogFormat::Pretty,
            (LogFormat::Auto, _) => LogFormat::Json,
            (format, _) => format,
        }
    }
}

impl read::Choice for Environment {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("development", Environment::Development),
        ("test", Environment::Test),
        ("production", Environment::Production),
    ];
}

impl read::Choice for MailTransport {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("mailbox", MailTransport::Mailbox), ("smtp", MailTransport::Smtp)];
}

impl read::Choice for SmtpTls {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("none", SmtpTls::None), ("starttls", SmtpTls::StartTls), ("tls", SmtpTls::Tls)];
}

impl read::Choice for LogFormat {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("auto", LogFormat::Auto), ("pretty", LogFormat::Pretty), ("json", LogFormat::Json)];
}

// Secrets stay out of logs and panic messages.
impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url_password(&self.url))
            .field("max_connections", &self.max_connections)
            .field("busy_timeout", &self.busy_timeout)
            .finish()
    }
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("transport", &self.transport)
            .field("mailbox_dir", &self.mailbox_dir)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &"[redacted]")
            .field("from", &self.from)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// Everything wrong with the settings, one line per setting.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings:\n{}", .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct SettingsError {
    pub problems: Vec<String>,
}

impl SettingsError {
    fn one(problem: impl fmt::Display) -> Self {
        SettingsError { problems: vec![problem.to_string()] }
    }
}

/// Where the settings come from, before the defaults are put back for
/// settings found wrong.
#[derive(Default)]
struct Sources<'a> {
    file: Option<&'a std::path::Path>,
    environment: bool,
    overrides: &'a [(&'a str, &'a str)],
}

impl Sources<'_> {
    fn build(&self, defaults_for: &[String]) -> Result<Config, SettingsError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(path) = self.file {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
        }
        if self.environment {
            builder =
                builder.add_source(EnvSource::with_prefix("ICBT").prefix_separator("__").separator("__"));
        }
        for (key, value) in self.overrides {
            builder = builder.set_override(*key, *value).map_err(SettingsError::one)?;
        }
        for key in defaults_for {
            let default = read::default_of(key).unwrap_or_default();
            builder = builder.set_override(key.as_str(), default).map_err(SettingsError::one)?;
        }
        builder.build().map_err(SettingsError::one)
    }
}

impl Settings {
    /// Defaults, then `file`, then the process environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, SettingsError> {
        Self::from_sources(Sources { file, environment: true, overrides: &[] })
    }

    /// Defaults overlaid with `overrides` (dotted keys), ignoring the environment.
    /// Tests and embedding programs use this.
    pub fn from_overrides(overrides: &[(&str, &str)]) -> Result<Self, SettingsError> {
        Self::from_sources(Sources { overrides, ..Sources::default() })
    }

    /// Reads the settings; a setting found wrong is noted and its default put
    /// in its place, so that the rest are still checked and every problem is
    /// reported at once.
    fn from_sources(sources: Sources) -> Result<Self, SettingsError> {
        let mut problems = read::unknown_keys(&sources.build(&[])?);
        let mut wrong = Vec::new();
        let settings = loop {
            match serde_path_to_error::deserialize::<_, Settings>(sources.build(&wrong)?) {
                Ok(settings) => break settings,
                Err(e) => {
                    let key = e.path().to_string();
                    if wrong.contains(&key) || read::default_of(&key).is_none() {
                        problems.push(format!("{key} {}", e.inner()));
                        return Err(SettingsError { problems });
                    }
                    problems.push(format!("{key} {}", read::message(e.inner())));
                    wrong.push(key);
                }
            }
        };
        problems.extend(settings.production_problems());
        match problems.is_empty() {
            true => Ok(settings),
            false => Err(SettingsError { problems }),
        }
    }

    /// What production refuses that development and tests allow.
    fn production_problems(&self) -> Vec<String> {
        if self.environment != Environment::Production {
            return Vec::new();
        }
        let mut problems = Vec::new();
        let refused = "is refused when environment = \"production\"";
        if self.server.public_url.starts_with("http://") {
            problems.push("server.public_url must be https:// when environment = \"production\"".to_string());
        }
        if self.clock.start.is_some() {
            problems.push(format!("clock.start {refused}"));
        }
        if !self.digests.pause_after_claim.is_zero() {
            problems.push(format!("digests.pause_after_claim_ms {refused}"));
        }
        problems
    }

    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }

    /// Cookies are marked Secure whenever the public address is https, which
    /// production requires.
    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}

fn redact_url_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:[redacted]{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let settings = Settings::from_overrides(&[]).unwrap();
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.log.format_in(settings.environment), LogFormat::Pretty);
    }

    #[test]
    fn every_problem_is_named() {
        let err = Settings::from_overrides(&[
            ("server.bind", "nonsense"),
            ("server.request_timeout_secs", "0"),
            ("mail.smtp_tls", "maybe"),
            ("server.bidn", "x"),
        ])
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("server.bind"), "{text}");
        assert!(text.contains("server.request_timeout_secs must be a whole number from 1 to 3600"), "{text}");
        assert!(text.contains("mail.smtp_tls"), "{text}");
        assert!(text.contains("server.bidn is not a known setting"), "{text}");
        assert_eq!(err.problems.len(), 4, "{text}");
    }

    #[test]
    fn clock_start_is_refused_in_production() {
        let err = Settings::from_overrides(&[
            ("environment", "production"),
            ("server.public_url", "https://icbt.example.org"),
            ("clock.start", "2026-01-01T00:00:00Z"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("clock.start is refused"), "{err}");
    }

    #[test]
    fn database_password_is_redacted() {
        let s = Settings::from_overrides(&[("database.url", "postgres://icbt:s3cret@db/icbt")]).unwrap();
        let debug = format!("{:?}", s.database);
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
