//! A written letter as an email: `From`, `To` (name and address), the
//! letter's `Message-ID`, and text and HTML alternatives.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use souk_actors::mail::{Letter, MailError};

use super::templates::Written;

pub fn build(from: &Mailbox, letter: &Letter, written: Written) -> Result<Message, MailError> {
    let address = letter
        .to
        .as_str()
        .parse()
        .map_err(|e| MailError::Permanent(format!("recipient {}: {e}", letter.to)))?;
    let to = Mailbox::new(Some(letter.to_name.clone()), address);
    Message::builder()
        .message_id(Some(letter.message_id.clone()))
        .from(from.clone())
        .to(to)
        .subject(written.subject)
        .date_now()
        .multipart(MultiPart::alternative_plain_html(
            written.text,
            written.html,
        ))
        .map_err(|e| MailError::Permanent(format!("building the message: {e}")))
}
