//! Placement: which live node serves each piece of work (an inventory shard,
//! a group of carts, the checkout dispatcher), by lease.
//!
//! Every node runs a [`Placer`] over the same list of names. At each tick it
//! renews what it holds in one round trip, lists the live members, and for
//! each name picks the member with the highest rendezvous hash of (name,
//! member). A node takes a free name it picks; it hands over a name it holds
//! that picks another live member (a node that joined), stopping the work
//! before releasing the lease: a few names per tick (one per 16 names
//! placed), so that only a little work is moving at any time. A node that
//! dies stops renewing: its leases expire and the members that pick its
//! names take them.
//!
//! Work starts only under a granted lease and stops as soon as the lease is
//! lost, handed over, or past its local validity (Redis unreachable): a node
//! keeps serving what it holds while Redis is away, until its leases would
//! have expired.
//!
//! Starting and stopping work runs beside the rounds, never in their way: a
//! stop that waits for calls in flight (to a node that hangs, say) must not
//! delay the renewals of everything else this node holds. A round waits a
//! little for what it started and stopped, and takes the rest up at a later
//! round; a name being handed over stays renewed until its work has
//! stopped, and only then is its lease released.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::ClusterError;
use crate::leases::{Grant, Lease, Leases};
use crate::members::Membership;

/// A node hands over at most one name per this many names placed, per tick.
const HANDOVER_SHARE: usize = 16;

/// How long a round waits for the work it started or stopped.
const ROUND_WAIT: Duration = Duration::from_millis(200);

/// What a node does under a lease.
#[async_trait::async_trait]
pub trait Work: Send + Sync + 'static {
    /// Starts serving `lease.name` under `lease.epoch`. An error gives the
    /// lease back, to be tried again at a later tick.
    async fn start(&self, lease: &Lease) -> Result<(), String>;
    /// Stops serving `name`; returns once nothing more is written under it.
    async fn stop(&self, name: &str);
}

/// What one tick changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub started: Vec<String>,
    pub stopped: Vec<String>,
    pub handed_over: Vec<String>,
}

/// Places `names` on live members, from this node's side.
pub struct Placer {
    leases: Leases,
    membership: Membership,
    names: Vec<String>,
    work: Arc<dyn Work>,
    /// Leases held for work that runs here or is starting.
    held: BTreeMap<String, Lease>,
    /// Work starting, until it says whether it started.
    starting: BTreeMap<String, JoinHandle<Result<(), String>>>,
    /// Leases being handed over: renewed until their work has stopped.
    handing: BTreeMap<String, (Lease, JoinHandle<()>)>,
    /// Work stopping because its lease was lost.
    stopping: Vec<JoinHandle<()>>,
    /// Where each name's holder is reached, as of the last round.
    owners: BTreeMap<String, String>,
}

impl Placer {
    /// `leases` are taken in this node's holder name (`id/incarnation`, as
    /// its membership record says); `work` is started and stopped under them.
    pub fn new(
        leases: Leases,
        membership: Membership,
        names: Vec<String>,
        work: Arc<dyn Work>,
    ) -> Self {
        Self {
            leases,
            membership,
            names,
            work,
            held: BTreeMap::new(),
            starting: BTreeMap::new(),
            handing: BTreeMap::new(),
            stopping: Vec::new(),
            owners: BTreeMap::new(),
        }
    }

    /// Where the live holder of each held name is reached (its member's
    /// `advertise`), as of the last round that could list them.
    pub fn owners(&self) -> &BTreeMap<String, String> {
        &self.owners
    }

    /// The leases held now, by name (work running or starting here).
    pub fn held(&self) -> &BTreeMap<String, Lease> {
        &self.held
    }

