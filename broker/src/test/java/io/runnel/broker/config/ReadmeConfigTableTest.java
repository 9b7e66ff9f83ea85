package io.runnel.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is {@link Option#markdownTable()}, so the two cannot drift. After changing an
 * option, {@code mvn test -pl broker -am -Dtest=ReadmeConfigTableTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drunnel.updateReadme=true} rewrites the table.
 */
class ReadmeConfigTableTest {
    private static final String START = "<!-- config-table:start -->\n";
    private static final String END = "<!-- config-table:end -->";

    @Test
    void readmeTableMatchesTheOptions() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertThat(start).as("README.md has the config-table markers").isNotNegative();
        assertThat(end).isGreaterThan(start);
        String table = text.substring(start + START.length(), end);
        if (Boolean.getBoolean("runnel.updateReadme")) {
            Files.writeString(readme, text.substring(0, start + START.length()) + Option.markdownTable() + text.substring(end));
            return;
        }
        assertThat(table)
                .as("README config table is stale; replace it between the markers with Option.markdownTable()")
                .isEqualTo(Option.markdownTable());
    }
}
