//! Documents read on one thread, run on several, taken back in input order.
//!
//! The reader [`Feed::push`]es items as it reads them; [`Queue::run_ordered`]
//! hands each to the first free worker and gives the results to the caller in
//! the order the items were pushed. No worker waits for the others between
//! documents (there are no batches to finish), and how far the reader may run
//! ahead is bounded in bytes: an item's bytes count from when it is pushed
//! until its result has been taken, so memory stays flat however long the
//! input. One item larger than the bound still goes through, alone.
//!
//! Threads wake seldom: a worker that finishes an item takes the results
//! that are due itself (there is no thread to wake for each result), and a
//! reader that finds the bound reached waits until half of it is free.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, TryLockError};

/// Counted for every item besides its bytes: many empty documents are bounded too.
const ITEM_COST: usize = 1024;

/// How long a worker waits for an item before it looks whether to stop.
const WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// Bytes pushed whose results have not been taken yet, and whether the
/// queue still takes items.
struct Budget {
    state: Mutex<Held>,
    freed: Condvar,
    max: usize,
}

#[derive(Default)]
struct Held {
    bytes: usize,
    closed: bool,
    /// The reader is waiting for room.
    waiting: bool,
}

impl Budget {
    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `cost` more fits (it always does when nothing is held).
    /// A reader that found the budget full waits until at most half of it
    /// is held, so that it wakes once for many items, not once an item.
    /// False once the queue has stopped taking items.
    fn take(&self, cost: usize) -> bool {
        let mut held = self.lock();
        if held.bytes > 0 && held.bytes + cost > self.max {
            held.waiting = true;
            while held.bytes > 0
                && (held.bytes + cost > self.max || held.bytes > self.max / 2)
                && !held.closed
            {
                held = self.freed.wait(held).unwrap_or_else(|e| e.into_inner());
            }
            held.waiting = false;
        }
        held.bytes += cost;
        !held.closed
    }

    fn give_back(&self, cost: usize) {
        let mut held = self.lock();
        held.bytes -= cost;
        if held.waiting && held.bytes <= self.max / 2 {
            drop(held);
            self.freed.notify_all();
        }
    }

    fn close(&self) {
        self.lock().closed = true;
        self.freed.notify_all();
    }
}

/// The reading end.
pub struct Feed<T> {
    items: SyncSender<(T, usize)>,
    budget: Arc<Budget>,
}

/// The running end.
pub struct Queue<T> {
    items: Receiver<(T, usize)>,
    budget: Arc<Budget>,
}

/// A feed and its queue, letting the reader run at most about `max_bytes` ahead.
pub fn channel_of<T>(max_bytes: usize) -> (Feed<T>, Queue<T>) {
    let budget = Arc::new(Budget {
        state: Mutex::default(),
        freed: Condvar::new(),
        max: max_bytes,
    });
    // The budget bounds what is queued; the channel only needs room for it.
    let (tx, rx) = sync_channel(max_bytes / ITEM_COST + 1);
    (
        Feed {
            items: tx,
            budget: Arc::clone(&budget),
        },
        Queue { items: rx, budget },
    )
}

impl<T> Feed<T> {
    /// Queues an item of `bytes` bytes, waiting while the reader is too far
    /// ahead. False when the queue no longer takes items: stop reading.
    pub fn push(&self, item: T, bytes: usize) -> bool {
        let cost = bytes + ITEM_COST;
        self.budget.take(cost) && self.items.send((item, cost)).is_ok()
    }
}

