//! For tests: an aiosmtpd server of their own on a free loopback port,
//! keeping what it receives in a Maildir, stopped when dropped. aiosmtpd
//! comes from PyPI through `souk-testkit`'s cached virtual environment;
//! its STARTTLS certificate is made with the `openssl` command. Where
//! either cannot be had, tests print `skipped: <why>` and pass, unless
//! `SOUK_REQUIRE_SERVICES=1`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

/// A running aiosmtpd.
pub struct Aiosmtpd {
    child: Child,
    port: u16,
    maildir: TempDir,
    /// The CA of the certificate it offers with STARTTLS (PEM).
    ca_pem: Option<Vec<u8>>,
}

impl Aiosmtpd {
    /// A plain SMTP server.
    pub async fn start() -> Option<Self> {
        Self::launch(false).await
    }

    /// A server that requires STARTTLS, with a certificate for
    /// `127.0.0.1` and `localhost` (trust [`Self::ca_pem`] to accept it).
    pub async fn start_starttls() -> Option<Self> {
        Self::launch(true).await
    }

    /// A plain SMTP server on `port` (one a client was already told of).
    pub async fn start_on(port: u16) -> Option<Self> {
        Self::launch_on(Some(port), false).await
    }

    async fn launch(tls: bool) -> Option<Self> {
        Self::launch_on(None, tls).await
    }

    async fn launch_on(port: Option<u16>, tls: bool) -> Option<Self> {
        let spawned = tokio::task::spawn_blocking(move || Self::spawn(port, tls)).await;
        let why = match spawned {
            Ok(Ok(server)) => match server.wait_until_up().await {
                Ok(()) => return Some(server),
                Err(why) => why,
            },
            Ok(Err(why)) => why,
            Err(e) => e.to_string(),
        };
        souk_testkit::unavailable(&format!("cannot start aiosmtpd ({why})"))
    }

    fn spawn(port: Option<u16>, tls: bool) -> Result<Self, String> {
        let python = souk_testkit::python()?;
        let port = match port {
            Some(port) => port,
            None => souk_testkit::free_port()?,
        };
        let maildir = TempDir::new().map_err(|e| e.to_string())?;
        let boxes = maildir.path().join("mail");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(boxes.join(sub)).map_err(|e| e.to_string())?;
        }
        let mut command = Command::new(python);
        command
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"]);
        let ca_pem = if tls {
            let (cert, key) = certificate(maildir.path())?;
            command
                .arg("--tlscert")
                .arg(&cert)
                .arg("--tlskey")
                .arg(&key);
            Some(std::fs::read(maildir.path().join("ca.pem")).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let child = command
            .arg(&boxes)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            child,
            port,
            maildir,
            ca_pem,
        })
    }

    /// Waits for the server's greeting.
    async fn wait_until_up(&self) -> Result<(), String> {
        use tokio::io::AsyncReadExt;
        for _ in 0..300 {
            if let Ok(mut socket) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await {
                let mut greeting = [0u8; 3];
                if socket.read_exact(&mut greeting).await.is_ok() && &greeting == b"220" {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("nothing answered on port {}", self.port))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA that signed a STARTTLS server's certificate, to trust it.
    pub fn ca_pem(&self) -> Option<&[u8]> {
        self.ca_pem.as_deref()
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut found: Vec<(SystemTime, String, String)> = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let modified = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    found.push((modified, name, text));
                }
            }
        }
        found.sort();
        found.into_iter().map(|(_, _, text)| text).collect()
    }

    /// Waits (up to 30 s) until at least `count` messages arrived; all of
    /// them, oldest first.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..600 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} messages, got {}: {:?}",
            self.messages().len(),
            self.messages()
        );
    }
}

/// A message as a mail client shows it: its quoted-printable parts
/// decoded (soft line breaks joined, `=XX` bytes restored), CRLF as LF.
pub fn decoded(raw: &str) -> String {
    let joined = raw.replace("\r\n", "\n").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A certificate and key for `127.0.0.1` and `localhost`, signed by a
/// throwaway CA; answers the certificate's and the key's paths, and the
/// CA's path is `ca.pem` beside them.
fn certificate(dir: &Path) -> Result<(PathBuf, PathBuf), String> {
    let path = |name: &str| dir.join(name);
    std::fs::write(
        path("leaf.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .map_err(|e| e.to_string())?;
    let steps: [&[&str]; 3] = [
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ],
        &["req", "-newkey", "rsa:2048", "-nodes"],
        &["x509", "-req", "-days", "1", "-CAcreateserial"],
    ];
    let files: [Vec<(&str, PathBuf)>; 3] = [
        vec![
            ("-subj", "/CN=souk test CA".into()),
            ("-keyout", path("ca.key")),
            ("-out", path("ca.pem")),
        ],
        vec![
            ("-subj", "/CN=localhost".into()),
            ("-keyout", path("key.pem")),
            ("-out", path("leaf.csr")),
        ],
        vec![
            ("-in", path("leaf.csr")),
            ("-CA", path("ca.pem")),
            ("-CAkey", path("ca.key")),
            ("-extfile", path("leaf.ext")),
            ("-out", path("cert.pem")),
        ],
    ];
    for (args, files) in steps.iter().zip(files) {
        let mut command = Command::new("openssl");
        command.args(*args);
        for (flag, file) in files {
            command.arg(flag).arg(file);
        }
        let status = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("openssl: {e}"))?;
        if !status.success() {
            return Err(format!("openssl {} failed ({status})", args[0]));
        }
    }
    Ok((path("cert.pem"), path("key.pem")))
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
