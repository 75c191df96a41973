//! The open-file limit: every WebSocket connection holds a descriptor, and the
//! usual default (1,024 or 20,000) is far below what one node can serve.

/// Raises this process's open-file limit towards `want` and returns the soft
/// limit now in force. A privileged process may raise the hard limit too (up
/// to the kernel's `fs.nr_open`); otherwise the soft limit goes as high as the
/// hard limit allows.
pub fn raise_open_files(want: u64) -> u64 {
    use rlimit::Resource;
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
        let (before, _) =
            rlimit::getrlimit(rlimit::Resource::NOFILE).expect("the open-files limit");
        assert!(raise_open_files(16) >= before.min(16));
        let (after, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("the open-files limit");
        assert_eq!(after, before, "a lower wish leaves the limit as it was");
    }
}
