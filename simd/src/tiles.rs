//! The tile instructions, as inline assembly (x86-64 Linux only).

use std::ops::Range;

use crate::amx::{BLOCK, PANEL_ROW};

/// One product `a · Wᵀ` being computed: the bf16 activations `a`
/// (`rows × inputs`, `rows` a multiple of 32) and the packed weight panels.
pub(crate) struct Product<'a> {
    pub(crate) a: &'a [u16],
    pub(crate) panels: &'a [u16],
    pub(crate) inputs: usize,
    pub(crate) outputs: usize,
    pub(crate) rows: usize,
}

/// The `rows × outputs` f32 result, written by several threads at once, each
/// to its own columns.
pub(crate) struct Output {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: threads only write disjoint column ranges (`Product::run` is given
// disjoint panel ranges), and the buffer outlives the scoped threads.
unsafe impl Sync for Output {}

impl Output {
    pub(crate) fn new(c: &mut [f32]) -> Self {
        Self {
            ptr: c.as_mut_ptr(),
            len: c.len(),
        }
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod imp {
    use std::arch::asm;

    use super::*;

    /// `arch_prctl` request that grants the process a feature's state.
    const ARCH_REQ_XCOMP_PERM: u64 = 0x1023;
    /// The AMX tile data state component.
    const XFEATURE_XTILEDATA: u64 = 18;
    const SYS_ARCH_PRCTL: u64 = 158;

    /// Tile configuration (palette 1): eight tiles of 16 rows × 64 bytes.
    #[repr(C, align(64))]
    struct Config {
        palette: u8,
        start_row: u8,
        reserved: [u8; 14],
        bytes_per_row: [u16; 16],
        rows: [u8; 16],
    }

    const CONFIG: Config = Config {
        palette: 1,
        start_row: 0,
        reserved: [0; 14],
        bytes_per_row: [64, 64, 64, 64, 64, 64, 64, 64, 0, 0, 0, 0, 0, 0, 0, 0],
        rows: [16, 16, 16, 16, 16, 16, 16, 16, 0, 0, 0, 0, 0, 0, 0, 0],
    };

    pub(crate) fn enable() -> bool {
        // CPUID leaf 7: EDX bit 22 = AMX-BF16, bit 24 = AMX-TILE.
        let leaf = std::arch::x86_64::__cpuid_count(7, 0);
        if leaf.edx & (1 << 22) == 0 || leaf.edx & (1 << 24) == 0 {
            return false;
        }
        let status: i64;
        // SAFETY: `arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA)` only asks the
        // kernel to allow tile state for this process; it touches no memory.
        // Older kernels answer -EINVAL, which means "no".
        unsafe {
            asm!(
                "syscall",
                inlateout("rax") SYS_ARCH_PRCTL as i64 => status,
                in("rdi") ARCH_REQ_XCOMP_PERM,
                in("rsi") XFEATURE_XTILEDATA,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        status == 0
    }

    impl Product<'_> {
        /// Computes the output columns of `panels` (32 columns each) for all
        /// rows. Only called once [`enable`] has succeeded (a `Weights` exists
        /// only then).
        pub(crate) fn run(&self, panels: Range<usize>, out: &Output) {
            let k = self.inputs;
            let panel_len = k / 2 * PANEL_ROW / 2;
            // Everything the tile loads and stores touch, checked once here.
            assert!(self.a.len() >= self.rows * k && self.rows.is_multiple_of(BLOCK));
            assert!(self.panels.len() >= panels.end * panel_len);
            assert!(out.len >= self.rows * self.outputs && panels.end * BLOCK <= self.outputs);
            let (a_stride, c_stride) = (k * 2, self.outputs * 4);
            // SAFETY: the configuration is a valid palette-1 layout.
            unsafe { asm!("ldtilecfg [{}]", in(reg) &CONFIG, options(nostack)) };
            for panel in panels {
                let b = self.panels[panel * panel_len..].as_ptr();
                for row in (0..self.rows).step_by(BLOCK) {
                    // SAFETY: tile 0–3 are zeroed accumulators.
                    unsafe {
                        asm!(
                            "tilezero tmm0",
                            "tilezero tmm1",
                            "tilezero tmm2",
                            "tilezero tmm3",
                            options(nostack)
                        )
                    };
                    for depth in (0..k).step_by(BLOCK) {
                        let a0 = self.a[row * k + depth..].as_ptr();
                        let a1 = self.a[(row + 16) * k + depth..].as_ptr();
                        let b0 = b.wrapping_add(depth / 2 * PANEL_ROW / 2);
                        // SAFETY: each load reads 16 rows of 64 bytes: rows
                        // `row..row + 32` of `a` at columns `depth..depth + 32`
                        // (in bounds: rows is a multiple of 32, k of 32), and
                        // pairs `depth / 2..depth / 2 + 16` of the panel.
                        unsafe {
                            asm!(
                                "tileloadd tmm4, [{a0} + {sa}*1]",
                                "tileloadd tmm5, [{a1} + {sa}*1]",
                                "tileloadd tmm6, [{b0} + {sb}*1]",
                                "tileloadd tmm7, [{b1} + {sb}*1]",
                                "tdpbf16ps tmm0, tmm4, tmm6",
                                "tdpbf16ps tmm1, tmm4, tmm7",
                                "tdpbf16ps tmm2, tmm5, tmm6",
                                "tdpbf16ps tmm3, tmm5, tmm7",
                                a0 = in(reg) a0,
                                a1 = in(reg) a1,
                                b0 = in(reg) b0,
                                b1 = in(reg) b0.wrapping_add(32),
                                sa = in(reg) a_stride,
                                sb = in(reg) PANEL_ROW,
                                options(nostack, readonly),
                            );
                        }
                    }
                    let c0 = out.ptr.wrapping_add(row * self.outputs + panel * BLOCK);
                    let c1 = c0.wrapping_add(16 * self.outputs);
                    // SAFETY: each store writes 16 rows of 16 f32 inside the
                    // `rows × outputs` output (checked above), in this thread's
                    // own columns.
                    unsafe {
                        asm!(
                            "tilestored [{c0} + {sc}*1], tmm0",
                            "tilestored [{c0l} + {sc}*1], tmm1",
                            "tilestored [{c1} + {sc}*1], tmm2",
                            "tilestored [{c1l} + {sc}*1], tmm3",
                            c0 = in(reg) c0,
                            c0l = in(reg) c0.wrapping_add(16),
                            c1 = in(reg) c1,
                            c1l = in(reg) c1.wrapping_add(16),
                            sc = in(reg) c_stride,
                            options(nostack),
                        );
                    }
                }
            }
            // SAFETY: releases this thread's tile state.
            unsafe { asm!("tilerelease", options(nostack)) };
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod imp {
    use super::*;

    pub(crate) fn enable() -> bool {
        false
    }

    impl Product<'_> {
        pub(crate) fn run(&self, _panels: Range<usize>, _out: &Output) {
            unreachable!("no Weights exist without AMX")
        }
    }
}

pub(crate) use imp::enable;
