//! Treatment content: programs, modules, pages, forms and questionnaires,
//! read from `modules-content/` at start into an immutable catalogue and
//! checked by `icbt content check`. See `modules-content/FORMAT.md`.

pub mod answers;
mod forms;
mod instruments;
mod load;
mod loader;
pub mod markdown;
pub mod model;
mod raw;
mod routes;
pub mod scoring;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

pub use load::{load, ContentError, ContentErrors};
pub use model::{Item, ItemBody, ItemKind, Module, Program, Questionnaire, Tip};
pub use routes::routes;

/// Everything in `modules-content/`, loaded once and shared read-only.
#[derive(Debug)]
pub struct Catalogue {
    /// A hash of every file: stored with each answer, so records always say
    /// which content they answered.
    pub version: String,
    root: PathBuf,
    programs: BTreeMap<String, Program>,
    questionnaires: BTreeMap<String, Questionnaire>,
    tips: Vec<Tip>,
}

impl Catalogue {
    pub fn load(root: &Path) -> Result<Self, ContentErrors> {
        load(root)
    }

    pub fn programs(&self) -> impl Iterator<Item = &Program> {
        self.programs.values()
    }

    pub fn program(&self, id: &str) -> Option<&Program> {
        self.programs.get(id)
    }

    pub fn questionnaire(&self, id: &str) -> Option<&Questionnaire> {
        self.questionnaires.get(id)
    }

    pub fn tips(&self) -> &[Tip] {
        &self.tips
    }

    /// An item of a program with the module it belongs to.
    pub fn item(&self, program: &str, item_id: &str) -> Option<(&Module, &Item)> {
        self.program(program)?
            .modules
            .iter()
            .find_map(|module| module.items.iter().find(|i| i.id == item_id).map(|item| (module, item)))
    }

    /// The file behind a page's audio or video, if the program uses it.
    pub fn media_path(&self, program: &str, file: &str) -> Option<PathBuf> {
        let used =
            self.program(program)?.modules.iter().flat_map(|m| &m.items).any(|item| match &item.body {
                ItemBody::Page(page) => {
                    page.audio.as_deref() == Some(file) || page.video.as_deref() == Some(file)
                }
                ItemBody::Form(_) => false,
            });
        used.then(|| self.root.join(program).join("media").join(file))
    }

    /// One line per program: its modules and how many items of each kind.
    pub fn summary(&self) -> String {
        let mut out = format!("content version {}\n", self.version);
        for program in self.programs.values() {
            out.push_str(&format!(
                "{} — {} ({} modules)\n",
                program.id,
                program.title,
                program.modules.len()
            ));
            for module in &program.modules {
                let count = |kind| module.items.iter().filter(|i| i.kind == kind).count();
                out.push_str(&format!(
                    "  {:<28} {} pages, {} assignments, {} diaries\n",
                    module.id,
                    count(ItemKind::Page),
                    count(ItemKind::Assignment),
                    count(ItemKind::Diary)
                ));
            }
        }
        out.push_str(&format!("{} questionnaires: ", self.questionnaires.len()));
        out.push_str(&self.questionnaires.keys().cloned().collect::<Vec<_>>().join(", "));
        out.push_str(&format!("\n{} booster tips\n", self.tips.len()));
        out
    }
}
