package io.llamastream.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The import graph between the packages of a source tree, read from each file's {@code package} and
 * {@code import} lines. An edge remembers one file that causes it, so a failure names where to look.
 */
public final class PackageGraph {
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(?:static\\s+)?([a-z][\\w]*(?:\\.[a-z][\\w]*)*)\\.[A-Z]", Pattern.MULTILINE);

    /** Package to the packages it imports, each with one file that imports it. */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();

    public static PackageGraph read(Path sourceRoot) {
        PackageGraph graph = new PackageGraph();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                graph.add(sourceRoot.relativize(file).toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    public void add(String file, String source) {
        Matcher pkg = PACKAGE.matcher(source);
        if (!pkg.find()) {
            return;
        }
        String from = pkg.group(1);
        Map<String, String> targets = edges.computeIfAbsent(from, k -> new TreeMap<>());
        Matcher imp = IMPORT.matcher(source);
        while (imp.find()) {
            String to = imp.group(1);
            if (!to.equals(from)) {
                targets.putIfAbsent(to, file);
            }
        }
    }

    public Set<String> packages() {
        return edges.keySet();
    }

    /** Every imported package whose name starts with {@code prefix}, as "importer -> imported (file)". */
    public List<String> importsStartingWith(String prefix) {
        List<String> found = new ArrayList<>();
        edges.forEach((from, targets) -> targets.forEach((to, file) -> {
            if (to.startsWith(prefix)) {
                found.add(from + " -> " + to + " (" + file + ")");
            }
        }));
        return found;
    }

    /**
     * The strongly connected components of more than one package among those starting with
     * {@code prefix} (Tarjan's algorithm), each printed as its edges with the files that cause them.
     */
    public List<String> cycles(String prefix) {
        Tarjan t = new Tarjan(prefix);
        for (String p : edges.keySet()) {
            if (p.startsWith(prefix) && !t.index.containsKey(p)) {
                t.visit(p);
            }
        }
        List<String> out = new ArrayList<>();
        for (Set<String> component : t.components) {
            StringBuilder sb = new StringBuilder("cycle:");
            for (String from : component) {
                edges.getOrDefault(from, Map.of()).forEach((to, file) -> {
                    if (component.contains(to)) {
                        sb.append("\n  ")
                                .append(from)
                                .append(" -> ")
                                .append(to)
                                .append(" (")
                                .append(file)
                                .append(')');
                    }
                });
            }
            out.add(sb.toString());
        }
        return out;
    }

    private final class Tarjan {
        final String prefix;
        final Map<String, Integer> index = new TreeMap<>();
        final Map<String, Integer> low = new TreeMap<>();
        final List<String> stack = new ArrayList<>();
        final List<Set<String>> components = new ArrayList<>();
        int next;

        Tarjan(String prefix) {
            this.prefix = prefix;
        }

        void visit(String v) {
            index.put(v, next);
            low.put(v, next);
            next++;
            stack.add(v);
            for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
                if (!w.startsWith(prefix)) {
                    continue;
                }
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (stack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.remove(stack.size() - 1);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    components.add(component);
                }
            }
        }
    }
}
