//! `ph-import login`, `logout` and `whoami`: an environment's token, kept only in the OS
//! keychain, and who it belongs to.

use std::io::{IsTerminal, Read};
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Args;
use ph_import_core::ph::{
    login, ClientOptions, CredentialStore, KeyringStore, LoginError, Principal, Token,
};
use serde::Serialize;

use crate::ph_session::{self, load_settings, DEFAULT_ENV};
use crate::visible::{visible, write_json};

/// Arguments of `ph-import login`.
#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The environment (see `ph-import env list`).
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// Read the token from standard input instead of prompting (for scripts).
    #[arg(long)]
    pub token_stdin: bool,
    /// Store the token without asking the server who it belongs to first.
    #[arg(long)]
    pub no_verify: bool,
}

/// Arguments of `ph-import logout`.
#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// The environment whose token to forget.
    #[arg(long, value_name = "NAME")]
    pub env: String,
}

/// Arguments of `ph-import whoami`.
#[derive(Args, Debug)]
pub struct WhoamiArgs {
    /// The environment; the built-in sandbox by default.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ENV)]
    pub env: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `ph-import login`: reads the token, checks it with `me`, stores it in the keychain.
pub fn run_login(args: &LoginArgs) -> anyhow::Result<()> {
    let env = load_settings()?.get(&args.env)?;
    if env.is_embedded_sandbox() {
        return Err(LoginError::Sandbox.into());
    }
    let token = read_token(&env.name, args.token_stdin)?;
    let store: Arc<dyn CredentialStore> = Arc::new(KeyringStore::new());
    let principal = ph_session::runtime()?.block_on(login(
        &env,
        token,
        store,
        !args.no_verify,
        &ClientOptions::default(),
    ))?;
    if let Some(principal) = principal {
        eprintln!(
            "The token belongs to {} ({}), with {} clinic(s).",
            visible(&principal.name),
            principal.role.label(),
            principal.clinics.len()
        );
    }
    println!(
        "Logged in to `{}`: the token is in the OS keychain.",
        env.name
    );
    Ok(())
}

fn read_token(env: &str, from_stdin: bool) -> anyhow::Result<Token> {
    let text = if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("could not read the token from standard input")?;
        text
    } else {
        if !std::io::stdin().is_terminal() {
            bail!("no terminal to type the token in: pipe it with --token-stdin");
        }
        rpassword::prompt_password(format!("API token for `{env}` (not shown): "))
            .context("could not read the token from the terminal")?
    };
    Ok(Token::parse(&text)?)
}

/// Runs `ph-import logout`.
pub fn run_logout(args: &LogoutArgs) -> anyhow::Result<()> {
    let env = load_settings()?.get(&args.env)?;
    if env.is_embedded_sandbox() {
        bail!("the built-in sandbox has no stored token to forget");
    }
    if KeyringStore::new().delete(&env.name)? {
        println!(
            "Logged out of `{}`: its token was removed from the OS keychain.",
            env.name
        );
    } else {
        println!("No token was stored for `{}`.", env.name);
    }
    Ok(())
}

#[derive(Serialize)]
struct WhoamiJson<'a> {
    environment: &'a str,
    url: String,
    #[serde(flatten)]
    principal: &'a Principal,
}

/// Runs `ph-import whoami`.
pub fn run_whoami(args: &WhoamiArgs) -> anyhow::Result<()> {
    let runtime = ph_session::runtime()?;
    runtime.block_on(async {
        let session = ph_session::open(&args.env).await?;
        let principal = session.api.me().await?;
        if args.json {
            let out = WhoamiJson {
                environment: &session.env.name,
                url: session.url.clone(),
                principal: &principal,
            };
            return write_json(&mut std::io::stdout().lock(), &out);
        }
        println!("Environment: {} ({})", session.env.name, session.url);
        println!("Principal:   {}", visible(&principal.name));
        println!("Role:        {}", principal.role.label());
        println!("Clinics:");
        for clinic in &principal.clinics {
            println!(
                "  {}  {}  ({}, {} clients, {} patients)",
                visible(&clinic.id),
                visible(&clinic.name),
                visible(&clinic.country),
                clinic.client_count,
                clinic.patient_count
            );
        }
        Ok(())
    })
}
