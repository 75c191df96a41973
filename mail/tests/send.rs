//! Letters sent for real: to an aiosmtpd server (plain and STARTTLS) and
//! as `.eml` files, read back as a mail client would.
// Test code: clippy.toml allows expect in `#[test]` fns only, not in helpers.
#![allow(clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use souk_actors::mail::{Letter, MailError, Mailer, Template};
use souk_mail::testing::{Aiosmtpd, decoded};
use souk_mail::{Mail, Security, SmtpSettings, Transport};
use souk_models::Email;

fn shipped() -> Letter {
    Letter {
        message_id: "<0190a1b2-0000-7000-8000-000000000001@souk>".into(),
        to: Email::parse("ada@example.com").expect("an address"),
        to_name: "Ada <Lovelace>".into(),
        template: Template::Shipped,
        data: json!({
            "name": "Ada <Lovelace>",
            "site": "Souk Test",
            "site_url": null,
            "order_id": "0190a1b2-0000-7000-8000-00000000abcd",
            "order_ref": "0190A1B2",
            "lines": [{"title": "Lamp & <b>shade</b>", "quantity": 2, "unit_price": "25.00 USD"}],
            "total": "50.00 USD",
            "order_url": null,
            "carrier": "DHL",
            "tracking_number": "JD0001",
            "estimated_delivery": "2026-12-24",
        }),
    }
}

fn smtp(server: &Aiosmtpd, security: Security) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: server.port(),
        security,
        username: None,
        password: None,
        ca_pem: server.ca_pem().map(<[u8]>::to_vec),
        timeout: Duration::from_secs(10),
    }
}

/// What every sent copy of `shipped()` must show.
fn check(raw: &str) {
    let unfolded = decoded(raw);
    assert!(
        unfolded.contains("Subject: Order 0190A1B2 is on its way"),
        "{raw}"
    );
    assert!(
        unfolded.contains("Message-ID: <0190a1b2-0000-7000-8000-000000000001@souk>"),
        "{raw}"
    );
    assert!(unfolded.contains("ada@example.com"), "{raw}");
    assert!(
        unfolded.contains("From: \"Souk Test\" <shop@souk.example>"),
        "{raw}"
    );
    assert!(unfolded.contains("multipart/alternative"), "{raw}");
    assert!(unfolded.contains("Tracking number: JD0001"), "{raw}");
    // The HTML part escapes what it shows; the text part shows it as is.
    assert!(unfolded.contains("Lamp &amp; &lt;b&gt;shade&lt;"), "{raw}");
    assert!(!unfolded.contains("<b>shade</b></td>"), "{raw}");
    assert!(unfolded.contains("2 x Lamp & <b>shade</b>"), "{raw}");
}

#[tokio::test]
async fn letters_go_over_plain_smtp() {
    let Some(server) = Aiosmtpd::start().await else {
        return;
    };
    let mail = Mail::new(
        "Souk Test <shop@souk.example>",
        Transport::Smtp(smtp(&server, Security::None)),
    )
    .expect("mail starts");
    mail.send(&shipped()).await.expect("sent");
    let received = server.wait_for(1).await;
    check(&received[0]);
}

#[tokio::test]
async fn letters_go_over_starttls() {
    let Some(server) = Aiosmtpd::start_starttls().await else {
        return;
    };
    let mail = Mail::new(
        "Souk Test <shop@souk.example>",
        Transport::Smtp(smtp(&server, Security::Starttls)),
    )
    .expect("mail starts");
    mail.send(&shipped()).await.expect("sent");
    check(&server.wait_for(1).await[0]);

    // Without trusting the server's certificate, nothing is sent.
    let untrusted = SmtpSettings {
        ca_pem: None,
        ..smtp(&server, Security::Starttls)
    };
    let mail = Mail::new("shop@souk.example", Transport::Smtp(untrusted)).expect("mail starts");
    let refused = mail.send(&shipped()).await;
    assert!(
        matches!(refused, Err(MailError::Transient(_))),
        "{refused:?}"
    );
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_worth_another_try() {
    let port = souk_testkit::free_port().expect("a free port");
    let settings = SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        ca_pem: None,
        timeout: Duration::from_secs(5),
    };
    let mail = Mail::new("shop@souk.example", Transport::Smtp(settings)).expect("mail starts");
    let sent = mail.send(&shipped()).await;
    assert!(matches!(sent, Err(MailError::Transient(_))), "{sent:?}");
}

#[tokio::test]
async fn letters_are_written_as_eml_files_once_per_message() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mail = Mail::new(
        "Souk Test <shop@souk.example>",
        Transport::Files(dir.path().to_owned()),
    )
    .expect("mail starts");
    mail.send(&shipped()).await.expect("written");
    mail.send(&shipped()).await.expect("written again");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listed")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        files[0].file_name().and_then(|n| n.to_str()),
        Some("0190a1b2-0000-7000-8000-000000000001.eml")
    );
    check(&std::fs::read_to_string(&files[0]).expect("read"));
}

#[test]
fn every_template_writes_with_the_data_souk_gives_it() {
    let templates = souk_mail::Templates::load().expect("templates parse");
    for template in Template::ALL {
        let letter = Letter {
            template,
            ..shipped()
        };
        let written = templates.write(&letter).expect("written");
        assert!(!written.subject.is_empty() && !written.subject.contains('\n'));
        assert!(
            written.text.contains("Hello Ada <Lovelace>,"),
            "{}",
            written.text
        );
        assert!(
            written.html.contains("Hello Ada &lt;Lovelace&gt;,"),
            "{}",
            written.html
        );
    }
}
