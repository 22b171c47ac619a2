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
    /// Add a clinic with this PH id (or change the one with it), e.g. to rehearse a clinic
    /// that is not in the demo data; kept with --data-dir.
    #[arg(long, value_name = "ID")]
    add_clinic: Option<String>,
    /// The added clinic's name (default: its id).
    #[arg(long, value_name = "NAME", requires = "add_clinic")]
    clinic_name: Option<String>,
    /// The added clinic's country, ISO 3166-1 alpha-2.
    #[arg(long, value_name = "CC", default_value = "US", requires = "add_clinic")]
    clinic_country: String,
    /// The added clinic requires an e-mail address for every client.
    #[arg(long, requires = "add_clinic")]
    requires_email: bool,
    /// Add an API token (only its SHA-256 is stored); printed at start like the demo tokens.
    #[arg(long, value_name = "TOKEN")]
    add_token: Option<String>,
    /// The added token's role: importer (read and write) or read_only.
    #[arg(long, value_name = "ROLE", default_value = "importer", value_parser = ["importer", "read_only"], requires = "add_token")]
    token_role: String,
    /// A clinic the added token may use (repeatable); default: the --add-clinic clinic.
    #[arg(long = "token-clinic", value_name = "ID", requires = "add_token")]
    token_clinics: Vec<String>,
}

/// The clinic and token asked for on the command line, added to the running sandbox.
fn add_requested(running: &ph_sandbox::RunningSandbox, args: &Args) -> Result<(), String> {
    if let Some(id) = &args.add_clinic {
        let country = args.clinic_country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "--clinic-country {:?} is not an ISO 3166-1 alpha-2 code such as US, CA or GB",
                args.clinic_country
            ));
        }
        let name = args.clinic_name.clone().unwrap_or_else(|| id.clone());
        running
            .add_clinic(id, &name, &country, args.requires_email)
            .map_err(|e| e.to_string())?;
        println!(
            "Added clinic {id} ({name}, {country}{}).",
            if args.requires_email {
                ", e-mail required"
            } else {
                ""
            }
        );
    }
    if let Some(token) = &args.add_token {
        let mut clinics = args.token_clinics.clone();
        if clinics.is_empty() {
            clinics.extend(args.add_clinic.clone());
        }
        if clinics.is_empty() {
            return Err(
                "--add-token needs the clinics it may use: --token-clinic ID (repeatable), or --add-clinic ID"
                    .to_owned(),
            );
        }
        if token.trim().len() < 8 || token.chars().any(char::is_whitespace) {
            return Err(
                "--add-token needs a token of at least 8 characters without spaces".to_owned(),
            );
        }
        running
            .add_token(&ph_sandbox::DemoToken {
                name: format!("added {} token", args.token_role),
                token: token.clone(),
                role: args.token_role.clone(),
                clinics: clinics.clone(),
            })
            .map_err(|e| e.to_string())?;
        // Sandbox tokens open only this local server, so printing them is safe and useful.
        println!(
            "Added token {token} ({}) for {}.",
            args.token_role,
            clinics.join(",")
        );
    }
    Ok(())
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
        data_dir: args.data_dir.clone(),
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
    if let Err(reason) = add_requested(&running, &args) {
        eprintln!("error: {reason}");
        running.shutdown().await;
        return ExitCode::from(2);
    }
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
