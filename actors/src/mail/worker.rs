//! The mail worker: takes due outbox messages (one worker wins each, by
//! compare-and-swap, so every node of a cluster may run one), writes and
//! sends them, and records how it went. A failed try is retried with
//! exponential backoff; a message found still `sending` after its lease
//! (its node died mid-send) is not sent again, so none arrives twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use souk_models::{Timestamp, UserId};
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::compose::{Composed, Site, compose};
use super::{MailError, Mailer};
use crate::store::{MailState, OutboxMail, Store, StoreError};

/// How the worker sends.
#[derive(Debug, Clone)]
pub struct MailPolicy {
    /// The marketplace's name, shown in every letter.
    pub site_name: String,
    /// The storefront's public address, for links in letters.
    pub site_url: Option<String>,
    /// Tries per message before it fails for good.
    pub max_attempts: u32,
    /// The wait before the first retry; each retry doubles it…
    pub first_retry: Duration,
    /// …up to this.
    pub max_retry: Duration,
    /// How long one try may take before the message counts as
    /// interrupted; longer than `send_timeout`.
    pub lease: Duration,
    pub send_timeout: Duration,
    /// How often the outbox is read when it had nothing due.
    pub poll: Duration,
    /// Messages sent at once.
    pub concurrency: usize,
    /// Finished messages are deleted this long after they were made.
    pub retention: Duration,
}

impl MailPolicy {
    /// The wait after `attempts` failed tries.
    fn backoff(&self, attempts: u32) -> Duration {
        let doubled = self
            .first_retry
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
        doubled.min(self.max_retry)
    }
}

/// The running worker.
pub struct MailWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Messages read from the outbox per round.
const BATCH: usize = 64;
/// Finished messages deleted per purge statement.
const PURGE_BATCH: usize = 1000;

impl MailWorker {
    pub fn start(store: Arc<dyn Store>, mailer: Arc<dyn Mailer>, policy: MailPolicy) -> Self {
        let (stop, stopped) = watch::channel(false);
        let run = Run {
            store,
            mailer,
            policy,
        };
        let task = tokio::spawn(run.run(stopped));
        Self { stop, task }
    }

    /// Finishes the messages under way and stops.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Run {
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    policy: MailPolicy,
}

