package io.runnel.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a {@link BrokerConfig} from its sources, in order of precedence: command-line flags
 * ({@code --name value} or {@code --name=value}), then {@code RUNNEL_*} environment variables,
 * then an optional properties file ({@code --config FILE} or {@code RUNNEL_CONFIG}), then the
 * defaults of {@link Option}.
 *
 * <p>Unknown flags and unknown keys in the file are errors (a typo must not silently fall back to a
 * default); unknown {@code RUNNEL_*} variables are ignored because Kubernetes injects its own
 * ({@code RUNNEL_PORT} for a Service named {@code runnel}).
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** True when the arguments ask for {@code --help} (or {@code -h}); nothing else is checked. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Loads and validates the settings.
     *
     * @param args command-line arguments
     * @param env  the environment ({@code System.getenv()})
     * @throws ConfigException naming every problem and the flag or variable that fixes it
     */
    public static BrokerConfig load(String[] args, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<Option, String> flags = parseArgs(args, problems);
        Map<Option, String> fromEnv = new EnumMap<>(Option.class);
        for (Option o : Option.values()) {
            String value = env.get(o.env());
            if (value != null) {
                fromEnv.put(o, value);
            }
        }
        String file = flags.getOrDefault(Option.CONFIG, fromEnv.getOrDefault(Option.CONFIG, "")).trim();
        Map<Option, String> fromFile = file.isEmpty() ? Map.of() : readFile(Path.of(file), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Map<Option, String> merged = new EnumMap<>(Option.class);
        merged.putAll(fromFile);
        merged.putAll(fromEnv);
        merged.putAll(flags);
        return BrokerConfig.of(merged);
    }

    private static Map<Option, String> parseArgs(String[] args, List<String> problems) {
        Map<Option, String> out = new EnumMap<>(Option.class);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                problems.add("unexpected argument '" + arg + "': options look like --name value or --name=value (see --help)");
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            Option option = Option.byKey(name).orElse(null);
            if (option == null) {
                problems.add("unknown option --" + name + " (see --help for the list)");
                if (eq < 0 && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    i++;
                }
                continue;
            }
            if (eq >= 0) {
                out.put(option, arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                // Always the next argument, even when it starts with '-': --retention-bytes -1.
                out.put(option, args[++i]);
            } else {
                problems.add(option.flag() + " needs a value");
            }
        }
        return out;
    }

    private static Map<Option, String> readFile(Path file, List<String> problems) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            problems.add("config file " + file + " (" + Option.CONFIG.names() + ") does not exist");
            return Map.of();
        } catch (IOException | IllegalArgumentException e) {
            problems.add("cannot read config file " + file + ": " + e.getMessage());
            return Map.of();
        }
        Map<Option, String> out = new EnumMap<>(Option.class);
        for (String key : props.stringPropertyNames()) {
            Option option = Option.byKey(key.trim()).orElse(null);
            if (option == null || option == Option.CONFIG) {
                problems.add("unknown key '" + key + "' in config file " + file
                        + " (keys are option names such as data-dir; see --help)");
            } else {
                out.put(option, props.getProperty(key));
            }
        }
        return out;
    }
}
