package io.runnel.broker.common;

/**
 * The topic name rule (Kafka's): 1–249 characters of {@code [a-zA-Z0-9._-]}, not {@code .} or
 * {@code ..}; names starting with {@code __} are internal.
 */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code topic} is internal (names starting with {@code __} are reserved for the brokers). */
    public static boolean isInternal(String topic) {
        return topic != null && topic.startsWith("__");
    }

    /** What is wrong with {@code name}, for an error message. */
    public static String problem(String name) {
        return "topic name '" + name + "' is invalid: use 1 to " + MAX_LENGTH
                + " characters of a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'";
    }
}
