package io.runnel.broker.replication;

import java.util.Set;

/**
 * The ISR change a leader has proposed and not yet heard back about: at most one at a time. While an
 * {@link Expand} is in flight the high watermark already waits for the joining member too (Kafka's "maximal
 * ISR"), so nothing is acknowledged that the new member lacks.
 */
sealed interface IsrChange {
    /** Nothing proposed. */
    IsrChange NONE = new None();

    /** The ISR the proposal asks for. */
    Set<Integer> isr();

    record None() implements IsrChange {
        @Override
        public Set<Integer> isr() {
            return Set.of();
        }
    }

    /** Lagging members out. */
    record Shrink(Set<Integer> isr, Set<Integer> removed) implements IsrChange {
        public Shrink {
            isr = Set.copyOf(isr);
            removed = Set.copyOf(removed);
        }
    }

    /** A caught-up follower back in. */
    record Expand(Set<Integer> isr, int added) implements IsrChange {
        public Expand {
            isr = Set.copyOf(isr);
        }
    }
}
