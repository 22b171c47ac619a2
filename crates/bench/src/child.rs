//! Each stage in a process of its own: this binary started again with the hidden `--stage`,
//! its figures read from its standard output and its peak memory from the kernel.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::stages::{Stage, StageFigures};

/// A stage's figures and the peak resident memory of the process that ran it.
#[derive(Debug, Clone)]
pub struct ChildFigures {
    /// What the child reported.
    pub figures: StageFigures,
    /// Its peak RSS in bytes; `None` where the platform does not say (see [`wait`]).
    pub peak_rss: Option<u64>,
}

/// Runs `stage` over `file` in a child process and waits for it.
pub fn run_stage(stage: Stage, file: &Path) -> Result<ChildFigures> {
    let exe = std::env::current_exe().context("cannot find this program to start a stage")?;
    let mut child = Command::new(exe)
        .arg("--stage")
        .arg(stage.name())
        .arg("--file")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start the {} stage", stage.name()))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .with_context(|| format!("cannot read the {} stage's output", stage.name()))?;
    }
    let (success, peak_rss) = wait(child)?;
    if !success {
        bail!(
            "the {} stage over {} failed (its error is above)",
            stage.name(),
            file.display()
        );
    }
    let line = stdout.lines().last().unwrap_or_default();
    let figures = serde_json::from_str(line).with_context(|| {
        format!(
            "the {} stage printed no figures (its output: {stdout:?})",
            stage.name()
        )
    })?;
    Ok(ChildFigures { figures, peak_rss })
}

/// Waits for `child` with `wait4`, whose resource usage is the child's alone: its
/// `ru_maxrss` is the peak resident set of that process.
#[cfg(unix)]
fn wait(child: std::process::Child) -> Result<(bool, Option<u64>)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet waited for (std's `Child` has not reaped
        // it); `status` and `usage` are valid for writes for the call's duration.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e).context("cannot wait for a stage's process");
        }
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux and the BSDs count kilobytes; macOS counts bytes.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let peak = u64::try_from(usage.ru_maxrss).ok().map(|v| v * unit);
    Ok((success, peak))
}

/// Elsewhere (Windows) the standard library has no peak memory of a child: the table shows
/// it as unknown.
#[cfg(not(unix))]
fn wait(mut child: std::process::Child) -> Result<(bool, Option<u64>)> {
    let status = child.wait().context("cannot wait for a stage's process")?;
    Ok((status.success(), None))
}
