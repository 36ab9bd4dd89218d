//! Reading `modules-content/` into a catalogue, collecting every problem with
//! its file and line instead of stopping at the first.

use std::{
    collections::{BTreeMap, HashSet},
    path::Path,
};

use super::loader::{valid_id, Loader, Source};
pub use super::loader::{ContentError, ContentErrors};
use super::{
    markdown,
    model::{
        Assessment, AssessmentWhen, FieldType, Item, ItemBody, ItemKind, Module, NotOnTrack, Page, Program,
        SteppedCare,
    },
    raw, Catalogue,
};

/// Loads and checks everything under `root`.
pub fn load(root: &Path) -> Result<Catalogue, ContentErrors> {
    let mut loader = Loader::new(root);
    if !root.is_dir() {
        loader.error(Path::new("."), 1, format!("the content folder {} does not exist", root.display()));
        return Err(ContentErrors(loader.errors));
    }
    let questionnaires = super::instruments::load_questionnaires(&mut loader);
    let tips = super::instruments::load_tips(&mut loader);
    let mut programs = BTreeMap::new();
    for name in loader.list(Path::new("")) {
        if name == "questionnaires" || !loader.is_dir(Path::new(&name)) {
            continue;
        }
        if !loader.exists(&Path::new(&name).join("program.toml")) {
            loader.error(Path::new(&name), 1, "a program folder needs a program.toml");
            continue;
        }
        if let Some(program) = load_program(&mut loader, &name, &questionnaires) {
            programs.insert(program.id.clone(), program);
        }
    }
    if programs.is_empty() && loader.errors.is_empty() {
        loader.error(Path::new("."), 1, "no programs found (a folder with a program.toml)");
    }
    if !loader.errors.is_empty() {
        return Err(ContentErrors(loader.errors));
    }
    let version = loader.version();
    Ok(Catalogue { version, root: root.to_path_buf(), programs, questionnaires, tips })
}

fn load_program(
    loader: &mut Loader,
    folder: &str,
    questionnaires: &BTreeMap<String, super::model::Questionnaire>,
) -> Option<Program> {
    let source = loader.read(&Path::new(folder).join("program.toml"))?;
    let file: raw::ProgramFile = loader.parse(&source)?;
    if file.id.get_ref() != folder {
        loader.at(
            &source,
            file.id.span(),
            format!("the id {:?} must equal the folder name {folder:?}", file.id.get_ref()),
        );
    }
    if file.modules.len() < 6 {
        loader.error(
            &source.rel,
            1,
            format!("a program has six or more modules; this one lists {}", file.modules.len()),
        );
    }
    let mut item_ids = HashSet::new();
    let mut modules = load_modules(loader, folder, &source, &file, &mut item_ids);
    attach_diaries(loader, folder, &source, &file.diaries, &mut modules, &mut item_ids);
    check_unlisted(loader, folder, &file);
    let assessments = load_assessments(loader, &source, &file.assessments, &modules, questionnaires);
    let stepped_care = file.stepped_care.map(|s| {
        if !questionnaires.contains_key(s.instrument.get_ref()) {
            loader.at(
                &source,
                s.instrument.span(),
                format!("unknown questionnaire {:?}", s.instrument.get_ref()),
            );
        }
        SteppedCare { instrument: s.instrument.into_inner(), at_or_above: s.at_or_above }
    });
    let not_on_track =
        file.not_on_track.map(|rule| check_not_on_track(loader, &source, rule, &modules, questionnaires));
    Some(Program {
        id: file.id.into_inner(),
        title: file.title,
        summary: file.summary,
        modules,
        assessments,
        stepped_care,
        not_on_track,
    })
}

/// The rule's questionnaire, diary and field exist, the field is a scale,
/// and the weeks are in order.
fn check_not_on_track(
    loader: &mut Loader,
    source: &Source,
    rule: raw::NotOnTrackRaw,
    modules: &[Module],
    questionnaires: &BTreeMap<String, super::model::Questionnaire>,
) -> NotOnTrack {
    if !questionnaires.contains_key(rule.baseline.get_ref()) {
        loader.at(
            source,
            rule.baseline.span(),
            format!("unknown questionnaire {:?}", rule.baseline.get_ref()),
        );
    }
    let diary = modules
        .iter()
        .flat_map(|m| &m.items)
        .find(|i| i.id == *rule.diary.get_ref() && i.kind == ItemKind::Diary);
    match diary.map(|d| &d.body) {
        None => loader.at(source, rule.diary.span(), format!("unknown diary {:?}", rule.diary.get_ref())),
        Some(ItemBody::Form(form)) => {
            let field = form.fields.iter().find(|f| f.id == *rule.field.get_ref());
            if !field.is_some_and(|f| f.kind == FieldType::Scale) {
                let message = format!("the diary has no scale field {:?}", rule.field.get_ref());
                loader.at(source, rule.field.span(), message);
            }
        }
        Some(_) => {}
    }
    let from_week = *rule.from_week.get_ref();
    if from_week == 0 || rule.to_week < from_week {
        loader.at(
            source,
            rule.from_week.span(),
            "weeks: from_week must be 1 or more, and to_week at least from_week",
        );
    }
    NotOnTrack {
        from_week,
        to_week: rule.to_week,
        baseline: rule.baseline.into_inner(),
        diary: rule.diary.into_inner(),
        field: rule.field.into_inner(),
        at_or_above: rule.at_or_above,
        reliable_change: rule.reliable_change,
    }
}

