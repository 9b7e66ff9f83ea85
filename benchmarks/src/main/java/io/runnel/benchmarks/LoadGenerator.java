package io.runnel.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.runnel.benchmarks.loadgen.LoadOptions;
import io.runnel.benchmarks.loadgen.LoadRun;
import io.runnel.benchmarks.loadgen.RunResult;
import java.io.IOException;
import java.util.Arrays;

/**
 * Command-line load generator for a Runnel broker: produces NDJSON batches over keep-alive HTTP/1.1
 * connections (Netty) and/or consumes with long polls, and reports throughput and HdrHistogram
 * latency percentiles. Run with {@code --help} for the options.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 nothing succeeded, 2 bad arguments. */
    public static int run(String... args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(LoadOptions.usage());
            return 0;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.println("Try 'loadgen --help'.");
            return 2;
        }
        RunResult result = new LoadRun(options, System.out).run();
        LoadRun.printTable(result, System.out);
        if (options.json() != null) {
            try {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.json().toFile(), result);
                System.out.println("results written to " + options.json());
            } catch (IOException e) {
                System.err.println("loadgen: cannot write " + options.json() + ": " + e.getMessage());
                return 1;
            }
        }
        return result.anySuccess() ? 0 : 1;
    }
}
