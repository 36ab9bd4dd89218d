//! Outcomes that prompt action. A patient's own scores raise a flag on their
//! treatment; the flag is a reason on the caseload and a banner on top of the
//! record until the therapist decides, with a reason, and the decision is
//! audited and counted in the report.
//!
//! Also here: not on track in weeks 3–4 (`not_on_track`), and going quiet (`going_quiet`), a reason on the caseload and a
//! weekly nudge for the patient, measured against the patient's own rhythm.
//!
//! The stepped-care flag: For chronic fatigue (and pain) the online
//! course is the first step of stepped care; a patient whose end-of-treatment
//! score is still at or above the program's threshold (`[stepped_care]` in
//! `program.toml`) is offered face-to-face CBT, or the therapist records why
//! not.

pub mod going_quiet;
pub mod not_on_track;
pub mod open;
pub mod routes;
pub mod stepped_care;

pub use open::{open_flags, FlagView};
pub use routes::routes;
pub use stepped_care::raise_if_above_threshold;
