//! Rendering Tera templates with the Fluent `t(key=…)` function.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
    response::Html,
};
use fluent_templates::{static_loader, FluentLoader, Loader};
use tera::{Context, Tera};

use crate::error::{AppError, AppResult};

static_loader! {
    static LOCALES = {
        locales: "./src/web/locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Templates built into the binary, so `icbt` runs from any folder.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("error.html", include_str!("templates/error.html")),
    ("home.html", include_str!("templates/home.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("auth/login.html", include_str!("templates/auth/login.html")),
    ("auth/code.html", include_str!("templates/auth/code.html")),
    ("auth/setup_2fa.html", include_str!("templates/auth/setup_2fa.html")),
    ("auth/recovery_codes.html", include_str!("templates/auth/recovery_codes.html")),
    ("auth/set_password.html", include_str!("templates/auth/set_password.html")),
    ("auth/forgot.html", include_str!("templates/auth/forgot.html")),
    ("auth/account.html", include_str!("templates/auth/account.html")),
    ("admin/clinics.html", include_str!("templates/admin/clinics.html")),
    ("admin/clinic.html", include_str!("templates/admin/clinic.html")),
    ("admin/audit.html", include_str!("templates/admin/audit.html")),
    ("admin/outbox.html", include_str!("templates/admin/outbox.html")),
    ("dev/mailbox.html", include_str!("templates/dev/mailbox.html")),
    ("dev/message.html", include_str!("templates/dev/message.html")),
    ("form/field.html", include_str!("templates/form/field.html")),
    ("partials/chart.html", include_str!("templates/partials/chart.html")),
    ("partials/score_chart.html", include_str!("templates/partials/score_chart.html")),
    ("form/control.html", include_str!("templates/form/control.html")),
    ("patient/home.html", include_str!("templates/patient/home.html")),
    ("patient/program.html", include_str!("templates/patient/program.html")),
    ("patient/page.html", include_str!("templates/patient/page.html")),
    ("patient/assignment.html", include_str!("templates/patient/assignment.html")),
    ("patient/diary.html", include_str!("templates/patient/diary.html")),
    ("patient/questionnaires.html", include_str!("templates/patient/questionnaires.html")),
    ("patient/questionnaire.html", include_str!("templates/patient/questionnaire.html")),
    ("patient/questionnaire_done.html", include_str!("templates/patient/questionnaire_done.html")),
    ("patient/messages.html", include_str!("templates/patient/messages.html")),
    ("patient/my_data.html", include_str!("templates/patient/my_data.html")),
    ("therapist/caseload.html", include_str!("templates/therapist/caseload.html")),
    ("therapist/record.html", include_str!("templates/therapist/record.html")),
    ("therapist/enroll.html", include_str!("templates/therapist/enroll.html")),
    ("therapist/snippets.html", include_str!("templates/therapist/snippets.html")),
    ("therapist/cover.html", include_str!("templates/therapist/cover.html")),
    ("therapist/digest_settings.html", include_str!("templates/therapist/digest_settings.html")),
    ("mail/invitation.txt", include_str!("templates/mail/invitation.txt")),
    ("mail/password_reset.txt", include_str!("templates/mail/password_reset.txt")),
    ("mail/digest.txt", include_str!("templates/mail/digest.txt")),
    ("manager/uptake.html", include_str!("templates/manager/uptake.html")),
    ("admin/usage.html", include_str!("templates/admin/usage.html")),
    ("therapist/figures.html", include_str!("templates/therapist/figures.html")),
    ("therapist/notifications.html", include_str!("templates/therapist/notifications.html")),
    ("patient/reminders.html", include_str!("templates/patient/reminders.html")),
    ("mail/risk_alert.txt", include_str!("templates/mail/risk_alert.txt")),
    ("mail/patient_notice.txt", include_str!("templates/mail/patient_notice.txt")),
    ("mail/diary_reminder.txt", include_str!("templates/mail/diary_reminder.txt")),
];

/// The compiled templates.
pub struct Views {
    tera: Tera,
    /// The zone for readers who have none of their own (`care.timezone`).
    default_zone: chrono_tz::Tz,
}

impl Views {
    pub fn load(default_zone: chrono_tz::Tz) -> Result<Self, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        let default_lang = "en".parse().map_err(|_| tera::Error::msg("bad default language"))?;
        tera.register_function("t", FluentLoader::new(&*LOCALES).with_default_lang(default_lang));
        tera.register_filter("datetime", super::local_time::datetime_filter);
        tera.register_filter("date", super::local_time::date_filter);
        tera.register_filter("paragraphs", super::text::paragraphs_filter);
        tera.autoescape_on(vec![".html"]);
        // Text templates (mail bodies) are not escaped.
        Ok(Views { tera, default_zone })
    }

    /// A plain-text template (e-mail bodies); no HTML escaping.
    pub fn render_text(&self, template: &str, lang: Lang, mut context: Context) -> AppResult<String> {
        context.insert("lang", lang.code());
        self.render_for_reader(template, lang, &context)
    }

    /// One translated message, for text outside templates (e-mail subjects).
    pub fn text(&self, lang: Lang, key: &str) -> String {
        message(lang, key)
    }

    /// One translated message with its arguments (`{ $name }`).
    pub fn text_with(&self, lang: Lang, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue,
        > = args.iter().map(|(name, value)| ((*name).into(), value.to_string().into())).collect();
        LOCALES.lookup_with_args(&lang.langid(), key, &args)
    }

    /// Renders `template` with `context`; `lang` and the asset version are
    /// always available to templates.
    pub fn render(&self, template: &str, lang: Lang, mut context: Context) -> AppResult<Html<String>> {
        context.insert("lang", lang.code());
        context.insert("asset_version", super::asset_version());
        self.render_for_reader(template, lang, &context).map(Html)
    }

    /// Renders with the reader's zone (the context's `tz`, else the
    /// default) and language, so dates read as theirs.
    fn render_for_reader(&self, template: &str, lang: Lang, context: &Context) -> AppResult<String> {
        let zone = context
            .get("tz")
            .and_then(|tz| tz.as_str())
            .and_then(|tz| tz.parse().ok())
            .unwrap_or(self.default_zone);
        super::local_time::for_reader(zone, lang, || self.tera.render(template, context))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {template}: {e:?}")))
    }

    /// The zone for readers who have chosen none and belong to no clinic.
    pub fn default_zone(&self) -> chrono_tz::Tz {
        self.default_zone
    }
}

/// One translated message.
pub(super) fn message(lang: Lang, key: &str) -> String {
    LOCALES.lookup(&lang.langid(), key)
}

/// The interface language of a request: the user's setting once logged in,
/// before that the browser's `Accept-Language`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

pub const LANG_COOKIE: &str = "icbt_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    fn langid(self) -> unic_langid::LanguageIdentifier {
        match self {
            Lang::En => unic_langid::langid!("en"),
            Lang::Nl => unic_langid::langid!("nl"),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Self {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| Lang::from_code(tag.split('-').next().unwrap_or("")))
            .unwrap_or_default()
    }

    /// The language remembered from the last logout, else the browser's.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
        if let Some(lang) = jar.get(LANG_COOKIE).and_then(|c| Lang::from_code(c.value())) {
            return lang;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = parts.extensions.get::<Lang>() {
            return Ok(*lang);
        }
        Ok(Lang::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Lang::from_accept_language("de-DE,nl;q=0.8,en;q=0.5"), Lang::Nl);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
    }

    /// Every message exists in English and in Dutch.
    #[test]
    fn both_languages_have_every_message() {
        let keys = |text: &str| -> std::collections::BTreeSet<String> {
            text.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
                .filter(|k| !k.is_empty() && !k.starts_with(['#', ' ', '*', '[']))
                .collect()
        };
        let en = keys(include_str!("locales/en/main.ftl"));
        let nl = keys(include_str!("locales/nl/main.ftl"));
        assert_eq!(en.difference(&nl).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in Dutch");
        assert_eq!(nl.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in English");
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        let views = Views::load(chrono_tz::Tz::UTC).unwrap();
        for lang in [Lang::En, Lang::Nl] {
            let mut ctx = Context::new();
            ctx.insert("status", &404);
            ctx.insert("title", "Not found");
            let html = views.render("error.html", lang, ctx).unwrap().0;
            assert!(html.contains(&format!("lang=\"{}\"", lang.code())));
            assert!(!html.contains("Unknown localization"), "{html}");
        }
    }
}
