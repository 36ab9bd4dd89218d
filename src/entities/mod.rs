//! sea-orm entities: one file per table, in the shape sea-orm-codegen writes.
//! Rules live in the features' service modules, not here.

pub mod clinics;
pub mod teams;
pub mod users;