    /// One round: renew, then take and hand over. Call every third of the
    /// lease time. A Redis failure stops only the work whose lease is past
    /// its validity, and is returned after that.
    pub async fn tick(&mut self) -> Result<Changes, ClusterError> {
        let mut changes = Changes::default();
        self.finish(&mut changes).await?;
        let renewed = self.renew(&mut changes).await;
        // Whatever happened, work under a lease past its validity stops now.
        let expired: Vec<String> = self
            .held
            .iter()
            .filter(|(_, lease)| !lease.is_valid())
            .map(|(name, _)| name.clone())
            .collect();
        for name in expired {
            self.held.remove(&name);
            self.stop_lost(&name, &mut changes);
        }
        self.handing.retain(|_, (lease, _)| lease.is_valid());
        if let Err(e) = renewed {
            self.wait_a_little().await;
            return Err(e);
        }
        self.place(&mut changes).await?;
        self.wait_a_little().await;
        self.finish(&mut changes).await?;
        Ok(changes)
    }

    /// Takes up what started or stopped since the last look: a start that
    /// failed gives its lease back, a handover whose work stopped releases
    /// its lease.
    async fn finish(&mut self, changes: &mut Changes) -> Result<(), ClusterError> {
        let done: Vec<String> = self
            .starting
            .iter()
            .filter(|(_, task)| task.is_finished())
            .map(|(name, _)| name.clone())
            .collect();
        for name in done {
            let Some(task) = self.starting.remove(&name) else {
                continue;
            };
            let failed = match task.await {
                Ok(Ok(())) => None,
                Ok(Err(why)) => Some(why),
                Err(e) => Some(e.to_string()),
            };
            match failed {
                None => changes.started.push(name),
                Some(why) => {
                    tracing::warn!(work = %name, %why, "could not start; giving the lease back");
                    if let Some(lease) = self.held.remove(&name) {
                        self.leases.release(&[lease]).await?;
                    }
                }
            }
        }
        let stopped: Vec<String> = self
            .handing
            .iter()
            .filter(|(_, (_, task))| task.is_finished())
            .map(|(name, _)| name.clone())
            .collect();
        for name in stopped {
            if let Some((lease, _)) = self.handing.remove(&name) {
                self.leases.release(&[lease]).await?;
                changes.handed_over.push(name);
            }
        }
        Ok(())
    }

