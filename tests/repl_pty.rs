//! The REPL as a person uses it, through a real pseudo-terminal: the evsh binary runs on
//! the slave side of a pty (so rustyline sees a terminal), the test types into the master
//! side and reads the screen output. Covers Tab completion of variables and of methods of
//! the value before the dot, multi-line input, Ctrl-C cancelling a running statement of
//! array kernels while the session and its variables survive, Ctrl-C at the prompt, the
//! persistent history file, and Ctrl-D ending the session.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Pty {
    master: std::fs::File,
    child: Child,
    seen: String,
}

impl Pty {
    fn spawn(home: &std::path::Path) -> Pty {
        let mut m: libc::c_int = 0;
        let mut s: libc::c_int = 0;
        let ws = libc::winsize {
            ws_row: 40,
            ws_col: 200,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds into the out-pointers; name and termios are null.
        let rc = unsafe {
            libc::openpty(
                &mut m,
                &mut s,
                std::ptr::null_mut(),
                std::ptr::null(),
                &ws as *const _ as *mut _,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both fds were just returned by openpty and are owned here.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_evsh"));
        cmd.env("HOME", home)
            .env("EVSH_HISTORY", home.join("hist"))
            .env("TERM", "xterm")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec only async-signal-safe calls: a new session with
        // the pty (fd 0) as its controlling terminal, so Ctrl-C typed there is SIGINT.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start evsh");
        let master = std::fs::File::from(master);
        // SAFETY: F_SETFL on an fd we own.
        unsafe {
            use std::os::fd::AsRawFd;
            let fd = master.as_raw_fd();
            let fl = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
        }
        Pty {
            master,
            child,
            seen: String::new(),
        }
    }

    fn send(&mut self, s: &str) {
        self.master.write_all(s.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Read until `pat` appears in the output after position `from`; returns the position
    /// just past it. Fails after `secs`.
    fn expect_from(&mut self, from: usize, pat: &str, secs: u64) -> usize {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(i) = self.seen[from.min(self.seen.len())..].find(pat) {
                return from + i + pat.len();
            }
            if Instant::now() > end {
                panic!(
                    "timed out waiting for {pat:?}; output so far:\n{}",
                    &self.seen[from.min(self.seen.len())..]
                );
            }
            let mut buf = [0u8; 4096];
            match self.master.read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(20)),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                // EIO: the child closed the terminal.
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn mark(&self) -> usize {
        self.seen.len()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn completion_ctrl_c_and_history_through_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(home.path());
    p.expect_from(0, "evsh> ", 20);

    // A value, then Tab completion of its name and of a method of an Array.
    let m = p.mark();
    p.send("let alpha_beta = arange(1000000);\r");
    p.expect_from(m, "evsh> ", 20);
    let m = p.mark();
    p.send("alpha_b\t");
    p.expect_from(m, "alpha_beta", 10);
    p.send(".su\t");
    let at = p.expect_from(m, "alpha_beta.sum", 10);
    p.send("()\r");
    p.expect_from(at, "499999500000", 20);

    // Multi-line input: an unfinished block asks for more.
    let m = p.mark();
    // (Each line waits for its prompt: typed-ahead input may be dropped when the line
    // editor switches the terminal mode, as in any shell.)
    p.send("let total = 0;\r");
    let m = p.expect_from(m, "evsh> ", 10);
    p.send("for i in 0..4 {\r");
    let m = p.expect_from(m, "  ... ", 10);
    p.send("total += i;\r");
    let m = p.expect_from(m, "  ... ", 10);
    p.send("}\r");
    p.expect_from(m, "evsh> ", 10);
    let m = p.mark();
    p.send("total\r");
    p.expect_from(m, "6", 10);

    // A long statement of array kernels, interrupted by Ctrl-C.
    let m = p.mark();
    p.send("let s = 0.0; for k in 0..1000000 { s += (alpha_beta * 2).sum(); }\r");
    std::thread::sleep(Duration::from_millis(700));
    let t0 = Instant::now();
    p.send("\x03");
    let at = p.expect_from(m, "interrupted", 10);
    let took = t0.elapsed();
    p.expect_from(at, "evsh> ", 10);
    assert!(took < Duration::from_secs(5), "cancelling took {took:?}");
    // The session and its variables survive.
    let m = p.mark();
    p.send("alpha_beta.len + total\r");
    p.expect_from(m, "1000006", 10);

    // Ctrl-C at the prompt clears the line; the next statement runs normally.
    let m = p.mark();
    p.send("this line is discarded");
    let m = p.expect_from(m, "discarded", 10);
    p.send("\x03");
    let m = p.expect_from(m, "evsh> ", 10);
    p.send("40 + 2\r");
    p.expect_from(m, "42", 10);

    // Ctrl-D ends the session with status 0; the history file holds the statements.
    p.send("\x04");
    let end = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = p.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < end, "evsh did not exit on Ctrl-D");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    let hist = std::fs::read_to_string(home.path().join("hist")).unwrap();
    assert!(hist.contains("let alpha_beta = arange(1000000);"), "{hist}");
    assert!(hist.contains("40 + 2"), "{hist}");
    assert!(!hist.contains("this line is discarded"), "{hist}");
}
