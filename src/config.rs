//! Settings: `config/default.toml` (built in), then an optional `--config` file,
//! then `ICBT__SECTION__KEY` environment variables. Every problem is reported at
//! once, each naming its setting, so an operator fixes them in one go.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use config::{Config, Environment as EnvSource, File, FileFormat, Value, ValueKind};

/// The built-in defaults; the same file documents every setting.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub environment: Environment,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub clock_start: Option<DateTime<Utc>>,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub content_dir: PathBuf,
    pub care_timezone: chrono_tz::Tz,
    pub digests: DigestWorkSettings,
}

#[derive(Clone, Debug)]
pub struct DigestWorkSettings {
    /// How long a worker's claim on a digest holds.
    pub lease: chrono::Duration,
    /// Crash tests only: the worker waits this long between claiming digests
    /// and composing them, so a test can kill it there. Refused in production.
    pub pause_after_claim: Duration,
}

#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub session_idle: chrono::Duration,
    pub session_absolute: chrono::Duration,
    pub api_token_lifetime: chrono::Duration,
    pub invitation_lifetime: chrono::Duration,
    pub reset_lifetime: chrono::Duration,
    pub account_failures_before_delay: u32,
    pub ip_failures_per_window: u32,
}

#[derive(Clone, Debug)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    /// Without a trailing slash.
    pub public_url: String,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    pub shutdown_grace: Duration,
}

#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
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

#[derive(Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub mailbox_dir: PathBuf,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: String,
    pub from: String,
    pub max_attempts: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
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

