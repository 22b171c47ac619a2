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
    /// Most items per create/update mutation.
    #[arg(long, default_value_t = 200, value_name = "N")]
    max_batch_size: usize,
    /// Largest page of clients a query may ask for.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_page_size: usize,
    /// Fault: fraction (0.0-1.0) of /graphql requests answered 503.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION", value_parser = fraction)]
    error_rate: f64,
    /// Fault: milliseconds added to every /graphql request.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Fault: fraction (0.0-1.0) of /graphql connections closed without a response.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION", value_parser = fraction)]
    drop_rate: f64,
    /// Fault: /graphql requests allowed per second; more get 429 with Retry-After.
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<u32>,
    /// Seed of the fault generator, so a rehearsal can be repeated exactly.
    #[arg(long, default_value_t = 0, value_name = "N")]
    fault_seed: u64,
    /// Print the API's GraphQL schema (docs/ph-api.graphql) and exit.
    #[arg(long)]
    print_schema: bool,
}

fn fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0.0 and 1.0"))
    }
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
    if args.print_schema {
        print!("{}", ph_sandbox::schema_sdl());
        return ExitCode::SUCCESS;
    }
    let faults = ph_sandbox::Faults {
        error_rate: args.error_rate,
        latency_ms: args.latency_ms,
        drop_rate: args.drop_rate,
        rate_limit_per_sec: args.rate_limit,
        seed: args.fault_seed,
    };
    let config = ph_sandbox::SandboxConfig {
        addr: args.addr,
        data_dir: args.data_dir,
        seed_demo: !args.no_seed,
        limits: ph_sandbox::Limits {
            max_batch_size: args.max_batch_size,
            max_page_size: args.max_page_size,
        },
        faults: faults.clone(),
    };
    let running = match ph_sandbox::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("PH sandbox listening on {}", running.url());
    println!("GraphQL API:  {}", running.graphql_url());
    println!("Health check: {}/health", running.url());
    if faults != ph_sandbox::Faults::default() {
        println!(
            "Injecting faults: error rate {}, latency {} ms, drop rate {}, rate limit {}, seed {}.",
            faults.error_rate,
            faults.latency_ms,
            faults.drop_rate,
            faults
                .rate_limit_per_sec
                .map_or("none".to_owned(), |n| format!("{n}/s")),
            faults.seed
        );
    }
    if let Ok(c) = running.counts() {
        println!(
            "Holds {} clinics, {} clients, {} patients.",
            c.clinics, c.clients, c.patients
        );
    }
    let tokens = running.demo_tokens();
    if !tokens.is_empty() {
        // Sandbox tokens open only this local server, so printing them is safe and useful.
        println!("Demo tokens (sandbox only; send as `Authorization: Bearer <token>`):");
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
