//! The letters' templates (`mail/templates/`), compiled in: for each
//! letter a subject, a text and an HTML body, the HTML escaped by
//! minijinja (templates named `.html` escape what they show).

use minijinja::Environment;
use souk_actors::mail::{Letter, MailError, Template};

/// The template files, compiled in, by name.
macro_rules! files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// Every template file, by name.
const FILES: &[(&str, &str)] = files![
    "layout.html",
    "layout.txt",
    "lines.html",
    "lines.txt",
    "order_placed.subject.txt",
    "order_placed.txt",
    "order_placed.html",
    "payment_received.subject.txt",
    "payment_received.txt",
    "payment_received.html",
    "shipped.subject.txt",
    "shipped.txt",
    "shipped.html",
    "delivered.subject.txt",
    "delivered.txt",
    "delivered.html",
    "refund.subject.txt",
    "refund.txt",
    "refund.html",
    "expiry_warning.subject.txt",
    "expiry_warning.txt",
    "expiry_warning.html",
    "low_stock.subject.txt",
    "low_stock.txt",
    "low_stock.html",
    "verify_email.subject.txt",
    "verify_email.txt",
    "verify_email.html",
    "password_reset.subject.txt",
    "password_reset.txt",
    "password_reset.html",
];

/// A letter written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The templates, parsed once.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Parses every template; an error names the one that does not parse.
    pub fn load() -> Result<Self, String> {
        let mut env = Environment::new();
        for (name, source) in FILES {
            env.add_template(name, source)
                .map_err(|e| format!("mail template {name}: {e}"))?;
        }
        let templates = Self { env };
        for template in Template::ALL {
            for part in ["subject.txt", "txt", "html"] {
                let name = format!("{}.{part}", template.as_str());
                templates
                    .env
                    .get_template(&name)
                    .map_err(|e| format!("mail template {name}: {e}"))?;
            }
        }
        Ok(templates)
    }

    /// Writes `letter` out from its templates.
    pub fn write(&self, letter: &Letter) -> Result<Written, MailError> {
        let render = |part: &str| {
            let name = format!("{}.{part}", letter.template.as_str());
            self.env
                .get_template(&name)
                .and_then(|t| t.render(&letter.data))
                .map_err(|e| MailError::Permanent(format!("writing {name}: {e}")))
        };
        let subject = render("subject.txt")?;
        Ok(Written {
            // One line, whatever the data held.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: render("txt")?,
            html: render("html")?,
        })
    }
}
