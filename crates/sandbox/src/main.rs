//! The `ph-sandbox` binary: a PH client-import API server on this machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A local PH client-import API server with demo data, for tests and import rehearsals.
/// Nothing sent to it leaves this machine.
#[derive(Parser)]
#[command(name = "ph-sandbox", version, about)]
struct Args {
    /// Address to listen on; loopback keeps it private to this machine.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Folder for the database, so data survives restarts; default: in memory.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Start empty, without the demo clinics, clients and pets.
    #[arg(long)]
    no_seed: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PH_SANDBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let args = Args::parse();
    let config = ph_sandbox::SandboxConfig {
        addr: args.addr,
        data_dir: args.data_dir,
        seed_demo: !args.no_seed,
    };
    let running = match ph_sandbox::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("PH sandbox listening on {}", running.url());
    println!("Health check: {}/health", running.url());
    if let Ok(c) = running.counts() {
        println!(
            "Holds {} clinics, {} clients, {} patients.",
            c.clinics, c.clients, c.patients
        );
    }
    let tokens = running.demo_tokens();
    if !tokens.is_empty() {
        // Sandbox tokens open only this local server, so printing them is safe and useful.
        println!("Demo tokens (sandbox only):");
        for t in tokens {
            println!(
                "  {:<22} {:<10} {}  ({})",
                t.token,
                t.role,
                t.clinics.join(","),
                t.name
            );
        }
    }
    println!("Press Ctrl+C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    running.shutdown().await;
    ExitCode::SUCCESS
}
