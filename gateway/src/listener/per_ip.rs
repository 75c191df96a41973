//! Open connections per client address, capped: one address cannot hold
//! every file descriptor the node has.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::client_ip::TrustedProxies;

/// Counts open connections by peer address. The map holds only addresses
/// with an open connection, so it is as large as the connections are many.
pub struct PerIp {
    max: usize,
    /// Reverse proxies carry many clients' connections: they are not capped.
    exempt: TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl PerIp {
    pub fn new(max: usize, exempt: TrustedProxies) -> Arc<Self> {
        Arc::new(Self {
            max,
            exempt,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for one more connection from `ip`, or `None` at the cap. The
    /// slot is given back when dropped.
    pub fn acquire(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        if self.exempt.contains(ip) {
            return Some(Slot { owner: None, ip });
        }
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Slot {
            owner: Some(self.clone()),
            ip,
        })
    }

    fn release(&self, ip: IpAddr) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// One open connection's place in [`PerIp`].
pub struct Slot {
    owner: Option<Arc<PerIp>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(owner) = &self.owner {
            owner.release(self.ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_address_and_gives_slots_back() {
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let exempt = TrustedProxies {
            blocks: vec!["10.0.0.1".parse().expect("a block")],
            hops: 0,
        };
        let per_ip = PerIp::new(2, exempt);
        let client: IpAddr = [203, 0, 113, 7].into();
        let first = per_ip.acquire(client).expect("first");
        let _second = per_ip.acquire(client).expect("second");
        assert!(per_ip.acquire(client).is_none());
        assert!(per_ip.acquire([203, 0, 113, 8].into()).is_some());
        drop(first);
        assert!(per_ip.acquire(client).is_some());
        let proxied: Vec<_> = (0..5).filter_map(|_| per_ip.acquire(proxy)).collect();
        assert_eq!(proxied.len(), 5);
    }
}
