//! Chunks made on a thread pool in any order and handed to one consumer in chunk order, with at
//! most a fixed number of them made (or being made) and not yet handed over.
//!
//! Generation used to make a window of chunks on the pool and hand it over whole: every worker
//! waited at the end of each window for the slowest chunk in it, and for the writer to take the
//! window before, so two cores were 1.65 busy (1.93 now). Here each worker claims the next chunk as
//! soon as it has finished one, and only the bound on chunks in flight holds it back.
//!
//! Workers take a permit, then claim the next chunk number, so claims go in order; the consumer
//! gives a permit back as it takes each chunk in order. The lowest chunk not yet handed over has
//! always been claimed, and its worker needs nothing more to finish it, so the consumer never
//! waits for a permit that only it could give back.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Makes chunk `c` for every `c` in `chunks` with `make` on `pool`, and calls `consume` with an
/// iterator over the results in chunk order. At most `bound` (at least 1) chunks are made or
/// being made and not yet taken from the iterator. When `consume` returns early, workers stop
/// after the chunk they are making. `make` must not wait on work of the same pool: a worker
/// blocked on a permit holds its thread.
pub fn in_order<T: Send, R>(
    pool: &rayon::ThreadPool,
    chunks: Range<u64>,
    bound: usize,
    make: impl Fn(u64) -> T + Sync,
    consume: impl FnOnce(&mut InOrder<T>) -> R,
) -> R {
    let permits = Permits::new(bound.max(1));
    let next = AtomicU64::new(chunks.start);
    let (tx, rx) = channel();
    std::thread::scope(|scope| {
        let (permits, next, make, end) = (&permits, &next, &make, chunks.end);
        scope.spawn(move || {
            pool.scope(|s| {
                for _ in 0..pool.current_num_threads() {
                    let tx = tx.clone();
                    s.spawn(move |_| {
                        let _closes = CloseOnPanic(permits);
                        while permits.take() {
                            let c = next.fetch_add(1, Ordering::Relaxed);
                            if c >= end || tx.send((c, make(c))).is_err() {
                                break;
                            }
                        }
                    });
                }
            });
        });
        let _closes = CloseOnDrop(permits);
        let mut ordered = InOrder {
            rx,
            made: BTreeMap::new(),
            next: chunks.start,
            end: chunks.end,
            permits,
        };
        consume(&mut ordered)
    })
}

/// The chunks in order, as they are made.
pub struct InOrder<'a, T> {
    rx: Receiver<(u64, T)>,
    /// Chunks made ahead of `next`.
    made: BTreeMap<u64, T>,
    next: u64,
    end: u64,
    permits: &'a Permits,
}

impl<T> Iterator for InOrder<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        while self.next < self.end {
            if let Some(made) = self.made.remove(&self.next) {
                self.next += 1;
                self.permits.give();
                return Some(made);
            }
            // Every worker gone before the chunk came means one of them panicked; the scope
            // passes the panic on.
            let (c, made) = self.rx.recv().ok()?;
            self.made.insert(c, made);
        }
        None
    }
}

/// A counting semaphore that can be closed, so that workers waiting on it stop.
struct Permits {
    state: Mutex<PermitState>,
    freed: Condvar,
}

struct PermitState {
    free: usize,
    closed: bool,
}

impl Permits {
    fn new(free: usize) -> Permits {
        Permits {
            state: Mutex::new(PermitState {
                free,
                closed: false,
            }),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PermitState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for a permit; false once closed.
    fn take(&self) -> bool {
        let mut state = self.lock();
        while state.free == 0 && !state.closed {
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if state.closed {
            return false;
        }
        state.free -= 1;
        true
    }

    fn give(&self) {
        self.lock().free += 1;
        self.freed.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.freed.notify_all();
    }
}

/// Closes the permits when the consumer is done, however it ended.
struct CloseOnDrop<'a>(&'a Permits);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Closes the permits when a worker panics, so the others stop instead of waiting for permits
/// the consumer will never give back.
struct CloseOnPanic<'a>(&'a Permits);

impl Drop for CloseOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn chunks_come_in_order_whatever_order_they_are_made_in() {
        for threads in [1, 2, 5] {
            let made: Vec<u64> = in_order(
                &pool(threads),
                3..40,
                4,
                |c| {
                    // Early chunks take longest, so later ones finish first.
                    std::thread::sleep(std::time::Duration::from_micros(40 - c));
                    c
                },
                |chunks| chunks.collect(),
            );
            assert_eq!(made, (3..40).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn no_more_than_the_bound_are_made_and_not_taken() {
        let outstanding = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let taken = in_order(
            &pool(4),
            0..200,
            3,
            |c| {
                let now = outstanding.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                c
            },
            |chunks| {
                chunks
                    .inspect(|_| {
                        outstanding.fetch_sub(1, Ordering::SeqCst);
                    })
                    .count()
            },
        );
        assert_eq!(taken, 200);
        // The bound, and the chunk just handed over (its permit is back before it is counted).
        assert!(most.load(Ordering::SeqCst) <= 3 + 1, "{most:?}");
    }

    #[test]
    fn a_consumer_that_stops_early_stops_the_workers() {
        let made = AtomicUsize::new(0);
        let first: Vec<u64> = in_order(
            &pool(2),
            0..1_000_000,
            4,
            |c| {
                made.fetch_add(1, Ordering::SeqCst);
                c
            },
            |chunks| chunks.take(3).collect(),
        );
        assert_eq!(first, [0, 1, 2]);
        // The three taken and at most the bound's four made ahead of them.
        assert!(made.load(Ordering::SeqCst) <= 3 + 4, "{made:?}");
    }

    #[test]
    fn an_empty_range_makes_nothing() {
        let none: Vec<u64> = in_order(&pool(2), 5..5, 2, |c| c, |chunks| chunks.collect());
        assert!(none.is_empty());
    }
}