impl<T: Send> Queue<T> {
    /// Runs `work` over every item pushed, on `jobs` threads each with a state
    /// made by `state`, and calls `take` with the results in push order until
    /// the feed is dropped or `take` returns false. `work` may hand on parts
    /// of its result before it returns (the last part): they are taken in
    /// order too, as soon as the items before are done, so a big item's
    /// result need not be held whole. With one job everything runs on this
    /// thread; with more, `take` is called by the workers, one at a time.
    /// Returns the workers' states.
    pub fn run_ordered<S: Send, R: Send>(
        self,
        jobs: usize,
        state: impl Fn() -> S + Sync,
        work: impl Fn(&mut S, T, &mut dyn FnMut(R)) -> R + Sync,
        mut take: impl FnMut(R) -> bool + Send,
    ) -> Vec<S> {
        let Queue { items, budget } = self;
        if jobs <= 1 {
            let mut s = state();
            let mut stopped = false;
            for (item, cost) in &items {
                let r = work(&mut s, item, &mut |part| {
                    if !stopped && !take(part) {
                        stopped = true;
                    }
                });
                budget.give_back(cost);
                if stopped || !take(r) {
                    break;
                }
            }
            budget.close();
            return vec![s];
        }
        // The receiver, shared: whoever holds the lock takes the next item and
        // its number.
        let next = Mutex::new((items, 0u64));
        let stop = AtomicBool::new(false);
        // Results are taken by the workers that finish them, one at a time:
        // no thread of its own to wake for each item. A worker leaves its
        // result in the inbox and takes what is due, unless another is at it
        // (which takes this result too): no worker waits for another's.
        let order = Mutex::new(Order {
            early: BTreeMap::new(),
            want: 0,
            take,
            stopped: false,
        });
        let inbox: Mutex<Vec<(u64, R, Option<usize>)>> = Mutex::new(Vec::new());
        let hand_on = |n: u64, r: R, last: Option<usize>| {
            let lock = || inbox.lock().unwrap_or_else(|e| e.into_inner());
            lock().push((n, r, last));
            loop {
                let mut order = match order.try_lock() {
                    Ok(order) => order,
                    Err(TryLockError::Poisoned(e)) => e.into_inner(),
                    // Whoever holds it looks at the inbox once more after
                    // letting go.
                    Err(TryLockError::WouldBlock) => return,
                };
                let parts = std::mem::take(&mut *lock());
                for (n, r, last) in parts {
                    if !order.hand_on(n, r, last, &budget) {
                        // Stopped: the reader stops at its next push, the
                        // workers at their next item; what they still finish
                        // is dropped.
                        stop.store(true, Ordering::Relaxed);
                        budget.close();
                    }
                }
                drop(order);
                if lock().is_empty() {
                    return;
                }
            }
        };
        let states = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..jobs)
                .map(|_| {
                    let (next, stop, state, work, hand_on) =
                        (&next, &stop, &state, &work, &hand_on);
                    scope.spawn(move || {
                        let mut s = state();
                        while !stop.load(Ordering::Relaxed) {
                            let got = {
                                let mut guard = next.lock().unwrap_or_else(|e| e.into_inner());
                                let (items, count) = &mut *guard;
                                // Waits in slices, to notice a stop while the
                                // reader is still busy.
                                match items.recv_timeout(WAIT) {
                                    Ok((item, cost)) => {
                                        *count += 1;
                                        Some((*count - 1, item, cost))
                                    }
                                    Err(RecvTimeoutError::Timeout) => None,
                                    Err(RecvTimeoutError::Disconnected) => break,
                                }
                            };
                            let Some((n, item, cost)) = got else { continue };
                            let r = work(&mut s, item, &mut |part| hand_on(n, part, None));
                            hand_on(n, r, Some(cost));
                        }
                        s
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        budget.close();
        states
    }
}

/// Results of items run on several threads, put back in push order.
struct Order<R, F> {
    /// Parts that came back before the items ahead of theirs were done,
    /// and (for the last part of an item) its cost.
    early: BTreeMap<u64, Vec<(R, Option<usize>)>>,
    /// The item whose results are taken next.
    want: u64,
    take: F,
    /// `take` said to stop.
    stopped: bool,
}

impl<R, F: FnMut(R) -> bool> Order<R, F> {
    /// Keeps part `r` of item `n` (its last when `last` holds its cost) and
    /// takes what is due: the parts of the item wanted so far, and the items
    /// after it while they are complete. False once `take` has said to stop.
    fn hand_on(&mut self, n: u64, r: R, last: Option<usize>, budget: &Budget) -> bool {
        if self.stopped {
            return false;
        }
        self.early.entry(n).or_default().push((r, last));
        while let Some(parts) = self.early.get_mut(&self.want) {
            let mut complete = false;
            for (r, last) in parts.drain(..) {
                if let Some(cost) = last {
                    budget.give_back(cost);
                    complete = true;
                }
                if !(self.take)(r) {
                    self.stopped = true;
                    return false;
                }
            }
            if !complete {
                break;
            }
            self.early.remove(&self.want);
            self.want += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items of uneven cost come back in order, on any number of threads, and
    /// the reader never runs more than the bound ahead (but for a lone big item).
    #[test]
    fn results_in_push_order() {
        for jobs in [1, 2, 3] {
            let (feed, queue) = channel_of::<usize>(8 * ITEM_COST);
            let reader = std::thread::spawn(move || {
                for i in 0..200 {
                    let bytes = if i % 50 == 7 { 100 * ITEM_COST } else { i % 3 };
                    assert!(feed.push(i, bytes));
                }
            });
            let mut seen = Vec::new();
            let states = queue.run_ordered(
                jobs,
                || 0usize,
                |ran, i, part| {
                    *ran += 1;
                    // Uneven work: later items often finish first; some
                    // send parts of their result ahead (the item's number
                    // plus 1000, then plus 2000).
                    if i % 5 == 0 {
                        part(i + 1000);
                    }
                    std::thread::sleep(std::time::Duration::from_micros((i % 7 * 50) as u64));
                    if i % 5 == 0 {
                        part(i + 2000);
                    }
                    i
                },
                |i| {
                    seen.push(i);
                    true
                },
            );
            reader.join().unwrap();
            let want: Vec<usize> = (0..200)
                .flat_map(|i| {
                    if i % 5 == 0 {
                        vec![i + 1000, i + 2000, i]
                    } else {
                        vec![i]
                    }
                })
                .collect();
            assert_eq!(seen, want);
            assert_eq!(states.len(), jobs);
            assert_eq!(states.iter().sum::<usize>(), 200);
        }
    }

    /// However many threads, the reader is never more items ahead of what
    /// has been taken than the bound holds.
    #[test]
    fn the_reader_stays_within_the_bound() {
        use std::sync::atomic::AtomicUsize;
        for jobs in [1, 2, 3] {
            let (feed, queue) = channel_of::<usize>(8 * ITEM_COST);
            let pushed = Arc::new(AtomicUsize::new(0));
            let reader = {
                let pushed = Arc::clone(&pushed);
                std::thread::spawn(move || {
                    for i in 0..500 {
                        assert!(feed.push(i, 0));
                        pushed.fetch_add(1, Ordering::SeqCst);
                    }
                })
            };
            let mut taken = 0;
            queue.run_ordered(
                jobs,
                || (),
                |_, i, _| i,
                |i| {
                    assert_eq!(i, taken);
                    taken += 1;
                    // Items 0..=i are given back before `i` is taken.
                    let ahead = pushed.load(Ordering::SeqCst);
                    assert!(ahead <= i + 1 + 8, "{ahead} pushed when {i} is taken");
                    true
                },
            );
            reader.join().unwrap();
            assert_eq!(taken, 500);
        }
    }

    /// When the taker stops, the reader's next push says so and no worker hangs.
    #[test]
    fn stopping_stops_the_reader() {
        let (feed, queue) = channel_of::<usize>(4 * ITEM_COST);
        let reader = std::thread::spawn(move || {
            let mut pushed = 0;
            while feed.push(pushed, 0) {
                pushed += 1;
            }
            pushed
        });
        let mut seen = Vec::new();
        queue.run_ordered(
            2,
            || (),
            |_, i, _| i,
            |i| {
                seen.push(i);
                i < 10
            },
        );
        let pushed = reader.join().unwrap();
        assert_eq!(seen, (0..=10).collect::<Vec<_>>());
        assert!(pushed < 100, "the reader ran on: {pushed}");
    }
}