impl Settings {
    /// Defaults, then `file`, then the process environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, SettingsError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
        }
        let config = builder
            .add_source(EnvSource::with_prefix("ICBT").prefix_separator("__").separator("__"))
            .build()
            .map_err(|e| SettingsError { problems: vec![e.to_string()] })?;
        Self::from_config(&config)
    }

    /// Defaults overlaid with `overrides` (dotted keys), ignoring the environment.
    /// Tests and embedding programs use this.
    pub fn from_overrides(overrides: &[(&str, &str)]) -> Result<Self, SettingsError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        for (key, value) in overrides {
            builder = builder
                .set_override(*key, *value)
                .map_err(|e| SettingsError { problems: vec![e.to_string()] })?;
        }
        let config = builder.build().map_err(|e| SettingsError { problems: vec![e.to_string()] })?;
        Self::from_config(&config)
    }

    fn from_config(config: &Config) -> Result<Self, SettingsError> {
        let mut read = Reader { config, problems: Vec::new() };
        read.unknown_keys();
        let environment = read.parse("environment", |s| match s {
            "development" => Ok(Environment::Development),
            "test" => Ok(Environment::Test),
            "production" => Ok(Environment::Production),
            _ => Err("must be development, test or production".into()),
        });
        let bind = read.parse("server.bind", |s| {
            SocketAddr::from_str(s).map_err(|_| "must be an address and port such as 127.0.0.1:8080".into())
        });
        let public_url = read.parse("server.public_url", parse_public_url);
        let request_timeout = Duration::from_secs(read.number("server.request_timeout_secs", 1, 3600));
        let body_limit_bytes = read.number("server.body_limit_bytes", 1024, 1 << 30) as usize;
        let shutdown_grace = Duration::from_secs(read.number("server.shutdown_grace_secs", 0, 600));
        let database_url = read.parse("database.url", |s| {
            if s.starts_with("sqlite:") || s.starts_with("postgres://") || s.starts_with("postgresql://") {
                Ok(s.to_string())
            } else {
                Err("must start with sqlite: or postgres://".into())
            }
        });
        let max_connections = read.number("database.max_connections", 1, 1000) as u32;
        let busy_timeout = Duration::from_millis(read.number("database.busy_timeout_ms", 0, 600_000));
        let transport = read.parse("mail.transport", |s| match s {
            "mailbox" => Ok(MailTransport::Mailbox),
            "smtp" => Ok(MailTransport::Smtp),
            _ => Err("must be mailbox or smtp".into()),
        });
        let mailbox_dir = PathBuf::from(read.text("mail.mailbox_dir"));
        let smtp_host = read.text("mail.smtp_host");
        let smtp_port = read.number("mail.smtp_port", 1, 65535) as u16;
        let smtp_tls = read.parse("mail.smtp_tls", |s| match s {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            _ => Err("must be none, starttls or tls".into()),
        });
        let smtp_username = read.text_or_empty("mail.smtp_username");
        let smtp_password = read.text_or_empty("mail.smtp_password");
        let from = read.parse("mail.from", |s| {
            if s.contains('@') && !s.contains(char::is_whitespace) {
                Ok(s.to_string())
            } else {
                Err("must be an e-mail address".into())
            }
        });
        let max_attempts = read.number("mail.max_attempts", 1, 100) as i32;
        let minutes = |n: u64| chrono::Duration::minutes(n as i64);
        let auth = AuthSettings {
            session_idle: minutes(read.number("auth.session_idle_minutes", 1, 24 * 60)),
            session_absolute: minutes(60 * read.number("auth.session_absolute_hours", 1, 24 * 30)),
            api_token_lifetime: minutes(24 * 60 * read.number("auth.api_token_days", 1, 365)),
            invitation_lifetime: minutes(24 * 60 * read.number("auth.invitation_days", 1, 90)),
            reset_lifetime: minutes(60 * read.number("auth.reset_hours", 1, 72)),
            account_failures_before_delay: read.number("auth.account_failures_before_delay", 1, 1000) as u32,
            ip_failures_per_window: read.number("auth.ip_failures_per_window", 1, 100_000) as u32,
        };
        let clock_start = read.parse("clock.start", |s| match s {
            "" => Ok(None),
            s => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| "must be an RFC 3339 instant such as 2026-03-02T08:00:00Z".into()),
        });
        if environment == Some(Environment::Production)
            && public_url.as_deref().is_some_and(|u| u.starts_with("http://"))
        {
            read.problem("server.public_url", "must be https:// when environment = \"production\"");
        }
        if environment == Some(Environment::Production) && matches!(clock_start, Some(Some(_))) {
            read.problem("clock.start", "is refused when environment = \"production\"");
        }
        let log_format = read.parse("log.format", |s| match s {
            "auto" => Ok(None),
            "pretty" => Ok(Some(LogFormat::Pretty)),
            "json" => Ok(Some(LogFormat::Json)),
            _ => Err("must be auto, pretty or json".into()),
        });
        let content_dir = PathBuf::from(read.text("content.dir"));
        let care_timezone = read
            .parse("care.timezone", |s| {
                s.parse::<chrono_tz::Tz>().map_err(|_| "must be a time zone such as Europe/Amsterdam".into())
            })
            .unwrap_or(chrono_tz::Tz::UTC);
        let digests = DigestWorkSettings {
            lease: chrono::Duration::seconds(read.number("digests.lease_seconds", 5, 3600) as i64),
            pause_after_claim: Duration::from_millis(read.number("digests.pause_after_claim_ms", 0, 600_000)),
        };
        if environment == Some(Environment::Production) && !digests.pause_after_claim.is_zero() {
            read.problem("digests.pause_after_claim_ms", "is refused when environment = \"production\"");
        }
        let filter = read.text("log.filter");
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&filter) {
            read.problem("log.filter", &format!("is not a valid filter: {e}"));
        }

        let problems = read.problems;
        let (
            Some(environment),
            Some(bind),
            Some(public_url),
            Some(url),
            Some(transport),
            Some(smtp_tls),
            Some(from),
            Some(clock_start),
            Some(log_format),
        ) = (environment, bind, public_url, database_url, transport, smtp_tls, from, clock_start, log_format)
        else {
            return Err(SettingsError { problems });
        };
        if !problems.is_empty() {
            return Err(SettingsError { problems });
        }
        let format = log_format.unwrap_or(match environment {
            Environment::Development => LogFormat::Pretty,
            _ => LogFormat::Json,
        });
        Ok(Settings {
            environment,
            server: ServerSettings { bind, public_url, request_timeout, body_limit_bytes, shutdown_grace },
            database: DatabaseSettings { url, max_connections, busy_timeout },
            mail: MailSettings {
                transport,
                mailbox_dir,
                smtp_host,
                smtp_port,
                smtp_tls,
                smtp_username,
                smtp_password,
                from,
                max_attempts,
            },
            clock_start,
            log: LogSettings { format, filter },
            auth,
            content_dir,
            care_timezone,
            digests,
        })
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

