//! Which address a request came from: the TCP peer, or, behind trusted
//! reverse proxies, the right-most `X-Forwarded-For` entry that is not one of
//! them. Entries to its left were written by the client and are never used.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use serde::Deserialize;

/// An address block such as `10.0.0.0/8`, `fd00::/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask_eq(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask_eq(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn mask_eq(a: u128, b: u128, prefix: u8, bits: u8) -> bool {
    let shift = bits - prefix;
    shift >= bits || (a >> shift) == (b >> shift)
}

/// IPv4 addresses mapped into IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket
/// reports them) compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not an address or block like 10.0.0.0/8 or fd00::/8");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            None => bits,
        };
        Ok(Self { network, prefix })
    }
}

impl TryFrom<String> for Cidr {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

/// The reverse proxies in front of souk: by address block, and/or by how
/// many stand in front of it.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    pub blocks: Vec<Cidr>,
    /// This many hops nearest to souk (the TCP peer first) are proxies,
    /// whatever their address.
    pub hops: u8,
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty() && self.hops == 0
    }

    /// True when the TCP peer `ip` is a configured proxy by its address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.blocks.iter().any(|b| b.contains(ip))
    }

    /// The client's address: walking from the TCP peer leftwards through
    /// every `X-Forwarded-For` entry, the first hop that is not a trusted
    /// proxy. An entry that is not an address ends the walk at the proxy
    /// that passed it on; when every hop is a proxy, the left-most is used.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.is_proxy(client, 0) {
            return client;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for (position, entry) in forwarded.iter().rev().enumerate() {
            let Ok(hop) = entry.trim().parse::<IpAddr>() else {
                return client;
            };
            client = canonical(hop);
            if !self.is_proxy(client, position + 1) {
                return client;
            }
        }
        client
    }

    /// Hop `position` (0 for the TCP peer) is a proxy.
    fn is_proxy(&self, ip: IpAddr, position: usize) -> bool {
        position < usize::from(self.hops) || self.contains(ip)
    }
}

/// The key a client is limited under: its address, with an IPv6 address
/// reduced to its /64 (one host usually holds a whole /64).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("a test address")
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().expect("a header value"));
        }
        map
    }

    fn proxies(blocks: &[&str], hops: u8) -> TrustedProxies {
        TrustedProxies {
            blocks: blocks.iter().map(|b| b.parse().expect("a block")).collect(),
            hops,
        }
    }

    #[test]
    fn blocks_parse_and_match() {
        let block: Cidr = "10.0.0.0/8".parse().expect("valid");
        assert!(block.contains(ip("10.200.1.2")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.1.1.1")));
        let single: Cidr = "2001:db8::1".parse().expect("valid");
        assert!(single.contains(ip("2001:db8::1")));
        assert!(!single.contains(ip("2001:db8::2")));
        let all: Cidr = "0.0.0.0/0".parse().expect("valid");
        assert!(all.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/", "::/129"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = proxies(&["10.0.0.0/8"], 0);
        let forged = headers(&["1.1.1.1"]);
        assert_eq!(
            trusted.client(ip("203.0.113.7"), &forged),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8"], 0);
        let chain = headers(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip("203.0.113.7"));
        // A forged left-most entry changes nothing.
        let forged = headers(&["9.9.9.9, 203.0.113.7, 10.0.0.2"]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &forged), ip("203.0.113.7"));
    }

    #[test]
    fn a_hop_count_trusts_that_many_nearest_hops() {
        let trusted = proxies(&[], 2);
        let chain = headers(&["6.6.6.6, 203.0.113.7, 198.51.100.1"]);
        assert_eq!(trusted.client(ip("192.0.2.1"), &chain), ip("203.0.113.7"));
        // Fewer entries than hops: the left-most is all there is.
        assert_eq!(
            trusted.client(ip("192.0.2.1"), &headers(&[])),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn garbage_stops_at_the_proxy_that_passed_it() {
        let trusted = proxies(&["10.0.0.0/8"], 0);
        let chain = headers(&["203.0.113.7, not-an-ip"]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("203.0.113.7")), ip("203.0.113.7"));
    }
}
