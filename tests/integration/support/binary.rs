//! The `icbt` binary as a process, for the suites that run it whole (the
//! command line, the crash drills, digest runs): its command with a test
//! environment, a server started from it, readiness and stopping.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

/// `icbt` run in `dir` with nothing from the caller's environment but `PATH`:
/// test settings, any free port, the shipped content.
pub fn icbt(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_icbt"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ICBT__ENVIRONMENT", "test")
        .env("ICBT__SERVER__BIND", "127.0.0.1:0")
        .env("ICBT__LOG__FILTER", "warn")
        .env("ICBT__CONTENT__DIR", crate::content::shipped());
    command
}

/// The base URL a started `icbt serve` prints on stdout. Its stdout is
/// drained from then on, so the server never blocks on a full pipe.
pub fn address(child: &mut Child) -> String {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
    let base = loop {
        let line = lines.next().expect("icbt exited before listening").expect("read stdout");
        if let Some(url) = line.strip_prefix("icbt listening on ") {
            break url.trim().trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    base
}

/// A running `icbt serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Spawns `command` (an `icbt serve …`) and waits for its address.
    pub fn start(command: &mut Command) -> Server {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("spawn icbt");
        let base = address(&mut child);
        Server { child, base }
    }

    /// Returns once `/readyz` answers 200.
    pub async fn ready(self) -> Server {
        wait_until_ready(&self.base).await;
        self
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, then the exit status; fails the test if it takes longer
    /// than `within`.
    pub fn terminate(&mut self, within: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("icbt did not exit within {within:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Returns once `{base}/readyz` answers 200; fails the test after 30 s.
pub async fn wait_until_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == 200) {
        assert!(Instant::now() < deadline, "the server never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
