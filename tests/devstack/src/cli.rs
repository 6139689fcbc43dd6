//! Command line: `devstack --config FILE --seed FILE --data-dir DIR [--credential-lifetime SECONDS]`.
//!
//! Four flags do not justify a CLI framework; this parser takes `--flag value`
//! and `--flag=value`, and reports what is wrong in one sentence.

use std::path::PathBuf;

pub const USAGE: &str =
    "usage: devstack --config <devstack.toml> --seed <seed.json> --data-dir <dir> \
[--credential-lifetime SECONDS]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub config: PathBuf,
    pub seed: PathBuf,
    pub data_dir: PathBuf,
    /// Overrides `credential_lifetime` of devstack.toml (tests shorten it).
    pub credential_lifetime: Option<u64>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Args),
    Help,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut config = None;
    let mut seed = None;
    let mut data_dir = None;
    let mut lifetime = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let slot = match flag.as_str() {
            "--config" => &mut config,
            "--seed" => &mut seed,
            "--data-dir" => &mut data_dir,
            "--credential-lifetime" => &mut lifetime,
            _ => return Err(format!("unknown argument {arg:?}")),
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        if slot.replace(value).is_some() {
            return Err(format!("{flag} given twice"));
        }
    }
    let credential_lifetime = match lifetime {
        None => None,
        Some(s) => Some(s.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            format!("--credential-lifetime wants a positive number of seconds, not {s:?}")
        })?),
    };
    Ok(Command::Run(Args {
        config: config.ok_or("--config is required")?.into(),
        seed: seed.ok_or("--seed is required")?.into(),
        data_dir: data_dir.ok_or("--data-dir is required")?.into(),
        credential_lifetime,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_both_flag_forms() {
        let cmd = parse(strings(&[
            "--config",
            "a.toml",
            "--seed=s.json",
            "--data-dir",
            "d",
            "--credential-lifetime=5",
        ]));
        assert_eq!(
            cmd,
            Ok(Command::Run(Args {
                config: "a.toml".into(),
                seed: "s.json".into(),
                data_dir: "d".into(),
                credential_lifetime: Some(5),
            }))
        );
    }

    #[test]
    fn refuses_missing_unknown_and_bad_values() {
        assert!(parse(strings(&["--config", "a"]))
            .unwrap_err()
            .contains("--seed"));
        assert!(parse(strings(&["--port", "1"]))
            .unwrap_err()
            .contains("unknown"));
        assert!(parse(strings(&["--config"]))
            .unwrap_err()
            .contains("needs a value"));
        let bad = strings(&[
            "--config",
            "a",
            "--seed",
            "s",
            "--data-dir",
            "d",
            "--credential-lifetime",
            "soon",
        ]);
        assert!(parse(bad).unwrap_err().contains("positive"));
        assert_eq!(parse(strings(&["--help"])), Ok(Command::Help));
    }
}
