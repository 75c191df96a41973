//! Placement: which live node serves each piece of work (an inventory shard,
//! a group of carts, the checkout dispatcher), by lease.
//!
//! Every node runs a [`Placer`] over the same list of names. At each tick it
//! renews what it holds in one round trip, lists the live members, and for
//! each name picks the member with the highest rendezvous hash of (name,
//! member). A node takes a free name it picks; it hands over a name it holds
//! that picks another live member (a node that joined), stopping the work
//! before releasing the lease: a few names per tick (one per 16 names
//! placed), so that only a little work is moving at any time. A node that dies stops
//! renewing: its leases expire and the members that pick its names take them.
//!
//! Work starts only under a granted lease and stops as soon as the lease is
//! lost, handed over, or past its local validity (Redis unreachable): a node
//! keeps serving what it holds while Redis is away, until its leases would
//! have expired.

use std::collections::BTreeMap;

use crate::ClusterError;
use crate::leases::{Grant, Lease, Leases};
use crate::members::Membership;

/// A node hands over at most one name per this many names placed, per tick.
const HANDOVER_SHARE: usize = 16;

/// What a node does under a lease.
#[async_trait::async_trait]
pub trait Work: Send + Sync {
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
    held: BTreeMap<String, Lease>,
    /// Where each name's holder is reached, as of the last round.
    owners: BTreeMap<String, String>,
}

impl Placer {
    /// `leases` are taken in this node's holder name (`id/incarnation`, as
    /// its membership record says).
    pub fn new(leases: Leases, membership: Membership, names: Vec<String>) -> Self {
        Self {
            leases,
            membership,
            names,
            held: BTreeMap::new(),
            owners: BTreeMap::new(),
        }
    }

    /// Where the live holder of each held name is reached (its member's
    /// `advertise`), as of the last round that could list them.
    pub fn owners(&self) -> &BTreeMap<String, String> {
        &self.owners
    }

    /// The leases held now, by name.
    pub fn held(&self) -> &BTreeMap<String, Lease> {
        &self.held
    }

    /// One round: renew, then take and hand over. Call every third of the
    /// lease time. A Redis failure stops only the work whose lease is past
    /// its validity, and is returned after that.
    pub async fn tick(&mut self, work: &dyn Work) -> Result<Changes, ClusterError> {
        let mut changes = Changes::default();
        let renewed = self.renew(work, &mut changes).await;
        // Whatever happened, work under a lease past its validity stops now.
        let expired: Vec<String> = self
            .held
            .iter()
            .filter(|(_, lease)| !lease.is_valid())
            .map(|(name, _)| name.clone())
            .collect();
        for name in expired {
            self.held.remove(&name);
            work.stop(&name).await;
            changes.stopped.push(name);
        }
        renewed?;
        self.place(work, &mut changes).await?;
        Ok(changes)
    }

    async fn renew(&mut self, work: &dyn Work, changes: &mut Changes) -> Result<(), ClusterError> {
        let held: Vec<Lease> = self.held.values().cloned().collect();
        for (old, renewed) in held.iter().zip(self.leases.renew(&held).await?) {
            match renewed {
                Some(lease) => {
                    self.held.insert(lease.name.clone(), lease);
                }
                None => {
                    self.held.remove(&old.name);
                    work.stop(&old.name).await;
                    changes.stopped.push(old.name.clone());
                }
            }
        }
        Ok(())
    }

    async fn place(&mut self, work: &dyn Work, changes: &mut Changes) -> Result<(), ClusterError> {
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
                None if pick == Some(&me) => self.take(name, work, changes).await?,
                Some(h) if h.holder == me && pick != Some(&me) && handovers > 0 => {
                    // Another live member picks this name: hand it over.
                    if let Some(lease) = self.held.remove(name) {
                        work.stop(name).await;
                        self.leases.release(&[lease]).await?;
                        changes.handed_over.push(name.clone());
                        handovers -= 1;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn take(
        &mut self,
        name: &str,
        work: &dyn Work,
        changes: &mut Changes,
    ) -> Result<(), ClusterError> {
        let Grant::Granted(lease) = self.leases.acquire(name).await? else {
            return Ok(());
        };
        match work.start(&lease).await {
            Ok(()) => {
                self.held.insert(name.to_owned(), lease);
                changes.started.push(name.to_owned());
            }
            Err(why) => {
                tracing::warn!(work = name, epoch = lease.epoch, %why, "could not start; giving the lease back");
                self.leases.release(&[lease]).await?;
            }
        }
        Ok(())
    }

    /// Stops all work and gives every lease back (a clean shutdown).
    pub async fn leave(&mut self, work: &dyn Work) -> Result<(), ClusterError> {
        let held: Vec<Lease> = std::mem::take(&mut self.held).into_values().collect();
        for lease in &held {
            work.stop(&lease.name).await;
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
