//! `ph-import env`: the environments data can be sent to (their names and URLs only;
//! tokens are kept in the OS keychain by `ph-import login`).

use clap::{Args, Subcommand, ValueEnum};
use ph_import_core::ph::environments::TokenRemoval;
use ph_import_core::ph::{environments, EnvironmentKind, KeyringStore, Settings};

use crate::ph_session::load_settings;
use crate::visible::{visible, write_json};

/// Arguments of `ph-import env`.
#[derive(Args, Debug)]
pub struct EnvArgs {
    #[command(subcommand)]
    command: EnvCommand,
}

#[derive(Subcommand, Debug)]
enum EnvCommand {
    /// List the environments (the built-in sandbox first).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add an environment: a name and its base URL (https://, or http:// on this machine only).
    Add {
        /// Short name, e.g. staging (lowercase letters, digits, - and _).
        name: String,
        /// Base URL; the API is at URL/graphql.
        url: String,
        /// What it is: the app warns before sending to production.
        #[arg(long, value_enum, default_value_t = Kind::Custom)]
        kind: Kind,
    },
    /// Remove an environment (its keychain token too).
    Remove {
        /// The environment's name.
        name: String,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    Staging,
    Production,
    Custom,
}

impl From<Kind> for EnvironmentKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Staging => EnvironmentKind::Staging,
            Kind::Production => EnvironmentKind::Production,
            Kind::Custom => EnvironmentKind::Custom,
        }
    }
}

/// Runs `ph-import env`.
pub fn run(args: &EnvArgs) -> anyhow::Result<()> {
    match &args.command {
        EnvCommand::List { json } => list(&load_settings()?, *json),
        EnvCommand::Add { name, url, kind } => {
            let dir = environments::config_dir()?;
            let mut settings = Settings::load(&dir)?;
            let env = settings.add(name, url, (*kind).into())?;
            settings.save(&dir)?;
            println!(
                "Added environment `{}` ({}) at {}. Next: ph-import login --env {}",
                env.name,
                kind_name(env.kind),
                env.base_url,
                env.name
            );
            Ok(())
        }
        EnvCommand::Remove { name } => {
            let dir = environments::config_dir()?;
            let (env, token) = environments::remove_with_token(&dir, name, &KeyringStore::new())?;
            println!("Removed environment `{}`.", env.name);
            match token {
                TokenRemoval::Deleted => println!("Its token was removed from the OS keychain."),
                TokenRemoval::NoneStored => {}
                TokenRemoval::Failed { reason } => {
                    eprintln!("warning: its token could not be removed from the keychain: {reason}")
                }
            }
            Ok(())
        }
    }
}

fn list(settings: &Settings, json: bool) -> anyhow::Result<()> {
    let envs = settings.environments();
    if json {
        return write_json(&mut std::io::stdout().lock(), &envs);
    }
    let width = envs.iter().map(|e| e.name.len()).max().unwrap_or(4).max(4);
    println!("{:width$}  {:10}  URL", "NAME", "KIND");
    for env in envs {
        println!(
            "{:width$}  {:10}  {}",
            visible(&env.name),
            kind_name(env.kind),
            visible(env.base_url.as_str())
        );
    }
    Ok(())
}

/// The kind as written on the command line.
pub fn kind_name(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::Sandbox => "sandbox",
        EnvironmentKind::Staging => "staging",
        EnvironmentKind::Production => "production",
        EnvironmentKind::Custom => "custom",
    }
}
