package io.portmesh.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell commands of one {@code bash} block of README.md, as a user would paste them: continued lines joined,
 * comments dropped, each command split into words the way the shell does for plain and quoted words.
 */
final class ReadmeCommands {
    private final List<List<String>> commands;

    private ReadmeCommands(List<List<String>> commands) {
        this.commands = commands;
    }

    /** The first {@code bash} block under the heading {@code heading} of the README.md above the working directory. */
    static ReadmeCommands section(String heading) throws IOException {
        List<String> lines = Files.readAllLines(readme());
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new AssertionError("README.md has no heading '" + heading + "'");
        }
        while (!lines.get(at).equals("```bash")) {
            at++;
        }
        List<List<String>> commands = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (at++; !lines.get(at).equals("```"); at++) {
            String line = lines.get(at).strip();
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            commands.add(words(pending.toString()));
            pending.setLength(0);
        }
        return new ReadmeCommands(commands);
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("datapath-agent"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }

    /** Commands whose first word is {@code program}, in order. */
    List<List<String>> of(String program) {
        return commands.stream().filter(c -> c.get(0).equals(program)).toList();
    }

    /** The words after {@code word} in the one command that contains it. */
    List<String> argumentsAfter(String word) {
        List<List<String>> matches =
                commands.stream().filter(c -> c.contains(word)).toList();
        if (matches.size() != 1) {
            throw new AssertionError("expected one command with " + word + ", found " + matches);
        }
        List<String> c = matches.get(0);
        return c.subList(c.indexOf(word) + 1, c.size());
    }

    /** Splits on blanks outside quotes; quotes group and are removed (no escapes, no expansion). */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char ch : line.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    word.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(ch);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }
}