    /// Waits (briefly) for the work started and stopped this round.
    async fn wait_a_little(&mut self) {
        let until = Instant::now() + ROUND_WAIT;
        self.stopping.retain(|task| !task.is_finished());
        while Instant::now() < until
            && (self.starting.values().any(|t| !t.is_finished())
                || self.handing.values().any(|(_, t)| !t.is_finished())
                || self.stopping.iter().any(|t| !t.is_finished()))
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn renew(&mut self, changes: &mut Changes) -> Result<(), ClusterError> {
        let held: Vec<Lease> = self
            .held
            .values()
            .chain(self.handing.values().map(|(lease, _)| lease))
            .cloned()
            .collect();
        for (old, renewed) in held.iter().zip(self.leases.renew(&held).await?) {
            let handing = self.handing.contains_key(&old.name);
            match (renewed, handing) {
                (Some(lease), false) => {
                    self.held.insert(lease.name.clone(), lease);
                }
                (Some(lease), true) => {
                    if let Some(entry) = self.handing.get_mut(&lease.name) {
                        entry.0 = lease;
                    }
                }
                (None, false) => {
                    self.held.remove(&old.name);
                    self.stop_lost(&old.name, changes);
                }
                // Lost while stopping: the stop goes on; nothing to release.
                (None, true) => {
                    self.handing.remove(&old.name);
                }
            }
        }
        Ok(())
    }

    /// Stops work whose lease is gone (lost, or past its validity).
    fn stop_lost(&mut self, name: &str, changes: &mut Changes) {
        if let Some(task) = self.starting.remove(name) {
            task.abort();
        }
        let (work, stopping) = (self.work.clone(), name.to_owned());
        self.stopping
            .push(tokio::spawn(async move { work.stop(&stopping).await }));
        changes.stopped.push(name.to_owned());
    }

    async fn place(&mut self, changes: &mut Changes) -> Result<(), ClusterError> {
        let live = self.membership.list().await?;
        let members: Vec<String> = live.iter().map(|m| m.holder()).collect();
        let me = self.leases.holder().to_owned();
        if !members.contains(&me) {
            // Not (or no longer) a member: take nothing new.
            return Ok(());
        }
        let holders = self.leases.holders(&self.names).await?;
        self.owners = self
            .names
            .iter()
            .zip(&holders)
            .filter_map(|(name, holder)| {
                let holder = holder.as_ref()?;
                let member = live.iter().find(|m| m.holder() == holder.holder)?;
                Some((name.clone(), member.advertise.clone()))
            })
            .collect();
        let mut handovers = (self.names.len() / HANDOVER_SHARE).max(1);
        for (name, holder) in self.names.clone().iter().zip(holders) {
            let pick = pick(name, &members);
            match holder {
                None if pick == Some(&me) => self.take(name).await?,
                Some(h)
                    if h.holder == me
                        && pick != Some(&me)
                        && handovers > 0
                        && !self.starting.contains_key(name) =>
                {
                    // Another live member picks this name: hand it over
                    // once its work here has stopped.
                    if let Some(lease) = self.held.remove(name) {
                        let (work, stopping) = (self.work.clone(), name.clone());
                        let task = tokio::spawn(async move { work.stop(&stopping).await });
                        self.handing.insert(name.clone(), (lease, task));
                        changes.stopped.push(name.clone());
                        handovers -= 1;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn take(&mut self, name: &str) -> Result<(), ClusterError> {
        if self.handing.contains_key(name) {
            return Ok(());
        }
        let Grant::Granted(lease) = self.leases.acquire(name).await? else {
            return Ok(());
        };
        let (work, starting) = (self.work.clone(), lease.clone());
        let task = tokio::spawn(async move { work.start(&starting).await });
        self.held.insert(name.to_owned(), lease);
        self.starting.insert(name.to_owned(), task);
        Ok(())
    }

    /// Stops all work and gives every lease back (a clean shutdown).
    pub async fn leave(&mut self) -> Result<(), ClusterError> {
        for (_, task) in std::mem::take(&mut self.starting) {
            let _ = task.await;
        }
        for task in std::mem::take(&mut self.stopping) {
            let _ = task.await;
        }
        let mut held: Vec<Lease> = std::mem::take(&mut self.held).into_values().collect();
        for lease in &held {
            self.work.stop(&lease.name).await;
        }
        for (_, (lease, task)) in std::mem::take(&mut self.handing) {
            let _ = task.await;
            held.push(lease);
        }
        self.leases.release(&held).await?;
        Ok(())
    }
}

/// The member that serves `name`: the highest rendezvous hash of the two.
/// Every node computes the same, whatever its build: the hash is FNV-1a.
pub fn pick<'a>(name: &str, members: &'a [String]) -> Option<&'a String> {
    members.iter().max_by_key(|m| (score(name, m), m.as_str()))
}

fn score(name: &str, member: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes().chain([0]).chain(member.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // FNV-1a mixes its last bytes poorly; finish with a splitmix64 round.
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_picks_one_member_and_spreads_over_them() {
        let members: Vec<String> = ["a/1", "b/1", "c/1"].map(String::from).to_vec();
        let mut count = BTreeMap::new();
        for i in 0..3000 {
            let name = format!("orders/{i}");
            *count
                .entry(pick(&name, &members).unwrap().clone())
                .or_insert(0) += 1;
        }
        for (member, n) in &count {
            assert!((850..=1150).contains(n), "{member}: {n}");
        }
    }

    #[test]
    fn a_member_leaving_moves_only_its_own_names() {
        let three: Vec<String> = ["a/1", "b/1", "c/1"].map(String::from).to_vec();
        let two: Vec<String> = ["a/1", "b/1"].map(String::from).to_vec();
        for i in 0..500 {
            let name = format!("inventory/{i}");
            let before = pick(&name, &three).unwrap();
            if before != "c/1" {
                assert_eq!(pick(&name, &two), Some(before), "{name}");
            }
        }
        assert_eq!(pick("x", &[]), None);
    }
}
