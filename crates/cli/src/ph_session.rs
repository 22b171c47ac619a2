//! Opening a PH environment for a command: the settings, the keychain token, and for the
//! built-in `sandbox` environment the embedded sandbox server started in this process.

use std::sync::Arc;

use anyhow::Context;
use ph_import_core::ph::{
    connect, environments, ClientOptions, Environment, KeyringStore, PhApi, Settings,
};

/// The environment commands use when `--env` is not given.
pub const DEFAULT_ENV: &str = environments::SANDBOX;

/// A client of an environment, and the embedded sandbox behind it when there is one.
pub struct Session {
    /// The client.
    pub api: PhApi,
    /// The environment it talks to.
    pub env: Environment,
    /// The base URL in use (the embedded sandbox's port is only known once started).
    pub url: String,
    /// Kept alive for the session's length; dropping it stops the server.
    _sandbox: Option<ph_sandbox::RunningSandbox>,
}

/// The settings from the config folder.
pub fn load_settings() -> anyhow::Result<Settings> {
    let dir = environments::config_dir()?;
    Ok(Settings::load(&dir)?)
}

/// Opens an environment by name. The built-in sandbox is started in-process over the app's
/// data folder (`<data dir>/sandbox`, so its data outlives one command, as in the app) and
/// used with its demo importer token; any other environment uses the token stored by
/// `ph-import login`. Must run inside a tokio runtime, which must outlive the session.
pub async fn open(name: &str) -> anyhow::Result<Session> {
    let env = load_settings()?.get(name)?;
    let options = ClientOptions::default();
    if env.is_embedded_sandbox() {
        let data_dir = environments::data_dir()?.join("sandbox");
        let config = ph_sandbox::SandboxConfig {
            data_dir: Some(data_dir),
            seed_demo: true,
            ..ph_sandbox::SandboxConfig::default()
        };
        let running = ph_sandbox::start(config)
            .await
            .context("the built-in sandbox could not start")?;
        let demo = running
            .importer_token()
            .context("the built-in sandbox has no demo importer token")?;
        let token = ph_import_core::ph::Token::parse(&demo)?;
        let url = running.url();
        let api = PhApi::new(&env.name, &url, &token, &options)?;
        return Ok(Session {
            api,
            env,
            url,
            _sandbox: Some(running),
        });
    }
    let api = connect(&env, Arc::new(KeyringStore::new()), &options).await?;
    Ok(Session {
        api,
        url: env.base_url.clone(),
        env,
        _sandbox: None,
    })
}

/// A runtime for one command's network work.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
