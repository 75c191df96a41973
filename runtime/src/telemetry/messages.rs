//! The metrics of what users are told besides live events: the mail
//! worker's and the notification inbox's, described once, counters at zero.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use souk_actors::mail::Template;

/// Why a message failed for good (`souk_mail_failed_total{reason}`).
const FAILURES: &[&str] = &["refused", "exhausted", "interrupted"];

pub fn register() {
    describe_counter!(
        "souk_mail_sent_total",
        "Letters the mail transport accepted, by template."
    );
    for template in Template::ALL {
        metrics::counter!("souk_mail_sent_total", "template" => template.as_str()).increment(0);
    }
    describe_counter!(
        "souk_mail_failed_total",
        "Letters given up on, by reason: refused by the server, out of tries, or interrupted while sending."
    );
    for reason in FAILURES {
        metrics::counter!("souk_mail_failed_total", "reason" => *reason).increment(0);
    }
    describe_counter!(
        "souk_mail_retries_total",
        "Tries of a letter that failed and will be made again."
    );
    metrics::counter!("souk_mail_retries_total").increment(0);
    describe_counter!(
        "souk_mail_dropped_total",
        "Letters not sent because they no longer apply (an expiry warning for a paid order)."
    );
    metrics::counter!("souk_mail_dropped_total").increment(0);
    describe_counter!(
        "souk_mail_store_errors_total",
        "Reads or updates of the mail outbox that the store refused."
    );
    metrics::counter!("souk_mail_store_errors_total").increment(0);
    describe_gauge!(
        "souk_mail_oldest_due_seconds",
        Unit::Seconds,
        "How long the oldest letter due has waited to be sent (0 when none waits)."
    );
    metrics::gauge!("souk_mail_oldest_due_seconds").set(0.0);
    describe_histogram!(
        "souk_mail_send_seconds",
        Unit::Seconds,
        "Time to hand one letter to the transport (an SMTP transaction, or writing an .eml file)."
    );
    describe_counter!(
        "souk_notifications_kept_total",
        "Notifications stored in users' inboxes."
    );
    metrics::counter!("souk_notifications_kept_total").increment(0);
    describe_counter!(
        "souk_notifications_dropped_total",
        "Notifications not stored: the inbox's queue was full, or the store refused them five times."
    );
    metrics::counter!("souk_notifications_dropped_total").increment(0);
}
