package io.runnel.broker.config;

import java.util.List;

/** The broker's settings are invalid; the message lists every problem and how to fix it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
