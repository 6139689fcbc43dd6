//! `devstack --config <devstack.toml> --seed <seed.json> --data-dir <dir> [--credential-lifetime SECONDS]`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match devstack::cli::parse(std::env::args().skip(1)) {
        Ok(devstack::cli::Command::Run(args)) => args,
        Ok(devstack::cli::Command::Help) => {
            println!("{}", devstack::cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("devstack: {e}\n{}", devstack::cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("devstack: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(devstack::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("devstack: {e}");
            ExitCode::FAILURE
        }
    }
}