/// The program's modules, in the order `program.toml` lists them.
fn load_modules(
    loader: &mut Loader,
    folder: &str,
    source: &Source,
    file: &raw::ProgramFile,
    item_ids: &mut HashSet<String>,
) -> Vec<Module> {
    let mut modules: Vec<Module> = Vec::new();
    for module_folder in &file.modules {
        let rel = Path::new(folder).join(module_folder.get_ref());
        if !loader.is_dir(&rel) {
            let message = format!("module folder {:?} does not exist", module_folder.get_ref());
            loader.at(source, module_folder.span(), message);
            continue;
        }
        if let Some(module) = load_module(loader, folder, &rel, item_ids) {
            if modules.iter().any(|m| m.id == module.id) {
                loader.at(source, module_folder.span(), format!("module id {:?} is used twice", module.id));
            }
            modules.push(module);
        }
    }
    modules
}

fn load_module(
    loader: &mut Loader,
    program: &str,
    rel: &Path,
    item_ids: &mut HashSet<String>,
) -> Option<Module> {
    let source = loader.read(&rel.join("module.toml"))?;
    let file: raw::ModuleFile = loader.parse(&source)?;
    if !valid_id(file.id.get_ref()) {
        loader.at(
            &source,
            file.id.span(),
            format!("{:?} is not a valid id (a-z, 0-9 and -)", file.id.get_ref()),
        );
    }
    let mut items = Vec::new();
    for id in &file.items {
        if !valid_id(id.get_ref()) {
            loader.at(
                &source,
                id.span(),
                format!("{:?} is not a valid item id (a-z, 0-9 and -)", id.get_ref()),
            );
            continue;
        }
        if !item_ids.insert(id.get_ref().clone()) {
            loader.at(
                &source,
                id.span(),
                format!("item id {:?} is used twice in this program", id.get_ref()),
            );
            continue;
        }
        let item = load_item(loader, program, rel, &source, id);
        items.extend(item);
    }
    check_unlisted_items(loader, rel, &file);
    Some(Module { id: file.id.into_inner(), title: file.title, summary: file.summary, items })
}

/// An item of a module: a page (`.md`) or an assignment (`.toml`), not both.
fn load_item(
    loader: &mut Loader,
    program: &str,
    rel: &Path,
    source: &Source,
    id: &toml::Spanned<String>,
) -> Option<Item> {
    let page = rel.join(format!("{}.md", id.get_ref()));
    let form = rel.join(format!("{}.toml", id.get_ref()));
    match (loader.exists(&page), loader.exists(&form)) {
        (true, true) => {
            loader.at(source, id.span(), format!("both {0}.md and {0}.toml exist; keep one", id.get_ref()));
            None
        }
        (true, false) => load_page(loader, program, &page, id.get_ref()),
        (false, true) => super::forms::load_form(loader, &form, id.get_ref(), ItemKind::Assignment),
        (false, false) => {
            loader.at(source, id.span(), format!("item {0:?} has no file {0}.md or {0}.toml", id.get_ref()));
            None
        }
    }
}

/// A page or form file in the module's folder that its items do not list.
fn check_unlisted_items(loader: &mut Loader, rel: &Path, file: &raw::ModuleFile) {
    let listed: HashSet<String> = file.items.iter().map(|i| i.get_ref().clone()).collect();
    for name in loader.list(rel) {
        let stem = name.trim_end_matches(".md").trim_end_matches(".toml");
        if name != "module.toml"
            && (name.ends_with(".md") || name.ends_with(".toml"))
            && !listed.contains(stem)
        {
            loader.error(&rel.join(&name), 1, "this file is not listed in the module's items");
        }
    }
}

