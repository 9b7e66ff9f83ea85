package io.runnel.broker.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/runnel auth}: edits a credentials file ({@link Credentials}).
 * <pre>
 * auth add-key  FILE NAME [--allow GRANT]...   adds the principal (or a key to it); prints the key alone on the
 *                                              last line (it is not stored: copy it now)
 * auth add-user FILE NAME [--allow GRANT]...   sets the principal's password, read from the first line of stdin
 * auth list     FILE                           principals, grants and key ids; never a secret
 * auth remove   FILE NAME                      removes the principal
 * </pre>
 * A new principal needs at least one {@code --allow}; for an existing one, {@code --allow} adds grants. The file is
 * created if needed and replaced atomically, so brokers watching it never read half of it.
 */
public final class AuthTool {
    static final String USAGE = """
            usage:
              runnel auth add-key  FILE NAME --allow GRANT [--allow GRANT...]
              runnel auth add-user FILE NAME --allow GRANT [--allow GRANT...]   (password on stdin)
              runnel auth list     FILE
              runnel auth remove   FILE NAME
            grants: produce:<topic|prefix*>  consume:<topic|prefix*>  group:<group|prefix*>  admin  metrics
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final int iterations;

    AuthTool(PrintStream out, PrintStream err, InputStream in, int iterations) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.iterations = iterations;
    }

    public static void main(String[] args) {
        System.exit(new AuthTool(System.out, System.err, System.in, SecretHash.ITERATIONS).run(args));
    }

    /** Runs one command; returns the exit status (0 done, 2 usage or input error, 1 the file failed). */
    int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "add-key" -> addKey(args);
                case "add-user" -> addUser(args);
                case "list" -> list(args);
                case "remove" -> remove(args);
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (IOException e) {
            err.println("runnel auth: " + e.getMessage());
            return 1;
        }
    }

    private int addKey(String[] args) throws IOException {
        Edit edit = Edit.parse(args);
        Credentials creds = read(edit.file(), true);
        Credentials.Entry entry = entry(creds, edit);
        Credentials.IssuedKey key = Credentials.newKey(iterations);
        List<Credentials.Key> keys = new ArrayList<>(entry.keys());
        keys.add(key.key());
        creds.with(new Credentials.Entry(entry.name(), entry.grants(), keys, entry.passwordHash())).write(edit.file());
        out.println("added key " + key.key().id() + " to principal '" + entry.name() + "' (grants: "
                + grants(entry.grants()) + ") in " + edit.file());
        out.println("the key is shown only now; send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>':");
        out.println(key.text());
        return 0;
    }

    private int addUser(String[] args) throws IOException {
        Edit edit = Edit.parse(args);
        Credentials creds = read(edit.file(), true);
        Credentials.Entry entry = entry(creds, edit);
        String password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("give the password on the first line of standard input, e.g. "
                    + "printf '%s\\n' \"$PASSWORD\" | runnel auth add-user FILE NAME --allow ...");
        }
        if (password.length() < 8) {
            throw new IllegalArgumentException("the password must have at least 8 characters");
        }
        creds.with(new Credentials.Entry(entry.name(), entry.grants(), entry.keys(), SecretHash.hash(password, iterations)))
                .write(edit.file());
        out.println("set the password of principal '" + entry.name() + "' (grants: " + grants(entry.grants()) + ") in "
                + edit.file() + "; use it with HTTP Basic");
        return 0;
    }

    private int list(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("list takes the file only");
        }
        Credentials creds = read(Path.of(args[1]), false);
        for (Credentials.Entry e : creds.principals().values()) {
            List<String> ids = e.keys().stream().map(Credentials.Key::id).toList();
            out.println(e.name() + "  grants: " + grants(e.grants()) + "  keys: " + (ids.isEmpty() ? "none" : String.join(",", ids))
                    + "  password: " + (e.passwordHash() == null ? "no" : "yes"));
        }
        return 0;
    }

    private int remove(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("remove takes the file and the principal's name");
        }
        Path file = Path.of(args[1]);
        Credentials creds = read(file, false);
        if (creds.principal(args[2]).isEmpty()) {
            throw new IllegalArgumentException("no principal '" + args[2] + "' in " + file);
        }
        creds.without(args[2]).write(file);
        out.println("removed principal '" + args[2] + "' from " + file);
        return 0;
    }

    /** The principal to edit: the existing one with the new grants added, or a new one (which needs a grant). */
    private static Credentials.Entry entry(Credentials creds, Edit edit) {
        Credentials.Entry existing = creds.principal(edit.name()).orElse(null);
        if (existing == null && edit.grants().isEmpty()) {
            throw new IllegalArgumentException("a new principal needs at least one --allow GRANT");
        }
        Set<Grant> grants = new LinkedHashSet<>(existing == null ? List.of() : existing.grants());
        grants.addAll(edit.grants());
        return new Credentials.Entry(edit.name(), List.copyOf(grants), existing == null ? List.of() : existing.keys(),
                existing == null ? null : existing.passwordHash());
    }

    private static Credentials read(Path file, boolean createIfMissing) throws IOException {
        if (!Files.exists(file)) {
            if (createIfMissing) {
                return Credentials.empty();
            }
            throw new IOException("no credentials file " + file);
        }
        return Credentials.read(file);
    }

    private static String grants(List<Grant> grants) {
        return grants.isEmpty() ? "none" : String.join(" ", grants.stream().map(Grant::toString).toList());
    }

    private int usage(String problem) {
        err.println("runnel auth: " + problem);
        err.print(USAGE);
        return 2;
    }

    /** The arguments of add-key and add-user. */
    private record Edit(Path file, String name, List<Grant> grants) {
        static Edit parse(String[] args) {
            if (args.length < 3) {
                throw new IllegalArgumentException(args[0] + " needs FILE and NAME");
            }
            String name = args[2];
            if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
                throw new IllegalArgumentException("principal name '" + name + "' must be 1-128 characters of "
                        + "A-Z, a-z, 0-9, '.', '_', '@' and '-'");
            }
            List<Grant> grants = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--allow") && i + 1 < args.length) {
                    grants.add(Grant.parse(args[++i]));
                } else if (a.startsWith("--allow=")) {
                    grants.add(Grant.parse(a.substring("--allow=".length())));
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + a + "' (give grants as --allow GRANT)");
                }
            }
            return new Edit(Path.of(args[1]), name, grants);
        }
    }
}
