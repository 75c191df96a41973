//! The page file under redb: commits land in memory, checkpoints reach the disk.
//!
//! redb's own file backend rewrites and fsyncs every B-tree page a commit
//! touches, about 24 KiB per logical write. Here redb's commits only update an
//! in-memory layer of dirty pages; durability comes from the write-ahead log
//! ([`super::wal`]), and the dirty pages are written to the file in the
//! background by a checkpoint every second or so. A page rewritten by a
//! thousand commits in that time reaches the disk once.
//!
//! A checkpoint first writes its pages to a journal and syncs it, then writes
//! them into the file, so a crash half-way through leaves either the old image
//! or a journal that [`PagedFile::open`] applies again.

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use redb::StorageBackend;

use super::journal::{self, encode_journal};
use super::page_map::PageMap;

/// Unit of the dirty-page layers (redb's own page size).
pub const PAGE: u64 = 4096;

/// Pages written since a point, over what lies beneath.
#[derive(Default)]
struct Layer {
    pages: PageMap,
    /// Pages from here on that are not in `pages` read as zeros: the store was
    /// cut below them since the layer began.
    zero_from: Option<u64>,
}

/// Pages handed to a checkpoint, readable until it has written them.
pub struct Frozen {
    layer: Layer,
    len: u64,
}

impl Frozen {
    pub fn pages(&self) -> usize {
        self.layer.pages.len()
    }
}

struct State {
    len: u64,
    dirty: Layer,
    frozen: Option<Arc<Frozen>>,
}

enum Source<'a> {
    Memory(&'a [u8]),
    Zero,
    File,
}

impl State {
    fn source(&self, page: u64) -> Source<'_> {
        let layers = std::iter::once(&self.dirty).chain(self.frozen.as_deref().map(|f| &f.layer));
        for layer in layers {
            if let Some(bytes) = layer.pages.get(&page) {
                return Source::Memory(bytes);
            }
            if layer.zero_from.is_some_and(|z| page >= z) {
                return Source::Zero;
            }
        }
        Source::File
    }
}

/// The store file plus its in-memory dirty pages; redb's storage backend.
pub struct PagedFile {
    file: File,
    journal: PathBuf,
    state: RwLock<State>,
    /// Held while a checkpoint writes the file, so only one runs at a time.
    flushing: Mutex<()>,
}

impl std::fmt::Debug for PagedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagedFile")
            .field("journal", &self.journal)
            .finish_non_exhaustive()
    }
}

impl PagedFile {
    /// Opens (or creates) the file at `path`, locked against other processes,
    /// first finishing a checkpoint a crash interrupted.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => io::Error::new(
                ErrorKind::WouldBlock,
                "the store is open in another process",
            ),
            std::fs::TryLockError::Error(e) => e,
        })?;
        let journal = path.with_extension("journal");
        journal::recover(&file, &journal)?;
        let len = file.metadata()?.len();
        Ok(Self {
            file,
            journal,
            state: RwLock::new(State {
                len,
                dirty: Layer::default(),
                frozen: None,
            }),
            flushing: Mutex::new(()),
        })
    }

    fn state(&self) -> io::Result<std::sync::RwLockReadGuard<'_, State>> {
        self.state.read().map_err(|_| poisoned())
    }

    fn state_mut(&self) -> io::Result<std::sync::RwLockWriteGuard<'_, State>> {
        self.state.write().map_err(|_| poisoned())
    }

    /// Hands the pages written so far to a checkpoint; later writes start a new
    /// layer. `None` when nothing was written or a checkpoint is still running.
    /// Call only between redb commits, so the pages are a whole commit's image.
    pub fn freeze(&self) -> io::Result<Option<Arc<Frozen>>> {
        let mut state = self.state_mut()?;
        if state.frozen.is_some()
            || (state.dirty.pages.is_empty() && state.dirty.zero_from.is_none())
        {
            return Ok(None);
        }
        let frozen = Arc::new(Frozen {
            layer: std::mem::take(&mut state.dirty),
            len: state.len,
        });
        state.frozen = Some(frozen.clone());
        Ok(Some(frozen))
    }

    /// Keeps checkpoints from writing the file while the guard lives, as if
    /// the process died before they ran.
    #[cfg(test)]
    pub fn hold_checkpoints(&self) -> std::sync::MutexGuard<'_, ()> {
        self.flushing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes `frozen` into the file through the journal. Reads still take
    /// those pages from memory until [`Self::release`].
    pub fn write_checkpoint(&self, frozen: &Frozen) -> io::Result<()> {
        let _one = self.flushing.lock().map_err(|_| poisoned())?;
        let mut entries: Vec<(u64, &[u8])> = frozen
            .layer
            .pages
            .iter()
            .map(|(page, bytes)| (*page, &bytes[..]))
            .collect();
        entries.sort_unstable_by_key(|(page, _)| *page);
        let cut = frozen
            .layer
            .zero_from
            .map_or(frozen.len, |z| z.saturating_mul(PAGE).min(frozen.len));
        journal::write(&self.journal, &encode_journal(frozen.len, cut, &entries))?;
        journal::apply(&self.file, frozen.len, cut, &entries)?;
        journal::clear(&self.journal)
    }

    /// Lets reads of a written checkpoint's pages go to the file.
    pub fn release(&self, frozen: &Arc<Frozen>) -> io::Result<()> {
        let mut state = self.state_mut()?;
        if state
            .frozen
            .as_ref()
            .is_some_and(|f| Arc::ptr_eq(f, frozen))
        {
            state.frozen = None;
        }
        Ok(())
    }

    /// Checkpoints everything written so far, finishing a checkpoint that
    /// another thread left (or is still writing). Answers the pages written.
    pub fn flush_all(&self) -> io::Result<usize> {
        let mut written = 0;
        loop {
            let pending = self.state()?.frozen.clone();
            let frozen = match pending {
                Some(frozen) => frozen,
                None => match self.freeze()? {
                    Some(frozen) => frozen,
                    None => return Ok(written),
                },
            };
            self.write_checkpoint(&frozen)?;
            self.release(&frozen)?;
            written += frozen.pages();
        }
    }
}

