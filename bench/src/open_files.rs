//! The bench's open-file limit: every WebSocket connection it holds takes a descriptor.

use rlimit::Resource;

/// Raises this process's open-file limit towards `want` and returns the soft limit now
/// in force. The soft limit goes up to the hard limit; a privileged process raises the
/// hard limit too, up to the kernel's `fs.nr_open`.
pub fn raise(want: u64) -> u64 {
    let Ok((soft, hard)) = rlimit::getrlimit(Resource::NOFILE) else {
        return 0;
    };
    if soft >= want {
        return soft;
    }
    if want > hard {
        let ceiling = nr_open().map_or(want, |max| want.min(max));
        if rlimit::setrlimit(Resource::NOFILE, ceiling, ceiling).is_ok() {
            return ceiling;
        }
    }
    let target = want.min(hard);
    match rlimit::setrlimit(Resource::NOFILE, target, hard) {
        Ok(()) => target,
        Err(_) => soft,
    }
}

/// The most descriptors the kernel lets one process hold.
fn nr_open() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/fs/nr_open").ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_lowers_the_limit() {
        let before = rlimit::getrlimit(Resource::NOFILE).map_or(0, |(soft, _)| soft);
        assert!(raise(16) >= before.min(16));
        let after = rlimit::getrlimit(Resource::NOFILE).map_or(0, |(soft, _)| soft);
        assert_eq!(after, before, "a lower wish leaves the limit as it was");
    }
}
