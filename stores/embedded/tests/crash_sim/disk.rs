//! A disk that keeps only what was synced, replayed from the record.
//!
//! The model is what POSIX promises and no more: a file's data is durable
//! once the file is fsynced; a name (create, rename, unlink) is durable once
//! its directory is fsynced. A crash image is the durable state, plus, by the
//! image's [`Tear`], some of the writes that were still unsynced.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rand::Rng;
use rand::rngs::StdRng;

use super::record::Event;

/// Which unsynced writes a crash image keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tear {
    /// None of them.
    Drop,
    /// Each file keeps its unsynced changes up to a random point, the last
    /// write cut at a random byte (a torn page).
    Prefix,
    /// Each 4 KiB piece of each unsynced write is kept or lost on its own, in
    /// no order, as a disk's cache may flush them.
    Pages,
}

const PAGE: u64 = 4096;

#[derive(Debug, Clone)]
enum Change {
    Write { at: u64, data: Vec<u8> },
    SetLen(u64),
}

#[derive(Debug, Default)]
struct FileNode {
    /// Contents as of the last sync.
    durable: Vec<u8>,
    /// `durable` is all zeros from here on: never written, only lengthened.
    written: usize,
    /// Changes since the last sync, in order.
    pending: Vec<Change>,
}

impl FileNode {
    fn sync(&mut self) {
        for change in std::mem::take(&mut self.pending) {
            self.written = match &change {
                Change::Write { at, data } => self.written.max(*at as usize + data.len()),
                Change::SetLen(len) => self.written.min(*len as usize),
            };
            apply(&mut self.durable, &change);
        }
    }
}

fn apply(contents: &mut Vec<u8>, change: &Change) {
    match change {
        Change::Write { at, data } => {
            let at = *at as usize;
            if contents.len() < at + data.len() {
                contents.resize(at + data.len(), 0);
            }
            contents[at..at + data.len()].copy_from_slice(data);
        }
        Change::SetLen(len) => contents.resize(*len as usize, 0),
    }
}

#[derive(Debug)]
enum Node {
    Dir,
    File(FileNode),
}

/// The store's directory as the record has built it so far.
#[derive(Debug)]
pub struct Disk {
    nodes: Vec<Node>,
    /// Names now, relative to the store's directory ("" is the directory).
    names: BTreeMap<PathBuf, usize>,
    /// Names a crash now would leave.
    durable_names: BTreeMap<PathBuf, usize>,
    fds: HashMap<i32, usize>,
}

impl Disk {
    pub fn new() -> Self {
        let root = BTreeMap::from([(PathBuf::new(), 0)]);
        Self {
            nodes: vec![Node::Dir],
            names: root.clone(),
            durable_names: root,
            fds: HashMap::new(),
        }
    }

    /// Applies one recorded call; marks are the caller's.
    pub fn apply(&mut self, event: &Event) -> Result<(), String> {
        match event {
            Event::Open { fd, flags, path } => self.open(*fd, *flags, path)?,
            Event::Write { fd, at, data } => self.file(*fd)?.pending.push(Change::Write {
                at: *at,
                data: data.clone(),
            }),
            Event::Truncate { fd, len } => self.file(*fd)?.pending.push(Change::SetLen(*len)),
            Event::Sync { fd } => self.sync(*fd)?,
            Event::Close { fd } => {
                self.fds.remove(fd);
            }
            Event::Dup { old, new } => {
                let node = self.node_of(*old)?;
                self.fds.insert(*new, node);
            }
            Event::Rename { from, to } => {
                let node = self.names.remove(from).ok_or_else(|| missing(from))?;
                if matches!(self.nodes[node], Node::Dir) {
                    return Err(format!(
                        "renaming directory {} is not modelled",
                        from.display()
                    ));
                }
                self.names.insert(to.clone(), node);
            }
            Event::Link { from, to } => {
                let node = *self.names.get(from).ok_or_else(|| missing(from))?;
                self.names.insert(to.clone(), node);
            }
            Event::Unlink { path } | Event::Rmdir { path } => {
                self.names.remove(path).ok_or_else(|| missing(path))?;
            }
            Event::Mkdir { path } => {
                self.nodes.push(Node::Dir);
                self.names.insert(path.clone(), self.nodes.len() - 1);
            }
            Event::Mark(_) => {}
            Event::Unsupported(what) => {
                return Err(format!(
                    "the store used {what}, which this simulation does not model"
                ));
            }
        }
        Ok(())
    }

    fn open(&mut self, fd: i32, flags: i32, path: &Path) -> Result<(), String> {
        let node = match self.names.get(path) {
            Some(node) => *node,
            None if flags & libc_flags::CREAT != 0 => {
                self.nodes.push(Node::File(FileNode::default()));
                let node = self.nodes.len() - 1;
                self.names.insert(path.to_path_buf(), node);
                node
            }
            None => return Err(missing(path)),
        };
        if flags & libc_flags::TRUNC != 0
            && let Node::File(file) = &mut self.nodes[node]
        {
            file.pending.push(Change::SetLen(0));
        }
        self.fds.insert(fd, node);
        Ok(())
    }

    fn node_of(&self, fd: i32) -> Result<usize, String> {
        self.fds
            .get(&fd)
            .copied()
            .ok_or_else(|| format!("descriptor {fd} was never opened"))
    }

