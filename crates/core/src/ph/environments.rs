//! Environments (name, base URL, kind) and the settings file that keeps them.
//!
//! The settings file holds no token: tokens live only in the OS keychain (see
//! [`crate::ph::credentials`]). The built-in `sandbox` environment is never stored; it is
//! always present and means the sandbox server started inside this process.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::credentials::CredentialStore;
use super::endpoint::{parse_base_url, EndpointError};

/// Name of the built-in environment that runs the embedded sandbox.
pub const SANDBOX: &str = "sandbox";

/// What an environment is, so the UI and CLI can warn before touching real data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum EnvironmentKind {
    /// The embedded sandbox with demo data.
    Sandbox,
    /// PH's staging system: real software, test data.
    Staging,
    /// PH's production system: real clinics.
    Production,
    /// Anything else, e.g. a sandbox started on another port for a rehearsal.
    Custom,
}

/// Where the tool sends data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Environment {
    /// Short name used on the command line and as the keychain entry, e.g. `staging`.
    pub name: String,
    /// Base URL, the GraphQL endpoint is `{base_url}/graphql`. For the built-in sandbox it is
    /// [`Environment::IN_PROCESS`], because its port is only known once started.
    pub base_url: String,
    /// Sandbox, staging, production or custom.
    pub kind: EnvironmentKind,
}

impl Environment {
    /// The base URL shown for the built-in sandbox.
    pub const IN_PROCESS: &'static str = "in-process";

    /// The built-in sandbox environment.
    pub fn sandbox() -> Environment {
        Environment {
            name: SANDBOX.to_owned(),
            base_url: Self::IN_PROCESS.to_owned(),
            kind: EnvironmentKind::Sandbox,
        }
    }

    /// Whether this is the embedded sandbox (no keychain token, started in-process).
    pub fn is_embedded_sandbox(&self) -> bool {
        self.kind == EnvironmentKind::Sandbox
    }
}

/// Why the settings could not be read, changed or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No such environment.
    #[error("there is no environment named `{name}`: run `ph-import env list` to see them, or `ph-import env add {name} URL` to add it")]
    UnknownEnvironment {
        /// The name asked for.
        name: String,
    },
    /// Adding a name that exists.
    #[error("an environment named `{name}` already exists: remove it first with `ph-import env remove {name}`")]
    AlreadyExists {
        /// The name given.
        name: String,
    },
    /// The built-in sandbox cannot be added, changed or removed.
    #[error("`sandbox` is the built-in environment and cannot be added, changed or removed: choose another name")]
    BuiltIn,
    /// Only the built-in environment may be of kind sandbox.
    #[error("only the built-in `sandbox` environment is of kind sandbox: use --kind custom for a sandbox server you started yourself")]
    SandboxKind,
    /// A name that cannot serve as a keychain entry or command-line argument.
    #[error("`{name}` is not a valid environment name: use 1 to 40 lowercase letters, digits, `-` or `_`")]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The URL breaks the transport rule.
    #[error(transparent)]
    Url(#[from] EndpointError),
    /// Neither PH_IMPORT_CONFIG_DIR nor a home folder is known.
    #[error(
        "no folder for settings could be found: set PH_IMPORT_CONFIG_DIR to a writable folder"
    )]
    NoConfigDir,
    /// The settings file could not be read or written.
    #[error("could not {action} the settings file {path}: {reason}. Check that the folder exists and is writable")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// The settings file is not valid JSON of the expected shape.
    #[error("the settings file {path} is damaged ({reason}): fix it by hand or delete it and add the environments again")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        reason: String,
    },
}

/// The folder of the settings file: `PH_IMPORT_CONFIG_DIR` if set, else the OS's config
/// folder for the app (e.g. `~/.config/client-import` on Linux).
pub fn config_dir() -> Result<PathBuf, SettingsError> {
    if let Some(dir) = std::env::var_os("PH_IMPORT_CONFIG_DIR") {
        return Ok(PathBuf::from(dir));
    }
    project_dirs()
        .map(|d| d.config_dir().to_path_buf())
        .ok_or(SettingsError::NoConfigDir)
}

/// The folder of the app's data (the embedded sandbox's database): `PH_IMPORT_DATA_DIR` if
/// set, else the OS's data folder for the app (e.g. `~/.local/share/client-import` on Linux).
pub fn data_dir() -> Result<PathBuf, SettingsError> {
    if let Some(dir) = std::env::var_os("PH_IMPORT_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(SettingsError::NoConfigDir)
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("com", "ph", "client-import")
}

/// The settings file's content. Unknown fields are ignored so an older version can read
/// a newer file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SettingsFile {
    #[serde(default = "current_version")]
    version: u32,
    #[serde(default)]
    environments: Vec<Environment>,
}

