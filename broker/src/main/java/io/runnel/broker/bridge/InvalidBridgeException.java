package io.runnel.broker.bridge;

import java.util.List;

/** A bridge definition that cannot be used; lists every problem and what to fix. */
public final class InvalidBridgeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public InvalidBridgeException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidBridgeException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