fn load_page(loader: &mut Loader, program: &str, rel: &Path, id: &str) -> Option<Item> {
    let whole = loader.read(rel)?;
    let Some((front, body)) = split_front_matter(&whole.text) else {
        loader.error(rel, 1, "a page starts with TOML front matter between +++ lines");
        return None;
    };
    let source = Source { rel: rel.to_path_buf(), text: front.to_string(), first_line: 2 };
    let matter: raw::FrontMatter = loader.parse(&source)?;
    if matter.minutes == 0 {
        loader.error(rel, 1, "minutes must be at least 1");
    }
    for media in [&matter.audio, &matter.video].into_iter().flatten() {
        let file = Path::new(program).join("media").join(media.get_ref());
        if media.get_ref().contains('/') || !loader.exists(&file) {
            loader.at(
                &source,
                media.span(),
                format!("media file {:?} is missing from {program}/media/", media.get_ref()),
            );
        } else {
            loader.hash_media(&file);
        }
    }
    if matter.audio.is_some() && matter.audio_transcript.as_deref().is_none_or(|t| t.trim().is_empty()) {
        loader.error(rel, 2, "a page with audio needs an audio_transcript");
    }
    if body.trim().is_empty() {
        loader.error(rel, 1, "the page has no text");
    }
    Some(Item {
        id: id.to_string(),
        kind: ItemKind::Page,
        title: matter.title,
        minutes: matter.minutes,
        body: ItemBody::Page(Page {
            html: markdown::render(body),
            audio: matter.audio.map(|a| a.into_inner()),
            video: matter.video.map(|v| v.into_inner()),
            audio_transcript: matter.audio_transcript,
        }),
    })
}

/// `+++\n<toml>\n+++\n<markdown>`; `None` without front matter.
pub(super) fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n"))?;
    let end = rest.find("\n+++")?;
    let front = &rest[..end + 1];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    Some((front, body))
}

fn attach_diaries(
    loader: &mut Loader,
    folder: &str,
    source: &Source,
    diaries: &[raw::DiaryRef],
    modules: &mut [Module],
    item_ids: &mut HashSet<String>,
) {
    for diary in diaries {
        let id = diary.id.get_ref();
        if !item_ids.insert(id.clone()) {
            loader.at(source, diary.id.span(), format!("item id {id:?} is used twice in this program"));
            continue;
        }
        let rel = Path::new(folder).join("diaries").join(format!("{id}.toml"));
        if !loader.exists(&rel) {
            loader.at(source, diary.id.span(), format!("diary {id:?} has no file diaries/{id}.toml"));
            continue;
        }
        let Some(module) = modules.iter_mut().find(|m| &m.id == diary.opens_with.get_ref()) else {
            let message = format!(
                "opens_with names {:?}, which is not a module of this program",
                diary.opens_with.get_ref()
            );
            loader.at(source, diary.opens_with.span(), message);
            continue;
        };
        if let Some(item) = super::forms::load_form(loader, &rel, id, ItemKind::Diary) {
            module.items.push(item);
        }
    }
}

fn check_unlisted(loader: &mut Loader, folder: &str, file: &raw::ProgramFile) {
    let referenced: HashSet<String> =
        file.diaries.iter().map(|d| format!("{}.toml", d.id.get_ref())).collect();
    let diaries = Path::new(folder).join("diaries");
    for name in loader.list(&diaries) {
        if name.ends_with(".toml") && !referenced.contains(&name) {
            loader.error(&diaries.join(&name), 1, "this diary is not listed in program.toml");
        }
    }
}

fn load_assessments(
    loader: &mut Loader,
    source: &Source,
    raw: &[raw::AssessmentRaw],
    modules: &[Module],
    questionnaires: &BTreeMap<String, super::model::Questionnaire>,
) -> Vec<Assessment> {
    let mut out: Vec<Assessment> = Vec::new();
    for a in raw {
        let when = match a.when.get_ref().as_str() {
            "baseline" => AssessmentWhen::Baseline,
            "after_module" => AssessmentWhen::AfterModule,
            "end" => AssessmentWhen::End,
            "follow_up" => AssessmentWhen::FollowUp,
            other => {
                let message = format!("when {other:?} is not one of baseline, after_module, end, follow_up");
                loader.at(source, a.when.span(), message);
                continue;
            }
        };
        if out.iter().any(|o| &o.id == a.id.get_ref()) {
            loader.at(source, a.id.span(), format!("assessment id {:?} is used twice", a.id.get_ref()));
        }
        match (&a.module, when) {
            (Some(m), AssessmentWhen::AfterModule) if !modules.iter().any(|x| &x.id == m.get_ref()) => {
                loader.at(source, m.span(), format!("module {:?} is not part of this program", m.get_ref()));
            }
            (None, AssessmentWhen::AfterModule) => {
                loader.at(source, a.when.span(), "after_module needs module = \"<module id>\"");
            }
            _ => {}
        }
        if when == AssessmentWhen::FollowUp && a.weeks.is_none_or(|w| w == 0) {
            loader.at(source, a.when.span(), "follow_up needs weeks = <1 or more>");
        }
        for instrument in &a.instruments {
            if !questionnaires.contains_key(instrument.get_ref()) {
                loader.at(
                    source,
                    instrument.span(),
                    format!("unknown questionnaire {:?}", instrument.get_ref()),
                );
            }
        }
        out.push(Assessment {
            id: a.id.get_ref().clone(),
            when,
            module: a.module.as_ref().map(|m| m.get_ref().clone()),
            weeks: a.weeks,
            instruments: a.instruments.iter().map(|i| i.get_ref().clone()).collect(),
        });
    }
    out
}