    fn file(&mut self, fd: i32) -> Result<&mut FileNode, String> {
        let node = self.node_of(fd)?;
        match &mut self.nodes[node] {
            Node::File(file) => Ok(file),
            Node::Dir => Err(format!("descriptor {fd} is a directory")),
        }
    }

    fn sync(&mut self, fd: i32) -> Result<(), String> {
        let node = self.node_of(fd)?;
        match &mut self.nodes[node] {
            Node::File(file) => file.sync(),
            Node::Dir => {
                let dir = self
                    .names
                    .iter()
                    .find(|(_, n)| **n == node)
                    .map(|(path, _)| path.clone())
                    .ok_or("a synced directory has no name")?;
                let in_dir = |path: &PathBuf| path.parent() == Some(dir.as_path());
                self.durable_names.retain(|path, _| !in_dir(path));
                for (path, node) in &self.names {
                    if in_dir(path) {
                        self.durable_names.insert(path.clone(), *node);
                    }
                }
            }
        }
        Ok(())
    }

    /// Frees the contents of files no name, durable or not, and no
    /// descriptor can reach again (tables compacted away, old journals).
    pub fn forget_unreachable(&mut self) {
        let reachable: std::collections::HashSet<usize> = self
            .names
            .values()
            .chain(self.durable_names.values())
            .chain(self.fds.values())
            .copied()
            .collect();
        for (n, node) in self.nodes.iter_mut().enumerate() {
            if !reachable.contains(&n) && matches!(node, Node::File(_)) {
                *node = Node::File(FileNode::default());
            }
        }
    }

    /// Writes the directory a crash now would leave into `out`, keeping the
    /// unsynced writes `tear` allows.
    pub fn crash_image(&self, out: &Path, tear: Tear, rng: &mut StdRng) -> Result<(), String> {
        self.write_tree(
            &self.durable_names,
            out,
            |file, rng| kept(&file.pending, tear, rng),
            rng,
        )
    }

    /// Writes the directory as it is now, every write applied: what the real
    /// directory must hold if the shim saw every change.
    pub fn current_image(&self, out: &Path, rng: &mut StdRng) -> Result<(), String> {
        self.write_tree(&self.names, out, |file, _| file.pending.clone(), rng)
    }

    fn write_tree(
        &self,
        names: &BTreeMap<PathBuf, usize>,
        out: &Path,
        unsynced: impl Fn(&FileNode, &mut StdRng) -> Vec<Change>,
        rng: &mut StdRng,
    ) -> Result<(), String> {
        let io = |e: std::io::Error| format!("cannot write the image in {}: {e}", out.display());
        for (path, node) in names {
            // Sorted, so a parent comes before its entries; an entry whose
            // parent did not survive is lost with it.
            if let Some(parent) = path.parent()
                && !out.join(parent).is_dir()
            {
                continue;
            }
            let target = out.join(path);
            match &self.nodes[*node] {
                Node::Dir => std::fs::create_dir_all(&target).map_err(io)?,
                Node::File(file) => {
                    let handle = File::create(&target).map_err(io)?;
                    let durable = &file.durable[..file.written];
                    let len = file.durable.len() as u64;
                    write_contents(&handle, durable, len, &unsynced(file, rng)).map_err(io)?;
                }
            }
        }
        Ok(())
    }
}

fn missing(path: &Path) -> String {
    format!("{} is used but was never created", path.display())
}

/// The unsynced changes a crash keeps.
fn kept(pending: &[Change], tear: Tear, rng: &mut StdRng) -> Vec<Change> {
    match tear {
        Tear::Drop => Vec::new(),
        Tear::Prefix => {
            let whole = rng.gen_range(0..=pending.len());
            let mut kept = pending[..whole].to_vec();
            if let Some(Change::Write { at, data }) = pending.get(whole) {
                let cut = rng.gen_range(0..data.len().max(1));
                kept.push(Change::Write {
                    at: *at,
                    data: data[..cut].to_vec(),
                });
            }
            kept
        }
        Tear::Pages => {
            let mut kept = Vec::new();
            for change in pending {
                match change {
                    Change::Write { at, data } => {
                        let mut start = *at;
                        let end = at + data.len() as u64;
                        while start < end {
                            let stop = ((start / PAGE + 1) * PAGE).min(end);
                            if rng.gen_bool(0.5) {
                                let from = (start - at) as usize;
                                let to = (stop - at) as usize;
                                kept.push(Change::Write {
                                    at: start,
                                    data: data[from..to].to_vec(),
                                });
                            }
                            start = stop;
                        }
                    }
                    Change::SetLen(_) => {
                        if rng.gen_bool(0.5) {
                            kept.push(change.clone());
                        }
                    }
                }
            }
            kept
        }
    }
}

/// Writes the `written` part of the durable contents, lengthens the file to
/// `len` and applies `changes` on top. fjall preallocates its journals to
/// 64 MiB, mostly zeros, which are left sparse.
fn write_contents(
    file: &File,
    written: &[u8],
    len: u64,
    changes: &[Change],
) -> std::io::Result<()> {
    file.write_all_at(written, 0)?;
    file.set_len(len)?;
    for change in changes {
        match change {
            Change::Write { at, data } => file.write_all_at(data, *at)?,
            Change::SetLen(len) => file.set_len(*len)?,
        }
    }
    Ok(())
}

/// The `open(2)` flags the model reads (Linux values).
mod libc_flags {
    pub const CREAT: i32 = 0o100;
    pub const TRUNC: i32 = 0o1000;
}
