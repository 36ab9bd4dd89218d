//! Reading what the outbox delivered to the development mailbox.

use crate::support::{
    smtp::{decoded_body, header},
    TestApp,
};

/// Delivers the outbox into the mailbox folder and returns the body of the
/// newest message to `to`.
pub async fn delivered_to_mailbox(app: &TestApp, to: &str) -> String {
    let mailer = icbt::mail::Mailer::from_settings(&app.state.settings.mail).expect("mailer");
    let report = icbt::mail::deliver_due(&app.state, &mailer, "test-worker").await.expect("deliver");
    assert_eq!((report.retrying, report.dead), (0, 0), "mailbox delivery does not fail");
    let dir = &app.state.settings.mail.mailbox_dir;
    let mut files: Vec<_> =
        std::fs::read_dir(dir).expect("mailbox dir").flatten().map(|e| e.path()).collect();
    files.sort();
    files
        .iter()
        .rev()
        .map(|f| std::fs::read_to_string(f).expect("eml"))
        .find(|m| header(m, "To") == Some(to))
        .map(|m| decoded_body(&m))
        .unwrap_or_else(|| panic!("no mail to {to}"))
}