impl Run {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut next_purge = OffsetDateTime::now_utc();
        loop {
            let now = OffsetDateTime::now_utc();
            let wait = match self.round(now).await {
                Ok(full) if full => Duration::ZERO,
                Ok(_) => self.policy.poll,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the mail outbox failed");
                    metrics::counter!("souk_mail_store_errors_total").increment(1);
                    self.policy.poll.max(Duration::from_secs(1))
                }
            };
            if now >= next_purge {
                next_purge = now + time::Duration::hours(1);
                self.purge(now).await;
            }
            if *stopped.borrow() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped.changed() => return,
            }
        }
    }

    /// Sends what is due; `true` when there may be more.
    async fn round(&self, now: Timestamp) -> Result<bool, StoreError> {
        let due = self.store.due_mail(now, BATCH).await?;
        let oldest = due
            .first()
            .map_or(0.0, |m| (now - m.due_at).as_seconds_f64());
        metrics::gauge!("souk_mail_oldest_due_seconds").set(oldest.max(0.0));
        let full = due.len() == BATCH;
        futures::stream::iter(by_recipient(due))
            .for_each_concurrent(self.policy.concurrency.max(1), |mail| async move {
                for one in mail {
                    if let Err(e) = self.take(one).await {
                        tracing::warn!(error = %e, "updating an outbox message failed");
                        metrics::counter!("souk_mail_store_errors_total").increment(1);
                    }
                }
            })
            .await;
        Ok(full)
    }

    /// Takes one due message and settles it.
    async fn take(&self, mail: OutboxMail) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        if mail.state == MailState::Sending {
            let why = "interrupted while sending; not sent again so it cannot arrive twice";
            metrics::counter!("souk_mail_failed_total", "reason" => "interrupted").increment(1);
            let failed = finished(&mail, MailState::Failed, Some(why.into()), now);
            self.store.update_mail(&mail, &failed).await?;
            return Ok(());
        }
        let taken = OutboxMail {
            state: MailState::Sending,
            attempts: mail.attempts + 1,
            due_at: now + self.policy.lease,
            ..mail.clone()
        };
        if !self.store.update_mail(&mail, &taken).await? {
            return Ok(()); // another worker has it
        }
        let next = self.attempt(&taken).await;
        self.store.update_mail(&taken, &next).await?;
        Ok(())
    }

    /// Writes and sends a taken message: what it becomes.
    async fn attempt(&self, taken: &OutboxMail) -> OutboxMail {
        let now = OffsetDateTime::now_utc();
        let site = Site {
            name: &self.policy.site_name,
            url: self.policy.site_url.as_deref(),
        };
        let letter = match compose(&*self.store, taken, &site, now).await {
            Ok(Composed::Letter(letter)) => letter,
            Ok(Composed::Drop(why)) => {
                metrics::counter!("souk_mail_dropped_total").increment(1);
                return finished(taken, MailState::Dropped, Some(why), now);
            }
            Err(e) => return self.retry(taken, "", format!("reading its data: {e}")),
        };
        let template = letter.template.as_str();
        let started = std::time::Instant::now();
        let sent = tokio::time::timeout(self.policy.send_timeout, self.mailer.send(&letter)).await;
        metrics::histogram!("souk_mail_send_seconds").record(started.elapsed().as_secs_f64());
        let now = OffsetDateTime::now_utc();
        match sent {
            Ok(Ok(())) => {
                metrics::counter!("souk_mail_sent_total", "template" => template).increment(1);
                finished(taken, MailState::Sent, None, now)
            }
            Ok(Err(MailError::Transient(e))) => self.retry(taken, template, e),
            Err(_) => self.retry(
                taken,
                template,
                "the mail server did not answer in time".into(),
            ),
            Ok(Err(MailError::Permanent(e))) => {
                tracing::warn!(mail = %taken.id, template, error = %e, "mail refused");
                metrics::counter!("souk_mail_failed_total", "reason" => "refused").increment(1);
                finished(taken, MailState::Failed, Some(e), now)
            }
        }
    }

    /// The message back to pending for a later try, or failed when out of tries.
    fn retry(&self, taken: &OutboxMail, template: &'static str, error: String) -> OutboxMail {
        let now = OffsetDateTime::now_utc();
        if taken.attempts >= self.policy.max_attempts {
            tracing::warn!(mail = %taken.id, template, %error, "mail failed after its last try");
            metrics::counter!("souk_mail_failed_total", "reason" => "exhausted").increment(1);
            return finished(taken, MailState::Failed, Some(error), now);
        }
        tracing::info!(mail = %taken.id, template, %error, attempts = taken.attempts, "mail will be retried");
        metrics::counter!("souk_mail_retries_total").increment(1);
        OutboxMail {
            state: MailState::Pending,
            due_at: now + self.policy.backoff(taken.attempts),
            last_error: Some(error),
            ..taken.clone()
        }
    }

    async fn purge(&self, now: Timestamp) {
        let Ok(keep) = time::Duration::try_from(self.policy.retention) else {
            return;
        };
        loop {
            match self.store.purge_mail(now - keep, PURGE_BATCH).await {
                Ok(n) if n == PURGE_BATCH => continue,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "purging old mail failed");
                    return;
                }
            }
        }
    }
}

/// Due messages by recipient, each recipient's in the order they were
/// made, so one account's letters go out one after another, in order
/// (a message retried later may still arrive after a newer one).
fn by_recipient(due: Vec<OutboxMail>) -> Vec<Vec<OutboxMail>> {
    let mut groups: Vec<Vec<OutboxMail>> = Vec::new();
    let mut at: HashMap<UserId, usize> = HashMap::new();
    for mail in due {
        match at.get(&mail.to) {
            Some(&i) => groups[i].push(mail),
            None => {
                at.insert(mail.to, groups.len());
                groups.push(vec![mail]);
            }
        }
    }
    for group in &mut groups {
        group.sort_by_key(|m| m.id);
    }
    groups
}

fn finished(
    mail: &OutboxMail,
    state: MailState,
    error: Option<String>,
    now: Timestamp,
) -> OutboxMail {
    OutboxMail {
        about: mail.about.scrubbed(),
        state,
        last_error: error.or_else(|| mail.last_error.clone()),
        finished_at: Some(now),
        ..mail.clone()
    }
}
