//! At most N clinics at once, on the caller's task. The engine's futures borrow their
//! progress callbacks, so they cannot be spawned onto other threads; polling a few of them
//! side by side here lets their PH requests overlap, which is where an import waits.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Runs `start(item)` for every item, at most `limit` at once, starting them in order;
/// `done` gets each output as soon as it is ready (so the caller can save it at once).
pub(crate) async fn for_each<T, O, Fut>(
    items: impl IntoIterator<Item = T>,
    limit: usize,
    mut start: impl FnMut(T) -> Fut,
    mut done: impl FnMut(O),
) where
    Fut: Future<Output = O>,
{
    let mut items = items.into_iter();
    let limit = limit.max(1);
    let mut running: Vec<Pin<Box<Fut>>> = Vec::with_capacity(limit);
    std::future::poll_fn(|cx| loop {
        while running.len() < limit {
            match items.next() {
                Some(item) => running.push(Box::pin(start(item))),
                None => break,
            }
        }
        if running.is_empty() {
            return Poll::Ready(());
        }
        let mut finished = false;
        let mut i = 0;
        while i < running.len() {
            if let Poll::Ready(out) = running[i].as_mut().poll(cx) {
                // Order among the running does not matter: each reports its own clinic.
                drop(running.swap_remove(i));
                done(out);
                finished = true;
            } else {
                i += 1;
            }
        }
        // A finished one makes room: start the next ones and poll them before waiting.
        if !finished {
            return Poll::Pending;
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn never_more_than_the_limit_and_every_one_done() {
        let running = Cell::new(0usize);
        let most = Cell::new(0usize);
        let mut outputs = Vec::new();
        for_each(
            0..7u64,
            3,
            |i| {
                let (running, most) = (&running, &most);
                async move {
                    running.set(running.get() + 1);
                    most.set(most.get().max(running.get()));
                    tokio::time::sleep(Duration::from_millis(5 * (7 - i))).await;
                    running.set(running.get() - 1);
                    i
                }
            },
            |i| outputs.push(i),
        )
        .await;
        assert_eq!(most.get(), 3);
        outputs.sort_unstable();
        assert_eq!(outputs, (0..7).collect::<Vec<_>>());
    }
}
