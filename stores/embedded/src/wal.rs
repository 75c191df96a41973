//! The write-ahead log: one frame per group commit, synced before the commit
//! is answered or becomes visible to readers.
//!
//! The log is a run of segment files next to the store (`souk.wal-<seq>`). A
//! checkpoint starts a new segment; once the checkpoint is on disk the older
//! segments are deleted, one kept as a spare for the next segment. Segments are
//! written in place over zeros (a fresh spare is zero-filled in the background),
//! so a sync rarely has to change the file's size. Every frame names its
//! segment, so the stale frames of a recycled file never read as new ones.

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::paged::sync_dir;

/// Size a spare segment is zero-filled to.
const SPARE_BYTES: u64 = 16 << 20;
/// len (4), crc (4), seq (8), kind (1).
const HEADER: usize = 17;

/// What a frame holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// The changes of one group commit.
    Batch = 1,
    /// The batch just before did not commit: replay must skip it.
    Cancel = 2,
}

/// The segment being appended to.
pub struct Wal {
    base: PathBuf,
    seq: u64,
    file: File,
    pos: u64,
}

/// Where the log for the store at `base` keeps its files.
fn segment(base: &Path, seq: u64) -> PathBuf {
    base.with_extension(format!("wal-{seq:020}"))
}

fn spare(base: &Path) -> PathBuf {
    base.with_extension("wal-spare")
}

/// The log's segments on disk, oldest first.
pub fn segments(base: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let dir = base
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = format!(
        "{}.wal-",
        base.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
    );
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(seq) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        out.push((seq, entry.path()));
    }
    out.sort_unstable_by_key(|(seq, _)| *seq);
    Ok(out)
}

/// The committed batches of one segment, in order: frames up to the first torn
/// or stale one, without cancelled batches.
pub fn read_segment(seq: u64, path: &Path) -> io::Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path)?;
    let mut batches: Vec<Vec<u8>> = Vec::new();
    let mut at = 0;
    while let Some((kind, payload, next)) = frame_at(&bytes, at, seq) {
        match kind {
            Kind::Batch => batches.push(payload.to_vec()),
            Kind::Cancel => {
                batches.pop();
            }
        }
        at = next;
    }
    Ok(batches)
}

fn frame_at(bytes: &[u8], at: usize, seq: u64) -> Option<(Kind, &[u8], usize)> {
    let header = bytes.get(at..at + HEADER)?;
    let len = u32::from_le_bytes(header[0..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().ok()?);
    let frame_seq = u64::from_le_bytes(header[8..16].try_into().ok()?);
    let payload = bytes.get(at + HEADER..at + HEADER + len)?;
    if frame_seq != seq || checksum(&header[8..], payload) != crc {
        return None;
    }
    let kind = match header[16] {
        1 => Kind::Batch,
        2 => Kind::Cancel,
        _ => return None,
    };
    Some((kind, payload, at + HEADER + len))
}

fn checksum(seq_and_kind: &[u8], payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(seq_and_kind);
    hasher.update(&(payload.len() as u32).to_le_bytes());
    hasher.update(payload);
    hasher.finalize()
}

impl Wal {
    /// Starts segment `seq`, on the spare file when there is one.
    pub fn create(base: &Path, seq: u64) -> io::Result<Self> {
        let path = segment(base, seq);
        match std::fs::rename(spare(base), &path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                File::create(&path)?;
            }
            Err(e) => return Err(e),
        }
        sync_dir(&path)?;
        let file = OpenOptions::new().write(true).open(&path)?;
        Ok(Self {
            base: base.to_owned(),
            seq,
            file,
            pos: 0,
        })
    }

    /// The store file this log belongs to.
    pub fn base(&self) -> &Path {
        &self.base
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Bytes written to this segment.
    pub fn len(&self) -> u64 {
        self.pos
    }

    /// Appends one frame and syncs it.
    pub fn append(&mut self, kind: Kind, payload: &[u8]) -> io::Result<()> {
        let mut frame = Vec::with_capacity(HEADER + payload.len());
        let mut tail = [0u8; 9];
        tail[..8].copy_from_slice(&self.seq.to_le_bytes());
        tail[8] = kind as u8;
        let len = u32::try_from(payload.len())
            .map_err(|_| io::Error::new(ErrorKind::InvalidInput, "log frame over 4 GiB"))?;
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend_from_slice(&checksum(&tail, payload).to_le_bytes());
        frame.extend_from_slice(&tail);
        frame.extend_from_slice(payload);
        self.file.write_all_at(&frame, self.pos)?;
        self.file.sync_data()?;
        self.pos += frame.len() as u64;
        Ok(())
    }

    /// Moves on to the next segment; returns the one just finished.
    pub fn rotate(&mut self) -> io::Result<u64> {
        let next = Self::create(&self.base, self.seq + 1)?;
        let done = self.seq;
        *self = next;
        Ok(done)
    }
}

/// Drops the segments up to `through` (their batches are in a checkpoint now),
/// keeping one as the spare; when there is none to keep, zero-fills a new one.
pub fn retire(base: &Path, through: u64) -> io::Result<()> {
    let spare = spare(base);
    for (seq, path) in segments(base)? {
        if seq > through {
            break;
        }
        if spare.exists() {
            std::fs::remove_file(&path)?;
        } else {
            std::fs::rename(&path, &spare)?;
        }
    }
    if !spare.exists() {
        let fresh = base.with_extension("wal-spare.new");
        let file = File::create(&fresh)?;
        let zeros = vec![0u8; 1 << 20];
        for i in 0..SPARE_BYTES / (1 << 20) {
            file.write_all_at(&zeros, i << 20)?;
        }
        file.sync_all()?;
        std::fs::rename(&fresh, &spare)?;
        sync_dir(&spare)?;
    }
    Ok(())
}