fn current_version() -> u32 {
    1
}

/// The environments a person added, plus the built-in sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    added: Vec<Environment>,
}

impl Settings {
    /// The file name inside the config folder.
    pub const FILE_NAME: &'static str = "settings.json";

    /// Reads `settings.json` from `dir`; a missing file means no environment was added yet.
    pub fn load(dir: &Path) -> Result<Settings, SettingsError> {
        let path = dir.join(Self::FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => {
                return Err(SettingsError::Io {
                    action: "read",
                    path,
                    reason: e.to_string(),
                })
            }
        };
        let file: SettingsFile =
            serde_json::from_str(&text).map_err(|e| SettingsError::Damaged {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        // A hand-edited file may name the built-in sandbox; the built-in one wins.
        let added = file
            .environments
            .into_iter()
            .filter(|e| e.name != SANDBOX && e.kind != EnvironmentKind::Sandbox)
            .collect();
        Ok(Settings { added })
    }

    /// Writes `settings.json` into `dir` (created if needed), replacing it atomically so a
    /// crash never leaves half a file.
    pub fn save(&self, dir: &Path) -> Result<(), SettingsError> {
        let path = dir.join(Self::FILE_NAME);
        let io = |e: std::io::Error| SettingsError::Io {
            action: "write",
            path: path.clone(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let file = SettingsFile {
            version: current_version(),
            environments: self.added.clone(),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| SettingsError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let temp = dir.join(format!(".{}.tmp", Self::FILE_NAME));
        std::fs::write(&temp, text + "\n").map_err(io)?;
        std::fs::rename(&temp, &path).map_err(io)
    }

    /// Every environment, the built-in sandbox first.
    pub fn environments(&self) -> Vec<Environment> {
        std::iter::once(Environment::sandbox())
            .chain(self.added.iter().cloned())
            .collect()
    }

    /// The environment of that name.
    pub fn get(&self, name: &str) -> Result<Environment, SettingsError> {
        if name == SANDBOX {
            return Ok(Environment::sandbox());
        }
        self.added
            .iter()
            .find(|e| e.name == name)
            .cloned()
            .ok_or_else(|| SettingsError::UnknownEnvironment {
                name: name.to_owned(),
            })
    }

    /// Adds an environment after checking its name and URL (HTTPS unless loopback).
    /// The URL is stored as given, without a trailing slash.
    pub fn add(
        &mut self,
        name: &str,
        base_url: &str,
        kind: EnvironmentKind,
    ) -> Result<Environment, SettingsError> {
        if name == SANDBOX {
            return Err(SettingsError::BuiltIn);
        }
        if kind == EnvironmentKind::Sandbox {
            return Err(SettingsError::SandboxKind);
        }
        validate_name(name)?;
        if self.added.iter().any(|e| e.name == name) {
            return Err(SettingsError::AlreadyExists {
                name: name.to_owned(),
            });
        }
        parse_base_url(base_url)?;
        let env = Environment {
            name: name.to_owned(),
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            kind,
        };
        self.added.push(env.clone());
        Ok(env)
    }

    /// Changes an added environment's URL and kind (same checks as [`Settings::add`]).
    pub fn edit(
        &mut self,
        name: &str,
        base_url: &str,
        kind: EnvironmentKind,
    ) -> Result<Environment, SettingsError> {
        let old = self.remove(name)?;
        match self.add(name, base_url, kind) {
            Ok(env) => Ok(env),
            Err(e) => {
                self.added.push(old);
                Err(e)
            }
        }
    }

    /// Removes an added environment and returns it.
    pub fn remove(&mut self, name: &str) -> Result<Environment, SettingsError> {
        if name == SANDBOX {
            return Err(SettingsError::BuiltIn);
        }
        let position = self
            .added
            .iter()
            .position(|e| e.name == name)
            .ok_or_else(|| SettingsError::UnknownEnvironment {
                name: name.to_owned(),
            })?;
        Ok(self.added.remove(position))
    }
}

/// What became of a removed environment's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum TokenRemoval {
    /// The keychain held a token for it, and it was deleted.
    Deleted,
    /// No token was stored for it.
    NoneStored,
    /// The keychain could not delete it (locked, unavailable): it may still be there.
    Failed {
        /// What the keychain said.
        reason: String,
    },
}

/// Removes an environment the person added from the settings in `dir`, then its token from
/// `store`. The environment goes even when the keychain fails (a computer without one could
/// never remove it otherwise); the outcome says whether a token may be left behind.
pub fn remove_with_token(
    dir: &Path,
    name: &str,
    store: &dyn CredentialStore,
) -> Result<(Environment, TokenRemoval), SettingsError> {
    let mut settings = Settings::load(dir)?;
    let env = settings.remove(name)?;
    settings.save(dir)?;
    let token = match store.delete(&env.name) {
        Ok(true) => TokenRemoval::Deleted,
        Ok(false) => TokenRemoval::NoneStored,
        Err(e) => TokenRemoval::Failed {
            reason: e.to_string(),
        },
    };
    Ok((env, token))
}

/// Whether what a person typed confirms an import into a production environment: the
/// clinic's id or its name, exactly (surrounding spaces aside). Other kinds need no typing.
pub fn confirms_production(
    kind: EnvironmentKind,
    clinic_id: &str,
    clinic_name: &str,
    typed: &str,
) -> bool {
    kind != EnvironmentKind::Production || typed.trim() == clinic_id || typed.trim() == clinic_name
}

/// Names double as keychain entries and CLI arguments, so keep them plain.
fn validate_name(name: &str) -> Result<(), SettingsError> {
    let ok = (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(SettingsError::InvalidName {
            name: name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_environments_and_the_builtin_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap().environments().len(), 1);
        let mut settings = Settings::default();
        settings
            .add(
                "staging",
                "https://staging.ph.example/",
                EnvironmentKind::Staging,
            )
            .unwrap();
        settings
            .add("local", "http://127.0.0.1:4000", EnvironmentKind::Custom)
            .unwrap();
        settings.save(dir.path()).unwrap();

        let loaded = Settings::load(dir.path()).unwrap();
        assert_eq!(loaded, settings);
        let names: Vec<_> = loaded.environments().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["sandbox", "staging", "local"]);
        assert_eq!(
            loaded.get("staging").unwrap().base_url,
            "https://staging.ph.example"
        );
        assert!(loaded.get(SANDBOX).unwrap().is_embedded_sandbox());

        let text = std::fs::read_to_string(dir.path().join(Settings::FILE_NAME)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        // Exactly these fields per environment: nothing that could hold a token.
        for env in json["environments"].as_array().unwrap() {
            let mut keys: Vec<_> = env.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            assert_eq!(keys, ["baseUrl", "kind", "name"]);
        }
        assert!(!text.contains("sandbox"));
        assert!(!text.to_lowercase().contains("token"));
    }

    #[test]
    fn add_and_remove_check_their_input() {
        let mut settings = Settings::default();
        assert!(matches!(
            settings.add("prod", "http://ph.example", EnvironmentKind::Production),
            Err(SettingsError::Url(EndpointError::Insecure { .. }))
        ));
        assert!(matches!(
            settings.add(SANDBOX, "https://x.example", EnvironmentKind::Custom),
            Err(SettingsError::BuiltIn)
        ));
        assert!(matches!(
            settings.add("mine", "https://x.example", EnvironmentKind::Sandbox),
            Err(SettingsError::SandboxKind)
        ));
        assert!(matches!(
            settings.add("Has Space", "https://x.example", EnvironmentKind::Custom),
            Err(SettingsError::InvalidName { .. })
        ));
        settings
            .add("prod", "https://ph.example", EnvironmentKind::Production)
            .unwrap();
        assert!(matches!(
            settings.add("prod", "https://ph.example", EnvironmentKind::Production),
            Err(SettingsError::AlreadyExists { .. })
        ));
        assert!(matches!(
            settings.remove(SANDBOX),
            Err(SettingsError::BuiltIn)
        ));
        assert_eq!(settings.remove("prod").unwrap().name, "prod");
        assert!(matches!(
            settings.get("prod"),
            Err(SettingsError::UnknownEnvironment { .. })
        ));
    }

    #[test]
    fn damaged_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(Settings::FILE_NAME), "{not json").unwrap();
        let err = Settings::load(dir.path()).unwrap_err();
        assert!(matches!(err, SettingsError::Damaged { .. }));
        assert!(err.to_string().contains("settings.json"));
    }
}

#[cfg(test)]
mod remove_tests {
    use super::*;
    use crate::ph::credentials::{CredentialError, KeyringStore};
    use crate::ph::Token;

    /// A keychain that cannot be reached, as on a computer without a Secret Service.
    struct NoKeychain;

    impl CredentialStore for NoKeychain {
        fn get(&self, _: &str) -> Result<Token, CredentialError> {
            Err(unavailable())
        }
        fn set(&self, _: &str, _: &Token) -> Result<(), CredentialError> {
            Err(unavailable())
        }
        fn delete(&self, _: &str) -> Result<bool, CredentialError> {
            Err(unavailable())
        }
    }

    fn unavailable() -> CredentialError {
        CredentialError::Unavailable {
            reason: "no session bus".into(),
        }
    }

    fn with_two_environments() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings
            .add(
                "staging",
                "https://staging.ph.example",
                EnvironmentKind::Staging,
            )
            .unwrap();
        settings
            .add(
                "rehearsal",
                "http://127.0.0.1:8787",
                EnvironmentKind::Custom,
            )
            .unwrap();
        settings.save(dir.path()).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let settings = Settings::load(dir).unwrap();
        settings
            .environments()
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    #[test]
    fn removing_an_environment_deletes_its_token_and_says_so() {
        let dir = with_two_environments();
        let store = KeyringStore::mock();
        store
            .set("staging", &Token::parse("ph_live_abc123").unwrap())
            .unwrap();

        let (env, token) = remove_with_token(dir.path(), "staging", &store).unwrap();
        assert_eq!(env.name, "staging");
        assert_eq!(token, TokenRemoval::Deleted);
        assert!(matches!(
            store.get("staging"),
            Err(CredentialError::NotLoggedIn { .. })
        ));
        assert_eq!(names(dir.path()), ["sandbox", "rehearsal"]);

        let (_, token) = remove_with_token(dir.path(), "rehearsal", &store).unwrap();
        assert_eq!(token, TokenRemoval::NoneStored);
        assert!(matches!(
            remove_with_token(dir.path(), "rehearsal", &store),
            Err(SettingsError::UnknownEnvironment { .. })
        ));
        assert!(matches!(
            remove_with_token(dir.path(), SANDBOX, &store),
            Err(SettingsError::BuiltIn)
        ));
        assert_eq!(names(dir.path()), ["sandbox"]);
    }

    #[test]
    fn without_a_keychain_the_environment_still_goes_and_the_token_is_reported() {
        let dir = with_two_environments();
        let (_, token) = remove_with_token(dir.path(), "staging", &NoKeychain).unwrap();
        match token {
            TokenRemoval::Failed { reason } => {
                assert!(reason.contains("no session bus"), "{reason}")
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert_eq!(names(dir.path()), ["sandbox", "rehearsal"]);
    }
}

#[cfg(test)]
mod edit_tests {
    use super::*;

    #[test]
    fn edit_changes_url_and_kind_and_keeps_the_old_one_on_a_bad_url() {
        let mut settings = Settings::default();
        settings
            .add(
                "rehearsal",
                "http://127.0.0.1:8787",
                EnvironmentKind::Custom,
            )
            .unwrap();
        let env = settings
            .edit("rehearsal", "https://ph.example/", EnvironmentKind::Staging)
            .unwrap();
        assert_eq!(env.base_url, "https://ph.example");
        assert!(settings
            .edit("rehearsal", "http://ph.example", EnvironmentKind::Staging)
            .is_err());
        assert_eq!(settings.get("rehearsal").unwrap(), env);
        assert!(matches!(
            settings.edit("nope", "https://ph.example", EnvironmentKind::Staging),
            Err(SettingsError::UnknownEnvironment { .. })
        ));
    }

    #[test]
    fn production_needs_the_clinics_id_or_name_typed() {
        let prod = EnvironmentKind::Production;
        assert!(confirms_production(
            prod,
            "lakeside",
            "Lakeside Vets",
            " Lakeside Vets "
        ));
        assert!(confirms_production(
            prod,
            "lakeside",
            "Lakeside Vets",
            "lakeside"
        ));
        assert!(!confirms_production(
            prod,
            "lakeside",
            "Lakeside Vets",
            "lakeside vets"
        ));
        assert!(!confirms_production(prod, "lakeside", "Lakeside Vets", ""));
        assert!(confirms_production(
            EnvironmentKind::Staging,
            "lakeside",
            "Lakeside Vets",
            ""
        ));
    }
}
