//! `redflag serve`: loads the model once, then answers pre-publish checks over HTTP until SIGTERM or
//! Ctrl-C (see [`crate::serve`] for the routes).

use super::{ModelArgs, Outcome};
use crate::error::{Error, Result};
use crate::serve::{router, run as serve, Options};
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

/// Arguments of `redflag serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free one. The address is printed on start.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    model: ModelArgs,
    /// Largest request body accepted, in bytes; larger ones are answered 413.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Longest time to read and answer one request, in milliseconds; slower ones are answered 408.
    /// A shutdown waits this long at most for the requests in flight.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    timeout_ms: u64,
    /// Signing secret of Coral Talk's external moderation phase; turns on POST /v1/coral. Repeat (or
    /// separate with commas) to accept a rotated secret too. Prefer the environment variable: a
    /// command line is visible to every user of the machine.
    #[arg(
        long = "coral-secret",
        value_name = "SECRET",
        env = "REDFLAG_CORAL_SECRET",
        value_delimiter = ',',
        hide_env_values = true
    )]
    coral_secrets: Vec<String>,
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight and exits 0.
pub fn run(args: ServeArgs) -> Result<Outcome> {
    let options = Options {
        max_body_bytes: args.max_body_bytes,
        timeout: Duration::from_millis(args.timeout_ms),
        coral_secrets: args.coral_secrets,
    }
    .check()?;
    let model = Arc::new(args.model.load()?);
    let addr = args.listen.to_string();
    let failed = |source| Error::Serve {
        addr: addr.clone(),
        source,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(failed)?;
    runtime.block_on(async {
        // Installed before the address is announced, so that a SIGTERM sent as soon as the server
        // is up is a graceful shutdown, never the default kill.
        let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
        let listener = TcpListener::bind(args.listen).await.map_err(failed)?;
        let local = listener.local_addr().map_err(failed)?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "redflag: listening on http://{local}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
        let shutdown = async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        };
        let app = router(model, &options);
        serve(listener, app, shutdown, options.get().timeout).await;
        Ok(Outcome::Clean)
    })
}
