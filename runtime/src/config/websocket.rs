//! Validation of the `[websocket]` section.

use souk_gateway::config::WebSocketConfig;

use super::{ConfigError, invalid};

fn within(key: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(key, format!("must be between {min} and {max}")))
    }
}

pub(super) fn validate(ws: &WebSocketConfig) -> Result<(), ConfigError> {
    let size = |n: usize| n as u64;
    within(
        "websocket.max_connections",
        size(ws.max_connections),
        1,
        10_000_000,
    )?;
    within(
        "websocket.max_connections_per_user",
        size(ws.max_connections_per_user),
        1,
        10_000,
    )?;
    within(
        "websocket.max_subscriptions",
        size(ws.max_subscriptions),
        1,
        10_000,
    )?;
    within(
        "websocket.max_message_bytes",
        size(ws.max_message_bytes),
        256,
        1 << 20,
    )?;
    within("websocket.send_buffer", size(ws.send_buffer), 4, 65_536)?;
    let kernel = size(ws.kernel_send_buffer);
    if kernel != 0 && !(4_096..=16 << 20).contains(&kernel) {
        return Err(invalid(
            "websocket.kernel_send_buffer",
            "must be 0 (the kernel's autotuning) or between 4096 and 16777216",
        ));
    }
    within("websocket.heartbeat_secs", ws.heartbeat_secs, 1, 3_600)?;
    within(
        "websocket.idle_timeout_secs",
        ws.idle_timeout_secs,
        2,
        86_400,
    )?;
    if ws.idle_timeout_secs <= ws.heartbeat_secs {
        return Err(invalid(
            "websocket.idle_timeout_secs",
            "must be longer than websocket.heartbeat_secs",
        ));
    }
    within(
        "websocket.retention_events",
        size(ws.retention_events),
        0,
        100_000,
    )?;
    within("websocket.retention_secs", ws.retention_secs, 1, 86_400)?;
    within(
        "websocket.checkout_retention_secs",
        ws.checkout_retention_secs,
        1,
        86_400,
    )?;
    Ok(())
}
