//! The content engine: the shipped programs load; broken content is reported
//! with file, line and problem; scoring follows the published cut-offs;
//! answers are checked field by field. The fuzz targets are in `fuzz.rs`.

use std::path::{Path, PathBuf};

use icbt::content::{
    answers::{validate, Completeness},
    scoring, Catalogue, ItemBody,
};
use serde_json::{json, Map, Value};

pub fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("modules-content")
}

fn catalogue() -> Catalogue {
    Catalogue::load(&shipped()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_shipped_content_is_valid_and_complete() {
    let catalogue = catalogue();
    for id in ["chronic-pain", "chronic-fatigue"] {
        let program = catalogue.program(id).unwrap();
        assert!(program.modules.len() >= 6, "{id} has six or more modules");
        for module in &program.modules {
            let pages: Vec<_> = module.items.iter().filter(|i| matches!(i.body, ItemBody::Page(_))).collect();
            assert!(pages.len() >= 2, "{id}/{}: at least two pages", module.id);
            assert!(
                module.items.iter().any(|i| i.kind == icbt::content::ItemKind::Assignment),
                "{}",
                module.id
            );
            for page in pages {
                let ItemBody::Page(body) = &page.body else { unreachable!() };
                let words = body.html.split_whitespace().count();
                assert!(words >= 300, "{}: {words} words", page.id);
            }
        }
        let first = &program.modules[0];
        let diaries = first.items.iter().filter(|i| i.kind == icbt::content::ItemKind::Diary).count();
        assert_eq!(diaries, 3, "{id}: three diaries during module 1");
    }
    assert!(catalogue.tips().len() >= 10);
    assert_eq!(catalogue.version.len(), 12);
}

/// A copy of the shipped content to break.
fn copy_of_shipped() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces `from` with `to` in `file` and returns the line it is on.
fn break_file(root: &Path, file: &str, from: &str, to: &str) -> usize {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find(from).unwrap_or_else(|| panic!("{from:?} not in {file}"));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    text[..at].matches('\n').count() + 1
}

const ENERGY: &str = "chronic-pain/03-activity-and-pacing/pain-energy-points.toml";

#[test]
fn each_broken_fixture_is_named_with_file_line_and_problem() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (ENERGY, "type = \"scale\"", "type = \"slider\"", "unknown field type \"slider\""),
        (ENERGY, "id = \"noticed\"", "id = \"satisfaction\"", "field id \"satisfaction\" is used twice"),
        (ENERGY, "min = 0\nmax = 10", "min = 11\nmax = 10", "min 11 is greater than max 10"),
        (ENERGY, "title = \"Dividing", "titel = \"Dividing", "unknown field `titel`"),
        (ENERGY, "column = \"points\"", "column = \"kind\"", "sum names column \"kind\""),
        (
            "chronic-pain/05-mood-and-relaxation/pain-body-scan.md",
            "audio = \"body-scan.ogg\"",
            "audio = \"missing.ogg\"",
            "media file \"missing.ogg\" is missing",
        ),
        (
            "chronic-pain/program.toml",
            "\"03-activity-and-pacing\",",
            "\"03-activity-pacing\",",
            "module folder \"03-activity-pacing\" does not exist",
        ),
        (
            "chronic-pain/program.toml",
            "instruments = [\"phq-9\", \"pain-nrs\"]",
            "instruments = [\"phq-8\", \"pain-nrs\"]",
            "unknown questionnaire \"phq-8\"",
        ),
        (
            "chronic-pain/program.toml",
            "opens_with = \"your-goals\"",
            "opens_with = \"your-gaols\"",
            "not a module of this program",
        ),
        ("questionnaires/phq-9.toml", "min = 5\n", "min = 6\n", "band gap: scores 5..5 are in no band"),
        ("questionnaires/gad-7.toml", "min = 5\n", "min = 4\n", "band overlap"),
        (
            "chronic-fatigue/01-getting-started/module.toml",
            "  \"fatigue-welcome\",",
            "  \"fatigue-missing\", \"fatigue-welcome\",",
            "item \"fatigue-missing\" has no file",
        ),
        ("chronic-fatigue/program.toml", "title = ", "title = = ", "invalid string"),
    ];
    for (file, from, to, expected) in cases {
        let dir = copy_of_shipped();
        let line = break_file(dir.path(), file, from, to);
        let errors = Catalogue::load(dir.path()).expect_err(&format!("{file}: {to:?} must be refused")).0;
        let found = errors.iter().find(|e| e.message.contains(expected));
        let error = found.unwrap_or_else(|| panic!("{file}: expected {expected:?} in {errors:#?}"));
        assert_eq!(error.file, Path::new(file), "{error}");
        if !expected.contains("is used twice") && !expected.contains("band") {
            assert_eq!(error.line, line, "{error}");
        }
        assert!(error.to_string().starts_with(&format!("{file}:{}: ", error.line)));
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = copy_of_shipped();
    break_file(dir.path(), ENERGY, "type = \"scale\"", "type = \"slider\"");
    break_file(dir.path(), "questionnaires/phq-9.toml", "min = 5\n", "min = 6\n");
    break_file(
        dir.path(),
        "chronic-fatigue/program.toml",
        "opens_with = \"getting-started\"",
        "opens_with = \"nope\"",
    );
    let errors = Catalogue::load(dir.path()).unwrap_err().0;
    assert!(errors.len() >= 3, "{errors:#?}");
}

fn all(value: i64, items: &[&str]) -> Map<String, Value> {
    let mut answers = Map::new();
    for (i, item) in items.iter().enumerate() {
        // Spread the total over the items, at most 3 each.
        let share = (value - 3 * i as i64).clamp(0, 3);
        answers.insert(item.to_string(), json!(share));
    }
    answers
}

#[test]
fn phq9_and_gad7_follow_the_published_cut_offs() {
    let catalogue = catalogue();
    let phq9 = catalogue.questionnaire("phq-9").unwrap();
    let items: Vec<&str> = phq9.items.iter().map(|i| i.id.as_str()).collect();
    for (score, band) in [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ] {
        let mut answers = all(score, &items[..8]);
        answers.insert("phq9-9".into(), json!(0));
        let scored = scoring::score(phq9, &answers);
        let scored = match scored {
            Ok(s) if score <= 24 => s,
            _ => scoring::score(phq9, &all(score, &items)).unwrap(),
        };
        assert_eq!(scored.score, score);
        assert_eq!(scored.band.label, band, "PHQ-9 {score}");
    }
    let gad7 = catalogue.questionnaire("gad-7").unwrap();
    let items: Vec<&str> = gad7.items.iter().map(|i| i.id.as_str()).collect();
    for (score, band) in [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ] {
        let scored = scoring::score(gad7, &all(score, &items)).unwrap();
        assert_eq!((scored.score, scored.band.label.as_str()), (score, band), "GAD-7 {score}");
        assert!(scored.risks.is_empty());
    }
}

#[test]
fn phq9_item_9_above_zero_is_a_risk() {
    let catalogue = catalogue();
    let phq9 = catalogue.questionnaire("phq-9").unwrap();
    let items: Vec<&str> = phq9.items.iter().map(|i| i.id.as_str()).collect();
    let mut answers = all(0, &items);
    assert!(scoring::score(phq9, &answers).unwrap().risks.is_empty());
    answers.insert("phq9-9".into(), json!(1));
    let scored = scoring::score(phq9, &answers).unwrap();
    assert_eq!(scored.risks.len(), 1);
    assert_eq!(scored.score, 1);
    answers.remove("phq9-3");
    answers.insert("phq9-4".into(), json!(7));
    let errors = scoring::score(phq9, &answers).unwrap_err();
    assert!(errors.contains_key("phq9-3") && errors.contains_key("phq9-4"), "{errors:?}");
}

#[test]
fn energy_points_must_add_up_to_100() {
    let catalogue = catalogue();
    let (_, item) = catalogue.item("chronic-pain", "pain-energy-points").unwrap();
    let ItemBody::Form(form) = &item.body else { unreachable!() };
    let answers = |rows: Value| {
        let mut map = Map::new();
        map.insert("energy_plan".into(), rows);
        map.insert("satisfaction".into(), json!("6"));
        map
    };
    let short = answers(json!([
        {"activity": "Work", "points": 60, "kind": "have-to"},
        {"activity": "Walk", "points": "30", "kind": "want-to"},
        {"activity": "", "points": "", "kind": ""}
    ]));
    let errors = validate(&form.fields, &short, Completeness::Final).unwrap_err();
    assert!(errors["energy_plan"][0].contains("add up to 100 (now 90)"), "{errors:?}");
    assert!(validate(&form.fields, &short, Completeness::Draft).is_ok(), "a draft may be unfinished");

    let bad_cell = answers(json!([{"activity": "Work", "points": 101, "kind": "maybe"}]));
    let errors = validate(&form.fields, &bad_cell, Completeness::Final).unwrap_err();
    assert!(
        errors.contains_key("energy_plan.1.points") && errors.contains_key("energy_plan.1.kind"),
        "{errors:?}"
    );

    let good = answers(json!([
        {"activity": " Work ", "points": 70, "kind": "have-to"},
        {"activity": "Walk", "points": "30", "kind": "want-to"}
    ]));
    let clean = validate(&form.fields, &good, Completeness::Final).unwrap();
    assert_eq!(clean["energy_plan"][0]["activity"], "Work");
    assert_eq!(clean["satisfaction"], json!(6.0));
    let missing = validate(&form.fields, &Map::new(), Completeness::Final).unwrap_err();
    assert!(missing.contains_key("energy_plan") && missing.contains_key("satisfaction"));
}

db_test!(
    async fn media_is_served_to_logged_in_users_with_ranges(app: TestApp) {
        let path = "/media/chronic-pain/body-scan.ogg";
        assert_eq!(app.get(path).await.status(), reqwest::StatusCode::SEE_OTHER, "log in first");
        let clinic = app.clinic("North").await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let whole = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(whole.status(), reqwest::StatusCode::OK);
        let size = whole.bytes().await.unwrap().len();
        assert!(size > 100_000 && size < 1_000_000, "{size}");
        let part = browser.get(app.url(path)).header("range", "bytes=100-199").send().await.unwrap();
        assert_eq!(part.status(), reqwest::StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.headers()["content-range"], format!("bytes 100-199/{size}").as_str());
        assert!(part.headers()["cache-control"].to_str().unwrap().contains("private"));
        assert_eq!(part.bytes().await.unwrap().len(), 100);
        let unknown = browser.get(app.url("/media/chronic-pain/program.toml")).send().await.unwrap();
        assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND, "only media the content uses");
    }
);
