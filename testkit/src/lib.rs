//! For tests: the Python packages that stand in for outside services
//! (localstripe for Stripe, aiosmtpd for an SMTP server), installed once
//! into one cached virtual environment (`~/.cache/souk/services-venv`, or
//! `SOUK_SERVICES_VENV`), and the rule for a service that cannot be had:
//! the test prints `skipped: <why>` and passes, unless
//! `SOUK_REQUIRE_SERVICES=1`, under which it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The packages the venv holds, at the versions the tests are written
/// against, and the module each is imported as.
pub const PACKAGES: [(&str, &str); 2] = [
    ("localstripe==1.15.10", "localstripe"),
    ("aiosmtpd==1.4.6", "aiosmtpd"),
];

/// Whether missing services must fail tests rather than skip them.
pub fn services_required() -> bool {
    std::env::var("SOUK_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Says why a service cannot be had: fails under `SOUK_REQUIRE_SERVICES=1`,
/// otherwise prints `skipped: <why>` and gives `None`.
pub fn unavailable<T>(why: &str) -> Option<T> {
    assert!(!services_required(), "{why} (SOUK_REQUIRE_SERVICES=1)");
    println!("skipped: {why}");
    None
}

/// A loopback port free at the time of asking.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn venv() -> PathBuf {
    match std::env::var_os("SOUK_SERVICES_VENV") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/souk/services-venv")
        }
    }
}

/// Whether `python` imports every package.
fn complete(python: &Path) -> bool {
    let imports = PACKAGES
        .iter()
        .map(|(_, module)| format!("import {module}"))
        .collect::<Vec<_>>()
        .join("; ");
    Command::new(python)
        .args(["-c", &imports])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The venv's python with every package, installed on first use (once per
/// process; a venv half made by another process is made again beside it
/// and the first one finished wins).
pub fn python() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let venv = venv();
    let python = venv.join("bin/python");
    if complete(&python) {
        return Ok(python);
    }
    let parent = venv.parent().ok_or("no place for the venv")?;
    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    let fresh = tempfile::Builder::new()
        .prefix("services-venv-")
        .tempdir_in(parent)
        .map_err(|e| e.to_string())?;
    let run = |command: &mut Command, what: &str| -> Result<(), String> {
        let status = command.status().map_err(|e| format!("{what}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what} failed ({status})"))
        }
    };
    run(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(fresh.path()),
        "python3 -m venv",
    )?;
    let packages: Vec<&str> = PACKAGES.iter().map(|(p, _)| *p).collect();
    eprintln!("installing {} into {}", packages.join(" "), venv.display());
    run(
        Command::new(fresh.path().join("bin/pip"))
            .args(["install", "--quiet"])
            .args(&packages),
        "pip install",
    )?;
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::rename(fresh.keep(), &venv).map_err(|e| e.to_string())?;
    if complete(&python) {
        Ok(python)
    } else {
        Err("the service packages did not install".into())
    }
}
