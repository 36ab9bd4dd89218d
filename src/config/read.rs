//! Reading one setting: every value arrives as text (from a file or the
//! environment alike) and is checked here, with a message that says what
//! is allowed and what was given.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use config::{Config, Value, ValueKind};
use serde::{de::Error as _, Deserialize, Deserializer};

use super::DEFAULT_TOML;

/// The setting as text, without surrounding white space.
fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(String::deserialize(d)?.trim().to_string())
}

/// Parses the setting, or explains what it must be.
fn parse<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    let raw = raw(d)?;
    parse(&raw).map_err(|why| D::Error::custom(format!("{why} (got {raw:?})")))
}

fn number<'de, D: Deserializer<'de>>(d: D, min: u64, max: u64) -> Result<u64, D::Error> {
    parse(d, |s| match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    })
}

pub fn whole<'de, const MIN: u64, const MAX: u64, T: TryFrom<u64>, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    T::try_from(number(d, MIN, MAX)?).map_err(|_| D::Error::custom(format!("must be at most {MAX}")))
}

pub fn seconds<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(
    d: D,
) -> Result<Duration, D::Error> {
    Ok(Duration::from_secs(number(d, MIN, MAX)?))
}

pub fn millis<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    Ok(Duration::from_millis(number(d, MIN, MAX)?))
}

pub fn chrono_seconds<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    Ok(chrono::Duration::seconds(number(d, MIN, MAX)? as i64))
}

pub fn minutes<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    Ok(chrono::Duration::minutes(number(d, MIN, MAX)? as i64))
}

pub fn hours<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    Ok(chrono::Duration::hours(number(d, MIN, MAX)? as i64))
}

pub fn days<'de, const MIN: u64, const MAX: u64, D: Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    Ok(chrono::Duration::days(number(d, MIN, MAX)? as i64))
}

pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse(d, |s| if s.is_empty() { Err("must not be empty".into()) } else { Ok(s.to_string()) })
}

pub fn text_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    raw(d)
}

pub fn path<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    text(d).map(PathBuf::from)
}

pub fn address<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    parse(d, |s| {
        SocketAddr::from_str(s).map_err(|_| "must be an address and port such as 127.0.0.1:8080".into())
    })
}

pub fn public_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse(d, |s| {
        let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                Ok(s.trim_end_matches('/').to_string())
            }
            _ => Err("must be an http:// or https:// URL such as https://icbt.example.org".into()),
        }
    })
}

pub fn database_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse(d, |s| {
        if s.starts_with("sqlite:") || s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(s.to_string())
        } else {
            Err("must start with sqlite: or postgres://".into())
        }
    })
}

pub fn email<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse(d, |s| {
        if s.contains('@') && !s.contains(char::is_whitespace) {
            Ok(s.to_string())
        } else {
            Err("must be an e-mail address".into())
        }
    })
}

pub fn instant_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    parse(d, |s| match s {
        "" => Ok(None),
        s => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| "must be an RFC 3339 instant such as 2026-03-02T08:00:00Z".into()),
    })
}

pub fn time_zone<'de, D: Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
    parse(d, |s| {
        s.parse::<chrono_tz::Tz>().map_err(|_| "must be a time zone such as Europe/Amsterdam".into())
    })
}

pub fn log_filter<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse(d, |s| match tracing_subscriber::EnvFilter::try_new(s) {
        Ok(_) => Ok(s.to_string()),
        Err(e) => Err(format!("is not a valid filter: {e}")),
    })
}

/// A problem's text without what the configuration library adds to it.
pub fn message(error: &config::ConfigError) -> String {
    match error {
        config::ConfigError::Message(message) => message.clone(),
        config::ConfigError::At { error, .. } => message(error),
        other => other.to_string(),
    }
}

/// A setting that takes one of a few words.
pub trait Choice: Sized + Copy + 'static {
    const CHOICES: &'static [(&'static str, Self)];
}

pub fn choice<'de, T: Choice, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    parse(d, |s| {
        T::CHOICES.iter().find(|(word, _)| *word == s).map(|(_, value)| *value).ok_or_else(|| {
            let words: Vec<&str> = T::CHOICES.iter().map(|(word, _)| *word).collect();
            let (last, rest) = words.split_last().unwrap_or((&"", &[]));
            format!("must be {} or {last}", rest.join(", "))
        })
    })
}

/// The built-in default of a dotted key, as text; `None` for an unknown key.
pub fn default_of(key: &str) -> Option<String> {
    // Parsed once: every key of every source is looked up here.
    static DEFAULTS: std::sync::OnceLock<Option<toml::Value>> = std::sync::OnceLock::new();
    let mut value =
        DEFAULTS.get_or_init(|| DEFAULT_TOML.parse::<toml::Table>().ok().map(toml::Value::Table)).as_ref()?;
    for part in key.split('.') {
        value = value.as_table()?.get(part)?;
    }
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Keys that a settings file or the environment set and the defaults do not
/// have: typos, each named.
pub fn unknown_keys(config: &Config) -> Vec<String> {
    let Ok(table) = config.cache.clone().into_table() else { return Vec::new() };
    let mut keys = Vec::new();
    flatten_keys("", &table, &mut keys);
    keys.into_iter()
        .filter(|key| default_of(key).is_none())
        .map(|key| format!("{key} is not a known setting (see config/default.toml)"))
        .collect()
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
