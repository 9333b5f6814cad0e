//! An interrupt requested while `sort`/`argsort` run on a large array stops them with
//! `Error::Cancelled`. In its own test binary because the interrupt flag is process-wide
//! and would cancel the kernels of tests running beside it.

use std::time::Duration;

use evsh::array::{create, sort};
use evsh::exec;
use evsh::Error;

/// Run `f` with an interrupt requested from another thread shortly after it starts.
fn interrupted<T>(f: impl FnOnce() -> evsh::Result<T>) -> evsh::Result<T> {
    exec::clear_interrupt();
    let r = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            exec::request_interrupt();
        });
        f()
    });
    exec::clear_interrupt();
    r
}

#[test]
fn interrupt_cancels_sorting() {
    // 50M float64: far longer than 30 ms to sort in any build.
    let x = create::random(vec![50_000_000], 7).unwrap();
    assert!(matches!(
        interrupted(|| sort::sort(&x)),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        interrupted(|| sort::argsort(&x)),
        Err(Error::Cancelled)
    ));
    let m = x.reshape(vec![500_000, 100]).unwrap();
    assert!(matches!(
        interrupted(|| sort::sort_axis(&m, 1)),
        Err(Error::Cancelled)
    ));
    // with the flag clear the same call works
    let small = create::random(vec![1000], 1).unwrap();
    assert_eq!(sort::sort(&small).unwrap().shape(), &[1000]);
}
