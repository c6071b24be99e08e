//! Work spread over the machine's cores in contiguous chunks, one scoped
//! thread per chunk: neighbouring items (commits that share trees, blobs in
//! pack order) stay on one thread and its object caches. Each chunk gets a
//! context made on the calling thread (a repository handle, a reader), since
//! those are `Send` but not shared between threads.

/// How many threads to spread work over: the machine's cores, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Run `work(context, offset, chunk)` over `items` in contiguous chunks, on
/// [`threads`] scoped threads, or on this thread alone for fewer than
/// `spread_from` items. The results come in chunk order; a panic in a
/// worker is resumed here.
pub fn in_chunks<T, C, R>(
    items: &[T],
    spread_from: usize,
    mut context: impl FnMut() -> C,
    work: impl Fn(C, usize, &[T]) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    C: Send,
    R: Send,
{
    // Too few items are worked here without asking the system how many
    // cores there are (which reads the cgroup files under /proc).
    let threads = if items.len() < spread_from {
        1
    } else {
        threads()
    };
    if threads < 2 {
        return vec![work(context(), 0, items)];
    }
    let chunk = items.len().div_ceil(threads);
    let contexts: Vec<C> = items.chunks(chunk).map(|_| context()).collect();
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .zip(contexts)
            .enumerate()
            .map(|(n, (part, context))| scope.spawn(move || work(context, n * chunk, part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order_with_its_offset() {
        let items: Vec<usize> = (0..1000).collect();
        for spread_from in [1, 10_000] {
            let parts = in_chunks(
                &items,
                spread_from,
                || (),
                |(), offset, part| {
                    part.iter()
                        .enumerate()
                        .map(|(i, &x)| (offset + i, x))
                        .collect::<Vec<_>>()
                },
            );
            let flat: Vec<(usize, usize)> = parts.into_iter().flatten().collect();
            assert_eq!(flat.len(), items.len());
            assert!(flat.iter().all(|&(at, x)| at == x));
        }
    }
}
