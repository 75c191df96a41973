//! Memory of the WebSocket benchmark's servers, per connection: the nodes'
//! resident memory, the kernel's buffers of their sockets (from `ss`), and
//! the kernel's slab (socket structures, for both ends of each loopback
//! connection, so half of its growth is the server's).

use std::process::Command;

use anyhow::{Context, ensure};

use super::server::rss_mib_of;

/// What to measure: the servers' and the holders' processes, and the ports
/// the servers listen on.
#[derive(Clone)]
pub struct Probe {
    pub servers: Vec<u32>,
    pub holders: Vec<u32>,
    pub ports: Vec<u16>,
}

/// One reading.
#[derive(Clone, Copy, Default, Debug)]
pub struct Sample {
    /// The servers' resident memory, MiB (`None` without their pids).
    pub servers_rss_mib: Option<f64>,
    pub holders_rss_mib: f64,
    /// The servers' connected sockets and what their buffers hold (bytes
    /// received, queued to send, and reserved), from `ss -m`.
    pub sockets: usize,
    pub socket_buffers: u64,
    /// The kernel's slab, all of this machine (`Slab` in /proc/meminfo).
    pub slab_kib: u64,
}

impl Sample {
    /// Server memory per connection, KiB: `self` against `base` (before any
    /// connection), counting half the slab's growth.
    pub fn per_connection_kib(&self, base: &Sample, connections: usize) -> Option<f64> {
        let rss = self.servers_rss_mib? - base.servers_rss_mib?;
        let buffers = self.socket_buffers.saturating_sub(base.socket_buffers) as f64 / 1024.0;
        let slab = self.slab_kib.saturating_sub(base.slab_kib) as f64 / 2.0;
        (connections > 0).then(|| (rss * 1024.0 + buffers + slab) / connections as f64)
    }
}

impl Probe {
    /// Reads every figure; blocking (it runs `ss`).
    pub fn sample(&self) -> anyhow::Result<Sample> {
        let rss = |pids: &[u32]| -> anyhow::Result<f64> {
            // A fold from 0.0: an empty f64 sum is -0.0.
            pids.iter().try_fold(0.0, |sum, pid| {
                Ok(sum + rss_mib_of(&format!("/proc/{pid}/status"))?)
            })
        };
        let (sockets, socket_buffers) = self.socket_buffers()?;
        Ok(Sample {
            servers_rss_mib: match self.servers.is_empty() {
                true => None,
                false => Some(rss(&self.servers)?),
            },
            holders_rss_mib: rss(&self.holders)?,
            sockets,
            socket_buffers,
            slab_kib: slab_kib()?,
        })
    }

    fn socket_buffers(&self) -> anyhow::Result<(usize, u64)> {
        if self.ports.is_empty() {
            return Ok((0, 0));
        }
        let filter = self
            .ports
            .iter()
            .map(|port| format!("sport = :{port}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let output = Command::new("ss")
            .args(["-tmnaH", &format!("( {filter} )")])
            .output()
            .context("cannot run ss")?;
        ensure!(output.status.success(), "ss failed: {}", output.status);
        Ok(sum_buffers(&String::from_utf8_lossy(&output.stdout)))
    }
}

/// Sockets other than listeners and the sum of their `r` + `w` + `f` in
/// `ss -tmnaH` output, where each socket's `skmem:(…)` follows its line.
fn sum_buffers(ss: &str) -> (usize, u64) {
    let (mut sockets, mut bytes, mut listening) = (0, 0, false);
    for line in ss.lines() {
        let Some(skmem) = line.trim().strip_prefix("skmem:(") else {
            listening = line.starts_with("LISTEN");
            continue;
        };
        if listening {
            continue;
        }
        sockets += 1;
        for field in skmem.trim_end_matches(')').split(',') {
            let counted = ["r", "w", "f"].iter().find_map(|name| {
                let value = field.strip_prefix(name)?;
                value.parse::<u64>().ok()
            });
            bytes += counted.unwrap_or(0);
        }
    }
    (sockets, bytes)
}

fn slab_kib() -> anyhow::Result<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").context("cannot read /proc/meminfo")?;
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix("Slab:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .context("no Slab line in /proc/meminfo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_buffers_count_received_queued_and_reserved_bytes() {
        let ss = "LISTEN 0 1024 127.0.0.1:8080 0.0.0.0:*\n\
                  \t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)\n\
                  ESTAB 0 0 127.0.0.1:8080 127.0.0.2:40000\n\
                  \t skmem:(r0,rb131072,t0,tb2626560,f4096,w0,o0,bl0,d0)\n\
                  FIN-WAIT-1 0 65000 127.0.0.1:8080 127.0.0.2:40001\n\
                  \t skmem:(r0,rb131072,t512,tb2626560,f1024,w70000,o0,bl0,d0)\n";
        assert_eq!(sum_buffers(ss), (2, 4096 + 1024 + 70000));
    }
}
