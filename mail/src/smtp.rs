//! Sending over SMTP with lettre: plain, STARTTLS or TLS from the first
//! byte, with a pool of connections. A refusal for good (5xx) fails the
//! letter; anything else (the server unreachable, a 4xx, a timeout) is
//! worth another try.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use souk_actors::mail::MailError;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain text (a relay on the same host or network).
    None,
    /// Plain, then upgraded with STARTTLS (required: a server that does
    /// not offer it is an error). Usually port 587.
    Starttls,
    /// TLS from the first byte. Usually port 465.
    Tls,
}

/// Where and how to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// A PEM certificate to trust besides the web's public roots (a
    /// private relay's own CA).
    pub ca_pem: Option<Vec<u8>>,
    pub timeout: Duration,
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Smtp {
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(settings.timeout));
        if settings.security != Security::None {
            let mut tls = TlsParameters::builder(settings.host.clone());
            if let Some(pem) = &settings.ca_pem {
                let ca =
                    Certificate::from_pem(pem).map_err(|e| format!("mail.smtp.ca_file: {e}"))?;
                tls = tls.add_root_certificate(ca);
            }
            let tls = tls
                .build_rustls()
                .map_err(|e| format!("mail.smtp TLS: {e}"))?;
            builder = builder.tls(match settings.security {
                Security::Starttls => Tls::Required(tls),
                _ => Tls::Wrapper(tls),
            });
        }
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            let password = password.expose_secret().to_owned();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }
}
