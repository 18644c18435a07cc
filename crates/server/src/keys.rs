//! Key material: from the environment in production; on the SQLite default, a local key
//! file created on first run (and the log says so), so one command starts the server.

use std::path::Path;

use anyhow::{Context, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use nuanxin_auth::JwtKeys;
use nuanxin_store::VaultKeys;
use serde::{Deserialize, Serialize};

use crate::config::Config;

#[derive(Serialize, Deserialize)]
struct KeyFile {
    jwt: Vec<(String, String)>,
    vault: Vec<(String, String)>,
    index: String,
}

pub struct Keys {
    pub jwt: JwtKeys,
    pub vault: VaultKeys,
}

pub fn parse_pairs(text: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (kid, b64) = pair
                .split_once(':')
                .ok_or_else(|| anyhow!("a key is written kid:base64"))?;
            Ok((
                kid.to_owned(),
                B64.decode(b64.trim()).context("key is not base64")?,
            ))
        })
        .collect()
}

pub fn load(config: &Config) -> anyhow::Result<Keys> {
    if let (Some(jwt), Some(vault), Some(index)) = (
        &config.jwt_keys,
        &config.vault_keys,
        &config.vault_index_key,
    ) {
        return Ok(Keys {
            jwt: JwtKeys::new(parse_pairs(jwt)?).map_err(|e| anyhow!("NUANXIN_JWT_KEYS: {e}"))?,
            vault: VaultKeys::parse(vault, index)
                .map_err(|e| anyhow!("NUANXIN_VAULT_KEYS: {e}"))?,
        });
    }
    load_or_create_file(&config.key_file)
}

fn load_or_create_file(path: &Path) -> anyhow::Result<Keys> {
    if !path.exists() {
        let file = fresh()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        write_private(path, &serde_json::to_vec_pretty(&file)?)
            .with_context(|| format!("writing {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            "created a local key file for JWT signing and PII encryption; keep it with the database \
             (without it the encrypted ID numbers cannot be read) and use environment keys in production"
        );
    }
    refuse_if_shared(path)?;
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file: KeyFile = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not a key file", path.display()))?;
    let jwt_pairs = file
        .jwt
        .iter()
        .map(|(k, v)| Ok((k.clone(), B64.decode(v)?)))
        .collect::<Result<Vec<_>, base64::DecodeError>>()?;
    let vault_text = file
        .vault
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(",");
    Ok(Keys {
        jwt: JwtKeys::new(jwt_pairs).map_err(|e| anyhow!("{e}"))?,
        vault: VaultKeys::parse(&vault_text, &file.index).map_err(|e| anyhow!("{e}"))?,
    })
}

/// Creates the file readable by its owner only, atomically: it never exists with wider
/// permissions, not even for a moment, and an existing file is never overwritten.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A key file that others on the machine can read is a leaked key: refuse to start.
fn refuse_if_shared(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(anyhow!(
                "{} can be read by other users (mode {:o}); run `chmod 600 {}` — and in production \
                 keep keys out of files: set NUANXIN_JWT_KEYS, NUANXIN_VAULT_KEYS and \
                 NUANXIN_VAULT_INDEX_KEY from your secret store",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    Ok(())
}

fn fresh() -> anyhow::Result<KeyFile> {
    let kid = format!("k{}", chrono::Utc::now().format("%Y%m%d"));
    let vault = VaultKeys::generate(&kid).map_err(|e| anyhow!("{e}"))?;
    let jwt = JwtKeys::generate(&kid).map_err(|e| anyhow!("{e}"))?;
    Ok(KeyFile {
        jwt: jwt
            .keys()
            .iter()
            .map(|(k, v)| (k.clone(), B64.encode(v)))
            .collect(),
        vault: vault
            .encryption
            .iter()
            .map(|(k, v)| (k.clone(), VaultKeys::encode_key(v)))
            .collect(),
        index: VaultKeys::encode_key(&vault.index),
    })
}

/// Fresh keys as environment lines, for `nuanxin keys`.
pub fn fresh_env_lines() -> anyhow::Result<String> {
    let f = fresh()?;
    let pairs = |v: &[(String, String)]| {
        v.iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    Ok(format!(
        "NUANXIN_JWT_KEYS={}\nNUANXIN_VAULT_KEYS={}\nNUANXIN_VAULT_INDEX_KEY={}\n",
        pairs(&f.jwt),
        pairs(&f.vault),
        f.index
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_file_is_private_and_a_shared_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("nuanxin-keys-{}", uuid::Uuid::new_v4()));
        let path = dir.join("keys.json");
        assert!(load_or_create_file(&path).is_ok());
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // Control: it loads again as it is.
        assert!(load_or_create_file(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load_or_create_file(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("chmod 600"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
