//! Crash safety and the restore drill, against the real binary. Patients post
//! diary entries and messages without pause; the server is killed with
//! SIGKILL, or backed up while it serves. Afterwards every write that was
//! acknowledged is there, complete, and nothing is there twice.

use std::{
    collections::HashMap,
    io::Write,
    path::Path,
    process::Stdio,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::support::{
    binary::{icbt, Server},
    database,
};

const ADMIN_PASSWORD: &str = "a quiet river at dawn";
const PASSWORD: &str = "correct horse battery";
const PATIENTS: usize = 6;

fn serve(dir: &Path, database_url: &str) -> Server {
    Server::start(
        icbt(dir)
            .env("ICBT__DATABASE__URL", database_url)
            .env("ICBT__LOG__FILTER", "error")
            .env("ICBT__CARE__TIMEZONE", "UTC")
            .arg("serve"),
    )
}

fn create_admin(dir: &Path, database_url: &str) {
    let mut create = icbt(dir)
        .env("ICBT__DATABASE__URL", database_url)
        .args(["user", "create", "--role", "admin", "--email", "admin@crash.test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("icbt user create");
    writeln!(create.stdin.take().expect("stdin"), "{ADMIN_PASSWORD}").expect("password");
    assert!(create.wait().expect("wait").success());
}

async fn call(
    client: &Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.request(method, url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

async fn token(client: &Client, base: &str, email: &str, password: &str) -> String {
    let body = json!({"email": email, "password": password});
    let login = call(client, reqwest::Method::POST, format!("{base}/api/v1/auth/token"), None, body).await;
    login["token"].as_str().expect("token").to_string()
}

/// A clinic, a therapist and `PATIENTS` patients; returns the therapist's
/// token and each patient's (enrollment id, token).
async fn clinic(base: &str) -> (String, Vec<(String, String)>) {
    use reqwest::Method;
    let client = Client::new();
    let admin = token(&client, base, "admin@crash.test", ADMIN_PASSWORD).await;
    let clinic =
        call(&client, Method::POST, format!("{base}/api/v1/clinics"), Some(&admin), json!({"name": "North"}))
            .await;
    let staff = json!({"email": "t@crash.test", "name": "T", "role": "therapist", "clinic_id": clinic["id"]});
    let invited = call(&client, Method::POST, format!("{base}/api/v1/staff"), Some(&admin), staff).await;
    accept(&client, base, invited["invitation_url"].as_str().unwrap()).await;
    let therapist = token(&client, base, "t@crash.test", PASSWORD).await;
    let mut patients = Vec::new();
    for n in 0..PATIENTS {
        let email = format!("p{n}@crash.test");
        let enrollment = json!({"email": email, "case_code": format!("C-{n}"), "program": "chronic-pain",
            "feedback_cadence": "weekly", "feedback_weekday": "mon"});
        let enrolled =
            call(&client, Method::POST, format!("{base}/api/v1/patients"), Some(&therapist), enrollment)
                .await;
        accept(&client, base, enrolled["invitation_url"].as_str().unwrap()).await;
        patients.push((
            enrolled["id"].as_str().unwrap().to_string(),
            token(&client, base, &email, PASSWORD).await,
        ));
    }
    (therapist, patients)
}

async fn accept(client: &Client, base: &str, invitation_url: &str) {
    let invitation = invitation_url.rsplit('/').next().unwrap();
    let url = format!("{base}/api/v1/invitations/{invitation}/accept");
    call(client, reqwest::Method::POST, url, None, json!({"password": PASSWORD})).await;
}

/// What the patients were told was saved, and what was on its way.
#[derive(Default)]
struct Acknowledged {
    /// Message bodies answered with 201.
    messages: Vec<String>,
    /// Per patient: the diary values of the last 200/201, and those sent after it.
    diary: HashMap<String, (Option<i64>, Vec<i64>)>,
    /// Per patient: every diary value sent, in order.
    sent: HashMap<String, Vec<i64>>,
}

/// Each patient, without pause: a message, then today's diary entry with a
/// new pain score, until `stop` or the server is gone.
fn load(
    base: &str,
    patients: &[(String, String)],
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<Acknowledged>>, Arc<AtomicUsize>, Vec<tokio::task::JoinHandle<()>>) {
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (id, token) in patients {
        let (id, token) = (id.clone(), token.clone());
        let (base, stop, acknowledged, count) =
            (base.to_string(), stop.clone(), acknowledged.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let client = Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = format!("crash drill {id} message {n}");
                let sent = client
                    .post(format!("{base}/api/v1/me/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"body": body}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        acknowledged.lock().unwrap().messages.push(body)
                    }
                    Ok(r) => panic!("message refused: {}", r.status()),
                    Err(_) => return,
                }
                let pain = n % 11;
                {
                    let mut acknowledged = acknowledged.lock().unwrap();
                    acknowledged.diary.entry(id.clone()).or_default().1.push(pain);
                    acknowledged.sent.entry(id.clone()).or_default().push(pain);
                }
                let date = chrono::Utc::now().date_naive().to_string();
                let posted = client
                    .post(format!("{base}/api/v1/me/diaries/pain-level-diary/entries"))
                    .bearer_auth(&token)
                    .json(&json!({"date": date, "values": {"pain": pain, "interference": pain}}))
                    .send()
                    .await;
                match posted {
                    Ok(r) if r.status().is_success() => {
                        let mut acknowledged = acknowledged.lock().unwrap();
                        let diary = acknowledged.diary.get_mut(&id).unwrap();
                        *diary = (Some(pain), Vec::new());
                    }
                    Ok(r) => panic!("diary entry refused: {}", r.status()),
                    Err(_) => return,
                }
                count.fetch_add(2, Ordering::Relaxed);
            }
        }));
    }
    (acknowledged, count, tasks)
}

async fn wait_for(count: &AtomicUsize, writes: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while count.load(Ordering::Relaxed) < writes {
        assert!(Instant::now() < deadline, "the load never reached {writes} writes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Every acknowledged message is there once; every diary entry holds the
/// last acknowledged values or ones sent after them, never a mixture.
async fn check_everything_is_there(
    base: &str,
    therapist: &str,
    patients: &[(String, String)],
    acknowledged: &Acknowledged,
) {
    let client = Client::new();
    let mut bodies: HashMap<String, usize> = HashMap::new();
    for (id, _) in patients {
        let url = format!("{base}/api/v1/patients/{id}/messages");
        let messages = call(&client, reqwest::Method::GET, url, Some(therapist), Value::Null).await;
        for message in messages["messages"].as_array().unwrap() {
            *bodies.entry(message["body"].as_str().unwrap().to_string()).or_default() += 1;
        }
        let url = format!("{base}/api/v1/patients/{id}/diary-entries");
        let entries = call(&client, reqwest::Method::GET, url, Some(therapist), Value::Null).await;
        let (last, in_flight) = acknowledged.diary.get(id).cloned().unwrap_or_default();
        let stored: Vec<&Value> = entries["entries"].as_array().unwrap().iter().collect();
        match last {
            None => assert!(stored.len() <= 1),
            Some(_) => assert_eq!(stored.len(), 1, "one entry for today"),
        }
        if let Some(entry) = stored.first() {
            let pain = entry["values"]["pain"].as_f64().unwrap() as i64;
            assert_eq!(entry["values"]["interference"].as_f64().unwrap() as i64, pain, "written whole");
            assert!(
                last == Some(pain) || in_flight.contains(&pain),
                "{id}: pain {pain}, acknowledged {last:?}"
            );
        }
    }
    for body in &acknowledged.messages {
        assert_eq!(bodies.get(body), Some(&1), "acknowledged once and kept once: {body}");
    }
}

async fn kill_under_load(dir: &Path, database_url: &str) {
    create_admin(dir, database_url);
    let server = serve(dir, database_url).ready().await;
    let (therapist, patients) = clinic(&server.base).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (acknowledged, count, tasks) = load(&server.base, &patients, stop.clone());
    wait_for(&count, 300).await;
    server.kill();
    for task in tasks {
        task.await.expect("load task");
    }
    let restarted = serve(dir, database_url).ready().await;
    // Every load task has ended: nothing else holds the record of what was acknowledged.
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(acknowledged.messages.len() >= 150);
    check_everything_is_there(&restarted.base, &therapist, &patients, &acknowledged).await;
    restarted.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_no_acknowledged_write_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("icbt.db").display());
    kill_under_load(dir.path(), &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_no_acknowledged_write_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let Some(database) = database::fresh_postgres(dir.path()).await else { return };
    kill_under_load(dir.path(), &database.url).await;
}

/// Backs up while the patients write, restores into a fresh folder, and
/// finds there everything acknowledged before the backup began.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_restore_drill_brings_back_every_acknowledged_record() {
    let live = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", live.path().join("icbt.db").display());
    create_admin(live.path(), &url);
    let server = serve(live.path(), &url).ready().await;
    let (therapist, patients) = clinic(&server.base).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (acknowledged, count, tasks) = load(&server.base, &patients, stop.clone());
    wait_for(&count, 200).await;

    // What was acknowledged when the backup began must be in it; a diary
    // entry may also hold a value sent while the backup ran.
    let (mut before, sent_before) = {
        let now = acknowledged.lock().unwrap();
        let before =
            Acknowledged { messages: now.messages.clone(), diary: now.diary.clone(), sent: HashMap::new() };
        (before, now.sent.clone())
    };
    let backup = live.path().join("backups").join("nightly.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let output =
        icbt(live.path()).env("ICBT__DATABASE__URL", &url).arg("backup").arg(&backup).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("backed up {PATIENTS} patients")));
    let again =
        icbt(live.path()).env("ICBT__DATABASE__URL", &url).arg("backup").arg(&backup).output().unwrap();
    assert!(!again.status.success(), "an existing backup is never overwritten");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    {
        let now = acknowledged.lock().unwrap();
        for (id, (_, possible)) in before.diary.iter_mut() {
            let skip = sent_before.get(id).map_or(0, Vec::len);
            possible.extend(now.sent.get(id).into_iter().flatten().skip(skip));
        }
    }
    wait_for(&count, count.load(Ordering::Relaxed) + 50).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("load task");
    }
    server.kill();

    // A fresh machine: restore, then serve from the restored database.
    let fresh = tempfile::tempdir().unwrap();
    let restored_url = format!("sqlite://{}?mode=rwc", fresh.path().join("data").join("icbt.db").display());
    let restore = |dir: &Path, file: &Path| {
        icbt(dir).env("ICBT__DATABASE__URL", &restored_url).arg("restore").arg(file).output().unwrap()
    };
    let not_a_backup = fresh.path().join("notes.txt");
    std::fs::write(&not_a_backup, "not a database").unwrap();
    let refused = restore(fresh.path(), &not_a_backup);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not an icbt backup"));
    let restored = restore(fresh.path(), &backup);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let twice = restore(fresh.path(), &backup);
    assert!(!twice.status.success(), "an existing database is not overwritten without --replace");
    assert!(String::from_utf8_lossy(&twice.stderr).contains("--replace"));

    let server = serve(fresh.path(), &restored_url).ready().await;
    check_everything_is_there(&server.base, &therapist, &patients, &before).await;
    server.kill();
}
