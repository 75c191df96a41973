//! The checkpoint journal: a checkpoint's pages, synced before they are written
//! into the store file, so a crash half-way through the file can be finished.

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::paged::{PAGE, sync_dir};

const MAGIC: &[u8; 8] = b"soukjnl1";

/// Journal: magic, length, cut, page count, then (page, bytes) per page, then
/// the CRC-32 of all of it.
pub fn encode_journal(len: u64, cut: u64, entries: &[(u64, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(36 + entries.len() * (8 + PAGE as usize));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&cut.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (page, bytes) in entries {
        out.extend_from_slice(&page.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

type Journal = (u64, u64, Vec<(u64, Vec<u8>)>);

/// A whole journal, or `None` for an empty, torn or foreign one.
pub fn decode_journal(bytes: &[u8]) -> Option<Journal> {
    let (body, crc) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    if body.len() < 32 || &body[..8] != MAGIC || crc32fast::hash(body).to_le_bytes() != crc {
        return None;
    }
    let word = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().unwrap_or_default());
    let (len, cut, count) = (word(8), word(16), word(24));
    let entry = 8 + PAGE as usize;
    if (body.len() - 32) != usize::try_from(count).ok()?.checked_mul(entry)? {
        return None;
    }
    let pages = body[32..]
        .chunks_exact(entry)
        .map(|c| {
            (
                u64::from_le_bytes(c[..8].try_into().unwrap_or_default()),
                c[8..].to_vec(),
            )
        })
        .collect();
    Some((len, cut, pages))
}

pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all_at(bytes, 0)?;
    file.sync_data()?;
    if !existed {
        sync_dir(path)?;
    }
    Ok(())
}

pub fn clear(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new().write(true).open(path)?;
    file.set_len(0)?;
    file.sync_data()
}

/// Makes the file what the journal describes: cut at `cut` (zeros beyond),
/// `len` long, with the pages written. Doing it twice gives the same file.
pub fn apply(file: &File, len: u64, cut: u64, pages: &[(u64, &[u8])]) -> io::Result<()> {
    if file.metadata()?.len() > cut {
        file.set_len(cut)?;
    }
    file.set_len(len)?;
    for (page, bytes) in pages {
        let offset = page * PAGE;
        if offset < len {
            let keep = bytes.len().min((len - offset) as usize);
            file.write_all_at(&bytes[..keep], offset)?;
        }
    }
    file.sync_all()
}

pub fn recover(file: &File, path: &Path) -> io::Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if let Some((len, cut, pages)) = decode_journal(&bytes) {
        tracing::warn!(
            pages = pages.len(),
            "finishing a store checkpoint interrupted by a crash"
        );
        let pages: Vec<(u64, &[u8])> = pages.iter().map(|(p, b)| (*p, &b[..])).collect();
        apply(file, len, cut, &pages)?;
    }
    if !bytes.is_empty() {
        clear(path)?;
    }
    Ok(())
}
