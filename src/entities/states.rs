//! The states and kinds that the workflow tables hold. Each is stored as its
//! text, exactly as before it was an enum, so the schema and the stored rows
//! are unchanged and both engines read them the same.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An enum stored as text: the sea-orm mapping plus `as_str`, `parse` and
/// `ALL`, from one list of variants and their stored text.
macro_rules! stored_as_text {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$doc:meta])* $variant:ident = $text:tt ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $( $(#[$doc])* #[sea_orm(string_value = $text)] $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_as_text! {
    /// An assignment's answers: kept for later, or sent to the therapist.
    pub enum SubmissionStatus {
        Draft = "draft",
        Submitted = "submitted",
    }
}

stored_as_text! {
    /// How far a login has got.
    pub enum SessionStage {
        /// Password accepted; a one-time code is still needed.
        Totp = "totp",
        /// Password accepted; the clinic requires a second factor not yet set up.
        TotpSetup = "totp_setup",
        /// Fully logged in.
        Full = "full",
    }
}

stored_as_text! {
    /// Where a module stands for one patient.
    #[derive(Serialize, Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum ModuleState {
        Locked = "locked",
        Open = "open",
        Completed = "completed",
        Skipped = "skipped",
    }
}

stored_as_text! {
    /// When a therapist's digest goes out.
    pub enum DigestCadence {
        Daily = "daily",
        /// On the day before each patient's feedback is due.
        FeedbackDay = "feedback_day",
        Weekly = "weekly",
        /// Shown in the notification centre only; no e-mail.
        InApp = "in_app",
    }
}

stored_as_text! {
    /// One digest per patient, or all patients in one.
    pub enum DigestLayout {
        PerPatient = "per_patient",
        Combined = "combined",
    }
}

stored_as_text! {
    /// A digest's way from pending to the therapist.
    pub enum DigestStatus {
        Pending = "pending",
        Sent = "sent",
        /// In-app cadence: shown in the notification centre only.
        Shown = "shown",
        /// The therapist saw everything in it in the platform before it was due.
        Suppressed = "suppressed",
        /// Gave up after the last retry.
        Dead = "dead",
    }
}

stored_as_text! {
    /// An e-mail in the outbox.
    pub enum MailStatus {
        Pending = "pending",
        Sent = "sent",
        /// Gave up after the last retry.
        Dead = "dead",
    }
}

stored_as_text! {
    /// What an e-mail is; the outbox page and the drills count by it.
    pub enum MailKind {
        Invitation = "invitation",
        PasswordReset = "password_reset",
        Digest = "digest",
        RiskAlert = "risk_alert",
        PatientNotice = "patient_notice",
        DiaryReminder = "diary_reminder",
    }
}

stored_as_text! {
    /// How a therapist met a patient outside the platform.
    pub enum ContactKind {
        FaceToFace = "face_to_face",
        Phone = "phone",
        Video = "video",
    }
}

impl ContactKind {
    /// As the record and the timeline show it.
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::FaceToFace => "face to face",
            ContactKind::Phone => "phone",
            ContactKind::Video => "video",
        }
    }
}
