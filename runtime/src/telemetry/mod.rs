//! Logs (tracing) and the Prometheus metrics recorder.

mod known;
mod messages;

pub use known::register;

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Starts logging; `RUST_LOG` overrides the configured level. Colours only
/// on a terminal (and not with `NO_COLOR`), so logs piped to a file or a
/// journal carry no escape codes. Calling it twice keeps the first subscriber.
pub fn init_logs(config: &LogConfig) {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = match config.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Buckets of the `_seconds` histograms not listed in [`BUCKETS`].
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Buckets chosen for each latency: where its values fall, with room above.
const BUCKETS: &[(&str, &[f64])] = &[
    // A cached read is well under a millisecond; an argon2 login ~50 ms.
    (
        "souk_http_request_duration_seconds",
        &[
            0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0,
        ],
    ),
    // One fsync'd group commit: about a millisecond; seconds mean a sick disk.
    (
        "souk_store_commit_seconds",
        &[
            0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
        ],
    ),
    // Waiting in a checkout lane: nothing at all, or minutes in a flash sale.
    (
        "souk_checkout_wait_seconds",
        &[
            0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
        ],
    ),
    // A change reaching a WebSocket subscriber: milliseconds.
    (
        "souk_ws_fanout_seconds",
        &[
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
        ],
    ),
    // Stripe's event to the order paid: its delivery takes a second or more.
    (
        "souk_payment_webhook_to_paid_seconds",
        &[
            0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0,
        ],
    ),
    // One query embeds in ~10 ms; a batch of products takes up to seconds.
    (
        "souk_embedding_seconds",
        &[
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ],
    ),
];
const BATCH_BUCKETS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];

/// The process-wide metrics recorder (metrics are global by design); installed
/// once, shared by every app in the process.
pub fn metrics() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let mut builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Suffix("_batch_size".into()), BATCH_BUCKETS)
                });
            for (name, buckets) in BUCKETS {
                builder = builder.and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full((*name).to_owned()), buckets)
                });
            }
            match builder.and_then(|b| b.install_recorder()) {
                Ok(handle) => {
                    let upkeep = handle.clone();
                    std::thread::Builder::new()
                        .name("souk-metrics-upkeep".into())
                        .spawn(move || upkeep_loop(&upkeep))
                        .ok();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .clone()
}

/// Reads the process's CPU, memory, threads and open files once a second,
/// and lets the recorder drain its histograms every five.
fn upkeep_loop(handle: &PrometheusHandle) {
    let process = metrics_process::Collector::default();
    process.describe();
    for tick in 0u64.. {
        process.collect();
        if tick % 5 == 4 {
            handle.run_upkeep();
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
