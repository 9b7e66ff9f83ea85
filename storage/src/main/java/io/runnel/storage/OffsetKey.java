package io.runnel.storage;

/** Identifies a consumer group's committed position in one partition. */
public record OffsetKey(String group, int topicId, int partition) {
}
