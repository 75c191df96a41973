//! Reading the letters a test app wrote as `.eml` files (the default mail
//! transport), as a mail client would: decoded, oldest first.

use std::time::{Duration, SystemTime};

use super::TestApp;

pub use souk_mail::testing::decoded;

/// A letter's subject.
pub fn subject(letter: &str) -> &str {
    letter
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
}

/// The secret a verification or reset letter carries (43 URL-safe base64
/// characters on a line of its own).
pub fn token_in(letter: &str) -> String {
    letter
        .lines()
        .map(str::trim)
        .find(|l| {
            l.len() == 43
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or_else(|| panic!("no token in {letter}"))
        .to_owned()
}

impl TestApp {
    /// The letters written so far to `to`, decoded, oldest first.
    pub fn letters_to(&self, to: &str) -> Vec<String> {
        let dir = self.dir.path().join("mail");
        let mut found: Vec<(SystemTime, String)> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| {
                let at = e.metadata().and_then(|m| m.modified()).ok()?;
                Some((at, decoded(&std::fs::read_to_string(e.path()).ok()?)))
            })
            .filter(|(_, letter)| letter.contains(&format!("<{to}>")))
            .collect();
        found.sort();
        found.into_iter().map(|(_, letter)| letter).collect()
    }

    /// Waits (up to 15 s) for a letter to `to` whose subject contains
    /// `about`, and answers it.
    pub async fn letter(&self, to: &str, about: &str) -> String {
        for _ in 0..300 {
            let found = self.letters_to(to);
            if let Some(letter) = found.into_iter().find(|l| subject(l).contains(about)) {
                return letter;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no letter to {to} about `{about}`: {:?}",
            self.letters_to(to)
        );
    }
}
