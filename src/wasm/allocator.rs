//! The allocator of the shipped (`tiny`) module: power-of-two size classes with
//! a free list each, carved from pages that `memory.grow` hands out. About a
//! tenth of dlmalloc's wasm. Blocks are reused by size class and never returned
//! (wasm memory cannot shrink anyway); waste is bounded by 2x per live block.
//! wasm32 in the browser is single-threaded, which makes the shared state sound.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
/// Class k holds blocks of 2^k bytes, from 16 B (k = 4) to 2 GiB (k = 31).
const CLASSES: usize = 32;
const MIN_CLASS: u32 = 4;

struct State {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
}

pub struct SizeClasses(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new() -> Self {
        SizeClasses(UnsafeCell::new(State {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }))
    }
}

/// The class whose blocks fit `layout` (size rounded up to a power of two, at
/// least the alignment), or None when it is too large.
fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = (usize::BITS - (size - 1).leading_zeros()) as usize;
    (class < CLASSES).then_some(class)
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            return null_mut();
        };
        let state = &mut *self.0.get();
        let head = state.free[class];
        // Free blocks of a class were carved at that class's size, aligned to
        // at least 16; a stricter alignment only takes fresh, aligned memory.
        if head != 0 && head.is_multiple_of(layout.align()) {
            state.free[class] = *(head as *const usize);
            return head as *mut u8;
        }
        let size = 1usize << class;
        let align = layout.align().max(1 << MIN_CLASS);
        let mut start = (state.next + align - 1) & !(align - 1);
        if state.end == 0 || start.checked_add(size).is_none_or(|end| end > state.end) {
            let Some(bytes) = size.checked_add(align + PAGE - 1) else {
                return null_mut();
            };
            let pages = bytes / PAGE;
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            let base = old * PAGE;
            if base != state.end {
                // Not contiguous with our last region (first call, or someone
                // else grew memory): start afresh at the new pages.
                state.next = base;
            }
            state.end = base + pages * PAGE;
            start = (state.next + align - 1) & !(align - 1);
        }
        state.next = start + size;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            let state = &mut *self.0.get();
            *(ptr as *mut usize) = state.free[class];
            state.free[class] = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(layout) == class_of(new_layout) {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}
