//! Reads the shim's record (`fslog.c`): the file changes a process made under
//! the store's directory, and its marks, in the order they took effect.

use std::path::{Path, PathBuf};

/// One recorded call. Paths are relative to the store's directory.
#[derive(Debug, Clone)]
pub enum Event {
    Open { fd: i32, flags: i32, path: PathBuf },
    Write { fd: i32, at: u64, data: Vec<u8> },
    Sync { fd: i32 },
    Truncate { fd: i32, len: u64 },
    Close { fd: i32 },
    Rename { from: PathBuf, to: PathBuf },
    Unlink { path: PathBuf },
    Mkdir { path: PathBuf },
    Rmdir { path: PathBuf },
    Dup { old: i32, new: i32 },
    Link { from: PathBuf, to: PathBuf },
    Mark(Vec<u8>),
    Unsupported(String),
}

pub fn read(file: &Path, root: &Path) -> Result<Vec<Event>, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut reader = Reader {
        bytes: &bytes,
        at: 0,
        root,
    };
    let mut events = Vec::new();
    while reader.at < bytes.len() {
        events.push(reader.event()?);
    }
    Ok(events)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    root: &'a Path,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at + n;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| format!("the record ends inside an entry at byte {}", self.at))?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn fd(&mut self) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        let len = u32::from_le_bytes(self.array()?) as usize;
        Ok(self.take(len)?.to_vec())
    }

    fn path(&mut self) -> Result<PathBuf, String> {
        let raw = String::from_utf8(self.bytes()?).map_err(|e| e.to_string())?;
        let path = Path::new(&raw);
        let relative = path
            .strip_prefix(self.root)
            .map_err(|_| format!("{raw} is outside the store's directory"))?;
        Ok(relative.to_path_buf())
    }

    fn event(&mut self) -> Result<Event, String> {
        let [kind] = self.array()?;
        Ok(match kind {
            1 => Event::Open {
                fd: self.fd()?,
                flags: self.fd()?,
                path: self.path()?,
            },
            2 => Event::Write {
                fd: self.fd()?,
                at: self.u64()?,
                data: self.bytes()?,
            },
            3 => Event::Sync { fd: self.fd()? },
            4 => Event::Truncate {
                fd: self.fd()?,
                len: self.u64()?,
            },
            5 => Event::Close { fd: self.fd()? },
            6 => Event::Rename {
                from: self.path()?,
                to: self.path()?,
            },
            7 => Event::Unlink { path: self.path()? },
            8 => Event::Mkdir { path: self.path()? },
            9 => Event::Rmdir { path: self.path()? },
            10 => Event::Dup {
                old: self.fd()?,
                new: self.fd()?,
            },
            11 => Event::Mark(self.bytes()?),
            12 => Event::Unsupported(String::from_utf8_lossy(&self.bytes()?).into_owned()),
            13 => Event::Link {
                from: self.path()?,
                to: self.path()?,
            },
            other => return Err(format!("unknown entry {other} at byte {}", self.at - 1)),
        })
    }
}
