//! Validation of the `[assistant]` section.

use souk_gateway::config::AssistantConfig;

use super::{ConfigError, invalid};

fn within(key: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(key, format!("must be between {min} and {max}")))
    }
}

pub(super) fn validate(a: &AssistantConfig) -> Result<(), ConfigError> {
    let size = |n: usize| n as u64;
    within(
        "assistant.max_conversations",
        size(a.max_conversations),
        1,
        10_000_000,
    )?;
    within("assistant.max_turns", size(a.max_turns), 1, 10_000)?;
    within(
        "assistant.conversation_ttl_secs",
        a.conversation_ttl_secs,
        1,
        7 * 86_400,
    )?;
    within(
        "assistant.max_message_chars",
        size(a.max_message_chars),
        1,
        10_000,
    )?;
    within("assistant.chat_results", size(a.chat_results), 1, 50)?;
    within("assistant.max_limit", size(a.max_limit), 1, 100)?;
    within(
        "assistant.default_limit",
        size(a.default_limit),
        1,
        size(a.max_limit),
    )?;
    if !(0.0..=1.0).contains(&a.min_similarity) {
        return Err(invalid(
            "assistant.min_similarity",
            "must be between 0 and 1",
        ));
    }
    Ok(())
}
