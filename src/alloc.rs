//! The global allocator of the binary and the benchmarks: mimalloc, except for blocks of
//! [`HUGE_BYTES`] and more, which go to the system allocator.
//!
//! mimalloc keeps freed chunk buffers for reuse; with the system allocator every 65,536-row
//! chunk's buffers were fresh pages, and page faults took a tenth of generation time. But it
//! also keeps freed memory for a second before it returns it to the system, so a 200 MB value
//! freed by the writer while the next one was being made counted twice, or three times, in the
//! process's memory. The system allocator maps a block that large on its own and unmaps it when
//! it is freed (and grows it without a copy); blocks that large are rare enough that their
//! fresh pages cost nothing that shows.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks at least this large bypass mimalloc.
pub const HUGE_BYTES: usize = 64 << 20;

pub struct Allocator;

fn is_huge(size: usize) -> bool {
    size >= HUGE_BYTES
}

// SAFETY: each block is freed or resized by the allocator that made it, which its layout's size
// tells (callers pass the layout a block was allocated with); a block that moves across the
// threshold is copied into a block of the other allocator.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_huge(layout.size()) {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_huge(layout.size()) {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_huge(layout.size()) {
            unsafe { System.dealloc(ptr, layout) }
        } else {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (is_huge(layout.size()), is_huge(new_size)) {
            (true, true) => unsafe { System.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { MiMalloc.realloc(ptr, layout, new_size) },
            _ => unsafe {
                let moved = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(moved);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_bytes_across_the_threshold() {
        let small = Layout::from_size_align(1024, 8).unwrap();
        unsafe {
            let p = Allocator.alloc(small);
            p.write_bytes(7, 1024);
            let p = Allocator.realloc(p, small, HUGE_BYTES);
            assert_eq!(std::slice::from_raw_parts(p, 1024), &[7; 1024][..]);
            p.add(HUGE_BYTES - 1).write(9);
            let huge = Layout::from_size_align(HUGE_BYTES, 8).unwrap();
            let p = Allocator.realloc(p, huge, 2048);
            assert_eq!(std::slice::from_raw_parts(p, 1024), &[7; 1024][..]);
            Allocator.dealloc(p, Layout::from_size_align(2048, 8).unwrap());
        }
    }
}