fn parse_public_url(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(s.trim_end_matches('/').to_string())
        }
        _ => Err("must be an http:// or https:// URL such as https://icbt.example.org".into()),
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

/// Reads settings one by one, collecting every problem instead of stopping at
/// the first.
struct Reader<'a> {
    config: &'a Config,
    problems: Vec<String>,
}

/// Keys a settings file or the environment may set; anything else is a typo.
const KNOWN_KEYS: &[&str] = &[
    "environment",
    "server.bind",
    "server.public_url",
    "server.request_timeout_secs",
    "server.body_limit_bytes",
    "server.shutdown_grace_secs",
    "database.url",
    "database.max_connections",
    "database.busy_timeout_ms",
    "mail.transport",
    "mail.mailbox_dir",
    "mail.smtp_host",
    "mail.smtp_port",
    "mail.smtp_tls",
    "mail.smtp_username",
    "mail.smtp_password",
    "mail.from",
    "mail.max_attempts",
    "auth.session_idle_minutes",
    "auth.session_absolute_hours",
    "auth.api_token_days",
    "auth.invitation_days",
    "auth.reset_hours",
    "auth.account_failures_before_delay",
    "auth.ip_failures_per_window",
    "clock.start",
    "content.dir",
    "care.timezone",
    "digests.lease_seconds",
    "digests.pause_after_claim_ms",
    "log.format",
    "log.filter",
];

impl Reader<'_> {
    fn problem(&mut self, key: &str, message: &str) {
        self.problems.push(format!("{key} {message}"));
    }

    fn unknown_keys(&mut self) {
        let Ok(table) = self.config.cache.clone().into_table() else { return };
        let mut keys = Vec::new();
        flatten_keys("", &table, &mut keys);
        for key in keys {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                self.problem(&key, "is not a known setting (see config/default.toml)");
            }
        }
    }

    fn raw(&mut self, key: &str) -> Option<String> {
        match self.config.get_string(key) {
            Ok(value) => Some(value.trim().to_string()),
            Err(_) => {
                self.problem(key, "is missing");
                None
            }
        }
    }

    fn text(&mut self, key: &str) -> String {
        match self.raw(key) {
            Some(v) if v.is_empty() => {
                self.problem(key, "must not be empty");
                v
            }
            Some(v) => v,
            None => String::new(),
        }
    }

    fn text_or_empty(&mut self, key: &str) -> String {
        self.raw(key).unwrap_or_default()
    }

    fn parse<T>(&mut self, key: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let raw = self.raw(key)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(why) => {
                self.problem(key, &format!("{why} (got {raw:?})"));
                None
            }
        }
    }

    fn number(&mut self, key: &str, min: u64, max: u64) -> u64 {
        self.parse(key, |s| match s.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number from {min} to {max}")),
        })
        .unwrap_or(min)
    }
}

fn flatten_keys(prefix: &str, table: &config::Map<String, Value>, out: &mut Vec<String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match &value.kind {
            ValueKind::Table(inner) => flatten_keys(&full, inner, out),
            _ => out.push(full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let settings = Settings::from_overrides(&[]).unwrap();
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.log.format, LogFormat::Pretty);
    }

    #[test]
    fn every_problem_is_named() {
        let err = Settings::from_overrides(&[
            ("server.bind", "nonsense"),
            ("mail.smtp_tls", "maybe"),
            ("server.bidn", "x"),
        ])
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("server.bind"), "{text}");
        assert!(text.contains("mail.smtp_tls"), "{text}");
        assert!(text.contains("server.bidn is not a known setting"), "{text}");
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
