//! Every output goes through one atomic writer (`io::temp_beside` + `io::persist`): new
//! files get 0666 minus the umask, a replaced file keeps its mode, a symbolic link stays a
//! link and its target gets the data, a FIFO or device is written in place and never
//! replaced by a regular file, a FIFO nobody reads is a prompt error, and a directory is
//! refused. Checked through the script functions users call (`save`, `savez`, tables,
//! plots).

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use evsh::script::Session;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn outputs_respect_modes_links_and_special_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = Session::new();
    let run = |s: &mut Session, code: &str| {
        let _ = s.eval(code).unwrap_or_else(|e| panic!("{code}: {e}"));
    };
    // one umask for the whole test (it is per process)
    // SAFETY: umask only changes this process's file-creation mask.
    let old = unsafe { libc::umask(0o027) };
    let outs = [
        format!("save(arange(5), \"{}/a.npy\")", d.display()),
        format!("savez(\"{}/a.npz\", #{{x: arange(3)}})", d.display()),
        format!("save(arange(4).astype(\"f8\"), \"{}/a.csv\")", d.display()),
        format!("hist(random([100], 1)).plot(\"{}/a.png\")", d.display()),
    ];
    for code in &outs {
        run(&mut s, code);
    }
    for f in ["a.npy", "a.npz", "a.csv", "a.png"] {
        assert_eq!(mode(&d.join(f)), 0o640, "{f}: 0666 minus umask 027");
    }
    // replacing keeps the mode
    std::fs::set_permissions(d.join("a.npy"), std::fs::Permissions::from_mode(0o604)).unwrap();
    run(&mut s, &outs[0]);
    assert_eq!(mode(&d.join("a.npy")), 0o604);
    // a symbolic link stays a link; its target gets the data
    std::os::unix::fs::symlink(d.join("a.npy"), d.join("link.npy")).unwrap();
    run(
        &mut s,
        &format!("save(arange(7), \"{}/link.npy\")", d.display()),
    );
    assert!(std::fs::symlink_metadata(d.join("link.npy"))
        .unwrap()
        .file_type()
        .is_symlink());
    let v = s
        .eval(&format!("load(\"{}/a.npy\").len", d.display()))
        .unwrap();
    assert_eq!(v.as_int().unwrap(), 7);
    // a device is written in place, not replaced
    run(&mut s, "save(arange(3), \"/dev/null\")");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    // a FIFO without a reader: an error at once, and the FIFO is still there
    let fifo = d.join("p.npy");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let t = std::time::Instant::now();
    let e = s
        .eval(&format!("save(arange(3), \"{}\")", fifo.display()))
        .unwrap_err();
    assert!(e.to_string().contains("no process is reading"), "{e}");
    assert!(t.elapsed().as_secs() < 5);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // with a reader, the bytes go through the FIFO
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read(fifo).unwrap()
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    run(&mut s, &format!("save(arange(3), \"{}\")", fifo.display()));
    let got = reader.join().unwrap();
    assert_eq!(&got[..6], b"\x93NUMPY");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // a directory is refused with a message naming it
    let e = s
        .eval(&format!("save(arange(3), \"{}\")", d.display()))
        .unwrap_err();
    assert!(e.to_string().contains("is a directory"), "{e}");
    // SAFETY: restores the mask read above.
    unsafe { libc::umask(old) };
}
