package io.runnel.broker.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning the broker processes of one test ({@code @RegisterExtension}).
 *
 * <p>Each test gets a fresh directory for data and logs. After the test every broker still running
 * is killed, so no JVM outlives its test. When the test failed, the end of every broker's log is
 * printed and the directory is kept (its path is printed) so that the data of a crash test can be
 * examined; otherwise the directory is deleted (kept with {@code -Drunnel.keepLogs=true}).
 */
public final class BrokerProcesses implements BeforeEachCallback, AfterEachCallback {
    private final List<BrokerProcess> brokers = new ArrayList<>();
    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("runnel-" + context.getRequiredTestClass().getSimpleName() + "-");
    }

    /** A builder for a broker of this test; its data and logs go under {@link #dir()}. */
    public BrokerProcess.Builder broker(String name) {
        if (dir == null) {
            throw new IllegalStateException("use BrokerProcesses from a test method (it is a per-test extension)");
        }
        return BrokerProcess.builder(name, dir).onBuild(brokers::add);
    }

    /** This test's directory. */
    public Path dir() {
        return dir;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent();
        for (BrokerProcess b : brokers) {
            try {
                b.close();
            } catch (RuntimeException | AssertionError e) {
                System.err.println("could not kill " + b + ": " + e);
                failed = true;
            }
        }
        if (failed) {
            for (BrokerProcess b : brokers) {
                System.err.println(b.logTail());
            }
            System.err.println("kept the data and logs of " + context.getDisplayName() + " in " + dir);
        } else if (Boolean.getBoolean("runnel.keepLogs")) {
            System.out.println("kept the data and logs of " + context.getDisplayName() + " in " + dir + " (-Drunnel.keepLogs)");
        } else {
            deleteTree(dir);
        }
        brokers.clear();
        dir = null;
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
