package io.runnel.storage;

/**
 * A topic known to the store.
 *
 * @param name   the topic's name (1–249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..})
 * @param id     the store's compact id for the topic, used in keys
 * @param config retention settings
 */
public record TopicInfo(String name, int id, TopicConfig config) {
}
