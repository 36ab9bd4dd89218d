//! How a message leaves: SMTP through lettre's pooled transport, or a
//! mailbox folder of .eml files in development.

use std::path::PathBuf;

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::{authentication::Credentials, client::Tls, client::TlsParameters},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use crate::{
    config::{MailSettings, MailTransport, SmtpTls},
    entities::mail_outbox,
};

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Mailbox(PathBuf),
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        if settings.transport == MailTransport::Mailbox {
            return Ok(Mailer::Mailbox(settings.mailbox_dir.clone()));
        }
        let host = settings.smtp_host.as_str();
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(settings.smtp_port);
        builder = match settings.smtp_tls {
            SmtpTls::None => builder.tls(Tls::None),
            SmtpTls::StartTls => builder.tls(Tls::Required(TlsParameters::new(host.to_string())?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(TlsParameters::new(host.to_string())?)),
        };
        if !settings.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.smtp_username.clone(),
                settings.smtp_password.clone(),
            ));
        }
        Ok(Mailer::Smtp(builder.timeout(Some(std::time::Duration::from_secs(15))).build()))
    }

    /// Sends one outbox row; the error text is for the outbox, never logged.
    pub async fn send(&self, row: &mail_outbox::Model, from: &str) -> Result<(), String> {
        let message = build(row, from)?;
        match self {
            Mailer::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Mailbox(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                let path = dir.join(format!("{}.eml", row.id));
                tokio::fs::write(path, message.formatted()).await.map_err(|e| e.to_string())
            }
        }
    }
}

fn build(row: &mail_outbox::Model, from: &str) -> Result<Message, String> {
    let from: Mailbox = format!("icbt <{from}>").parse().map_err(|e| format!("from: {e}"))?;
    let to: Mailbox = row.to_address.parse().map_err(|e| format!("to: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        // lettre picks the transfer encoding: links longer than 76
        // characters travel quoted-printable, which every mail client decodes.
        .body(row.body_text.clone())
        .map_err(|e| e.to_string())
}
