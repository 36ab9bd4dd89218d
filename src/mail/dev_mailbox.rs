//! The development mailbox (`/dev/mailbox`): the e-mails written to the
//! mailbox folder, decoded as a recipient's mail program would show them
//! (subject and body as text, not quoted-printable or base64). It exists only
//! with `mail.transport = "mailbox"` in development; everywhere else it is 404.

use axum::{
    extract::{Path, State},
    response::Html,
    routing::get,
};
use mail_parser::MessageParser;
use serde::Serialize;

use crate::routing::{Access, Routes};
use crate::{
    config::MailTransport,
    error::{AppError, AppResult},
    state::AppState,
    web::{page, CsrfToken, Lang},
};

pub fn routes() -> Routes {
    Routes::new().page(Access::Public, "/dev/mailbox", get(mailbox)).page(
        Access::Public,
        "/dev/mailbox/{file}",
        get(mailbox_message),
    )
}

fn mailbox_dir(state: &AppState) -> AppResult<&std::path::Path> {
    let mail = &state.settings.mail;
    if state.settings.is_development() && mail.transport == MailTransport::Mailbox {
        Ok(&mail.mailbox_dir)
    } else {
        Err(AppError::NotFound)
    }
}

/// One e-mail as a person reads it.
#[derive(Serialize, Default)]
struct Decoded {
    file: String,
    subject: String,
    from: String,
    to: String,
    date: String,
    body: String,
}

fn decode(file: String, raw: &[u8]) -> Decoded {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Decoded { file, body: String::from_utf8_lossy(raw).into_owned(), ..Decoded::default() };
    };
    let addresses = |list: Option<&mail_parser::Address>| {
        list.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address.as_deref().map(str::to_string))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    };
    Decoded {
        file,
        subject: message.subject().unwrap_or_default().to_string(),
        from: addresses(message.from()),
        to: addresses(message.to()),
        date: message.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
        body: message.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
    }
}

async fn mailbox(State(state): State<AppState>, lang: Lang, csrf: CsrfToken) -> AppResult<Html<String>> {
    let dir = mailbox_dir(&state)?;
    let mut entries = Vec::new();
    if let Ok(mut read) = tokio::fs::read_dir(dir).await {
        while let Ok(Some(entry)) = read.next_entry().await {
            let file = entry.file_name().to_string_lossy().to_string();
            if !file.ends_with(".eml") {
                continue;
            }
            let raw = tokio::fs::read(entry.path()).await.unwrap_or_default();
            entries.push(decode(file, &raw));
        }
    }
    // UUIDv7 file names sort by time; newest first.
    entries.sort_by(|a, b| b.file.cmp(&a.file));
    let mut context = page::context(None, &csrf);
    context.insert("entries", &entries);
    state.views.render("dev/mailbox.html", lang, context)
}

async fn mailbox_message(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    Path(file): Path<String>,
) -> AppResult<Html<String>> {
    let dir = mailbox_dir(&state)?;
    let valid =
        file.ends_with(".eml") && file.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !valid {
        return Err(AppError::NotFound);
    }
    let raw = tokio::fs::read(dir.join(&file)).await.map_err(|_| AppError::NotFound)?;
    let mut context = page::context(None, &csrf);
    context.insert("mail", &decode(file, &raw));
    state.views.render("dev/message.html", lang, context)
}