impl Drop for PagedFile {
    fn drop(&mut self) {
        if let Err(e) = self.flush_all() {
            tracing::error!(error = %e, "final store checkpoint failed; the log replays it on the next start");
        }
    }
}

fn poisoned() -> io::Error {
    io::Error::other("store page state poisoned by a panic")
}

impl StorageBackend for PagedFile {
    fn len(&self) -> Result<u64, io::Error> {
        Ok(self.state()?.len)
    }

    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, io::Error> {
        let mut out = vec![0u8; len];
        let state = self.state()?;
        let end = offset + len as u64;
        let mut at = offset;
        // A run of pages that come from the file, read with one call.
        let mut file_run: Option<u64> = None;
        while at < end {
            let page = at / PAGE;
            let page_end = ((page + 1) * PAGE).min(end);
            let (from, to) = ((at - offset) as usize, (page_end - offset) as usize);
            match state.source(page) {
                Source::File => {
                    file_run.get_or_insert(at);
                }
                other => {
                    if let Some(start) = file_run.take() {
                        read_file(&self.file, start, &mut out[(start - offset) as usize..from])?;
                    }
                    if let Source::Memory(bytes) = other {
                        let skip = (at - page * PAGE) as usize;
                        out[from..to].copy_from_slice(&bytes[skip..skip + (to - from)]);
                    }
                }
            }
            at = page_end;
        }
        if let Some(start) = file_run {
            read_file(&self.file, start, &mut out[(start - offset) as usize..])?;
        }
        Ok(out)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut state = self.state_mut()?;
        let cut = len.min(state.len);
        let first_gone = cut.div_ceil(PAGE);
        if cut % PAGE != 0 {
            // The page holding the cut keeps its head; its tail reads as zeros.
            let page = cut / PAGE;
            let mut bytes = page_bytes(&self.file, &state, page)?;
            bytes[(cut % PAGE) as usize..].fill(0);
            state.dirty.pages.insert(page, bytes);
        }
        state.dirty.pages.retain(|page, _| *page < first_gone);
        let zero_from = state
            .dirty
            .zero_from
            .map_or(first_gone, |z| z.min(first_gone));
        if first_gone * PAGE < state.len.max(len) {
            state.dirty.zero_from = Some(zero_from);
        }
        state.len = len;
        Ok(())
    }

    /// Durability comes from the write-ahead log, so there is nothing to do.
    fn sync_data(&self, _eventual: bool) -> Result<(), io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut state = self.state_mut()?;
        let end = offset + data.len() as u64;
        let mut at = offset;
        while at < end {
            let page = at / PAGE;
            let page_start = page * PAGE;
            let page_end = (page_start + PAGE).min(end);
            let src = &data[(at - offset) as usize..(page_end - offset) as usize];
            let skip = (at - page_start) as usize;
            if let Some(bytes) = state.dirty.pages.get_mut(&page) {
                // Rewritten since the last checkpoint: reuse its buffer.
                bytes[skip..skip + src.len()].copy_from_slice(src);
            } else if src.len() as u64 == PAGE {
                state.dirty.pages.insert(page, src.into());
            } else {
                let mut bytes = page_bytes(&self.file, &state, page)?;
                bytes[skip..skip + src.len()].copy_from_slice(src);
                state.dirty.pages.insert(page, bytes);
            }
            at = page_end;
        }
        Ok(())
    }
}

/// The current content of one page, wherever it lives.
fn page_bytes(file: &File, state: &State, page: u64) -> io::Result<Box<[u8]>> {
    let mut bytes = vec![0u8; PAGE as usize].into_boxed_slice();
    match state.source(page) {
        Source::Memory(b) => bytes.copy_from_slice(b),
        Source::Zero => {}
        Source::File => read_file(file, page * PAGE, &mut bytes)?,
    }
    Ok(bytes)
}

/// Reads into `buf` from `offset`; bytes past the end of the file read as zeros.
pub(super) fn read_file(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => {
                buf[done..].fill(0);
                break;
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Syncs the directory holding `path`, so a file created in it survives a crash.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()
}

/// What redb owns: a shared handle on the page file, which the writer also
/// holds to take checkpoints.
#[derive(Debug)]
pub struct Backend(pub Arc<PagedFile>);

impl StorageBackend for Backend {
    fn len(&self) -> Result<u64, io::Error> {
        self.0.len()
    }

    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, io::Error> {
        self.0.read(offset, len)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        self.0.set_len(len)
    }

    fn sync_data(&self, eventual: bool) -> Result<(), io::Error> {
        self.0.sync_data(eventual)
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        self.0.write(offset, data)
    }
}
