package io.llamastream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.cluster.Checkout;
import io.llamastream.cluster.FlinkDistribution;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two jars the image ships, as built by {@code package}: the production job jar
 * ({@code llamastream-job-*-production.jar}, in {@code usrlib/}, loaded child-first per job) and the
 * engine jar ({@code llamastream-job-*-engine.jar}, in Flink's {@code lib/}, loaded once per process).
 * What each must carry, what they leave to Flink, that they share no class, and that every class links
 * against the class path a TaskManager gives it: Flink's {@code lib/} plus the engine jar, and the job
 * jar on top.
 */
class ProductionJarIT {

    private static Path jar;
    private static Set<String> entries;
    private static Path engineJar;
    private static Set<String> engineEntries;

    @BeforeAll
    static void open() throws IOException {
        jar = Path.of(System.getProperty("production.jar"));
        entries = entries(jar);
        engineJar = Path.of(System.getProperty("engine.jar"));
        engineEntries = entries(engineJar);
    }

    private static Set<String> entries(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), "not built: " + file);
        Set<String> names = new TreeSet<>();
        try (JarFile f = new JarFile(file.toFile())) {
            f.stream().map(JarEntry::getName).forEach(names::add);
        }
        return names;
    }

    @Test
    void itsMainClassIsTheJob() throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            assertEquals(
                    LlamastreamJob.class.getName(),
                    f.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void itCarriesTheJobOperatorsKafkaConfigAndTheKafkaConnector() {
        for (String cls : List.of(
                "io/llamastream/job/LlamastreamJob.class",
                "io/llamastream/job/JobTopology.class",
                "io/llamastream/operators/InferenceOperator.class",
                "io/llamastream/kafka/KafkaClientSettings.class",
                "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class",
                "picocli/CommandLine.class")) {
            assertTrue(entries.contains(cls), "missing " + cls);
        }
    }

    @Test
    void theEngineJarCarriesTheEngineAndItsLibrariesWithItsOwnJacksonAndNothingOfTheJob() {
        for (String cls : List.of(
                "io/llamastream/engine/model/ModelRegistry.class",
                "io/llamastream/engine/tokenizer/Tokenizer.class",
                "io/llamastream/engine/lib/jackson/databind/ObjectMapper.class",
                "com/hubspot/jinjava/Jinjava.class",
                "com/twelvemonkeys/imageio/plugins/webp/WebPImageReader.class",
                "org/jcodec/api/FrameGrab.class")) {
            assertTrue(engineEntries.contains(cls), "missing " + cls);
        }
        // Jackson stays relocated: from lib/ unrelocated, its static type caches would pin the jobs' classes.
        List<String> foreign = engineEntries.stream()
                .filter(e -> e.endsWith(".class")
                        && (e.startsWith("com/fasterxml/")
                                || e.startsWith("io/llamastream/") && !e.startsWith("io/llamastream/engine/")))
                .limit(20)
                .toList();
        assertEquals(List.of(), foreign);
    }

    @Test
    void theTwoJarsShareNoClassSoEachHasOneDefiningLoader() {
        List<String> both = entries.stream()
                .filter(e -> e.endsWith(".class") && !e.startsWith("META-INF/"))
                .filter(engineEntries::contains)
                .limit(20)
                .toList();
        assertEquals(List.of(), both);
    }

    @Test
    void itCarriesNoFlinkRuntimeNoTestOrDemoCodeNoBrokerNoScalaNoLoggingBackend() {
        List<String> forbidden = List.of(
                "org/apache/flink/runtime/",
                "org/apache/flink/streaming/api/environment/",
                "org/apache/flink/api/common/",
                "org/apache/flink/configuration/",
                "org/apache/flink/client/",
                "org/apache/flink/connector/base/",
                "org/junit/",
                "junit/",
                "org/opentest4j/",
                "kafka/Kafka.class",
                "kafka/server/",
                "kafka/log/",
                "org/apache/kafka/raft/",
                "org/apache/kafka/metadata/",
                "org/apache/kafka/controller/",
                "org/apache/kafka/common/test/",
                "org/apache/kafka/storage/internals/",
                "scala/",
                "org/apache/logging/log4j/core/",
                "org/slf4j/",
                "ch/qos/logback/",
                "io/llamastream/kafka/testkit/",
                "io/llamastream/demo/",
                "io/llamastream/cluster/");
        List<String> found = entries.stream()
                .filter(e -> forbidden.stream().anyMatch(e::startsWith))
                .limit(20)
                .toList();
        assertEquals(List.of(), found);
    }

    @Test
    void everyClassOfTheJobLinksAgainstTheJarTheEngineJarAndFlinksLibAlone() throws Exception {
        List<URL> lib = flinkLib();
        lib.add(url(engineJar));
        try (URLClassLoader taskManager =
                        new URLClassLoader(lib.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
                URLClassLoader userCode = new URLClassLoader(new URL[] {url(jar)}, taskManager)) {
            List<String> unresolved = unresolved(
                    jar,
                    userCode,
                    name -> name.startsWith("io/llamastream/")
                            || name.startsWith("org/apache/flink/connector/kafka/source/")
                            || name.startsWith("org/apache/flink/connector/kafka/sink/"),
                    200);
            assertEquals(List.of(), unresolved);
            Class<?> main = Class.forName(LlamastreamJob.class.getName(), false, userCode);
            assertEquals(userCode, main.getClassLoader());
            main.getMethod("main", String[].class);
            Class<?> registry = Class.forName("io.llamastream.engine.model.ModelRegistry", false, userCode);
            assertEquals(taskManager, registry.getClassLoader(), "the engine must come from lib/, once per process");
        }
    }

    @Test
    void everyClassOfTheEngineLinksAgainstTheEngineJarAndFlinksLibAlone() throws Exception {
        List<URL> lib = flinkLib();
        lib.add(url(engineJar));
        try (URLClassLoader taskManager =
                new URLClassLoader(lib.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            List<String> unresolved = unresolved(
                    engineJar,
                    taskManager,
                    name -> name.startsWith("io/llamastream/") || name.startsWith("com/hubspot/jinjava/"),
                    300);
            // Jinjava's @Value.Immutable annotations: compile-time only, left out on purpose by the engine's pom.
            assertEquals(
                    List.of(),
                    unresolved.stream()
                            .filter(r -> !r.contains(" -> org/immutables/value/"))
                            .toList());
        }
    }

    @Test
    void theEngineJarsRelocatedLibrariesRenderTheLlama3ChatTemplateAsItsGoldenSays() throws Exception {
        Path dir = Checkout.root().resolve("testdata").resolve("llama3").resolve("llama3-tiny");
        JsonNode golden = new ObjectMapper()
                .readTree(dir.resolve("golden.json").toFile())
                .get("chat_cases")
                .get(0);
        List<URL> lib = flinkLib();
        lib.add(url(engineJar));
        try (URLClassLoader taskManager =
                new URLClassLoader(lib.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> tokenizer = Class.forName("io.llamastream.engine.tokenizer.Tokenizer", true, taskManager);
            Class<?> template = Class.forName("io.llamastream.engine.tokenizer.ChatTemplate", true, taskManager);
            Class<?> message = Class.forName("io.llamastream.engine.tokenizer.ChatMessage", true, taskManager);
            Object tok =
                    tokenizer.getMethod("fromTokenizerJson", Path.class).invoke(null, dir.resolve("tokenizer.json"));
            Object chat = ((Optional<?>) template.getMethod("forModel", Path.class, tokenizer)
                            .invoke(null, dir, tok))
                    .orElseThrow();
            chat = template.getMethod("withDate", String.class)
                    .invoke(chat, golden.get("date_string").asText());
            List<Object> messages = new ArrayList<>();
            for (JsonNode m : golden.get("messages")) {
                messages.add(message.getConstructor(String.class, String.class)
                        .newInstance(m.get("role").asText(), m.get("content").asText()));
            }
            assertEquals(
                    golden.get("text").asText(),
                    template.getMethod("render", List.class, boolean.class).invoke(chat, messages, true));
        }
    }

    /** Flink's distribution jars, what {@code /opt/flink/lib} holds in the official image. */
    private static List<URL> flinkLib() throws IOException {
        try (Stream<Path> jars = Files.list(FlinkDistribution.fromCheckout().lib())) {
            return jars.filter(p -> p.toString().endsWith(".jar"))
                    .map(ProductionJarIT::url)
                    .collect(Collectors.toCollection(ArrayList::new));
        }
    }

    /**
     * The references of {@code file}'s classes selected by {@code checked} that {@code loader} cannot
     * find; at least {@code atLeast} classes must be checked, so an empty selection cannot pass.
     */
    private static List<String> unresolved(Path file, ClassLoader loader, Predicate<String> checked, int atLeast)
            throws IOException {
        List<String> unresolved = new ArrayList<>();
        int count = 0;
        try (JarFile f = new JarFile(file.toFile())) {
            Enumeration<JarEntry> all = f.entries();
            while (all.hasMoreElements()) {
                JarEntry e = all.nextElement();
                String name = e.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || !checked.test(name)) {
                    continue;
                }
                count++;
                try (InputStream in = f.getInputStream(e)) {
                    for (String ref : classReferences(in.readAllBytes())) {
                        if (loader.getResource(ref + ".class") == null && !isJdk(ref)) {
                            unresolved.add(name + " -> " + ref);
                        }
                    }
                }
            }
        }
        assertTrue(count >= atLeast, "only " + count + " classes checked in " + file);
        return unresolved.stream().distinct().limit(30).toList();
    }

    @Test
    void theDockerfilePutsTheEngineJarInFlinksLib() throws IOException {
        String destination = dockerfileCopy("ENGINE_JAR", engineJar);
        assertTrue(destination.startsWith("/opt/flink/lib/"), "the engine jar goes to " + destination);
    }

    @Test
    void theDockerfileShipsTheProductionJarWhereTheChartLooksForIt() throws IOException {
        String destination = dockerfileCopy("JOB_JAR", jar);
        String values = Files.readString(Checkout.root().resolve("helm/llamastream/values.yaml"));
        assertTrue(
                values.contains("jarURI: local://" + destination),
                "the chart's job.jarURI is not local://" + destination);
    }

    /** Where the Dockerfile copies the jar its build argument {@code arg} names, checked to default to {@code built}. */
    private static String dockerfileCopy(String arg, Path built) throws IOException {
        Path root = Checkout.root();
        String dockerfile = Files.readString(root.resolve("Dockerfile"));
        Matcher declared = Pattern.compile("ARG " + arg + "=(\\S+)").matcher(dockerfile);
        assertTrue(declared.find(), "no ARG " + arg + " in the Dockerfile");
        assertEquals(root.relativize(built).toString(), declared.group(1));
        Matcher copy = Pattern.compile("COPY .*\\$\\{" + arg + "} (\\S+)").matcher(dockerfile);
        assertTrue(copy.find(), "the Dockerfile does not COPY ${" + arg + "}");
        return copy.group(1);
    }

    /** Internal names of the classes a class file's constant pool refers to (array element types included). */
    private static Set<String> classReferences(byte[] classFile) {
        ClassReader r = new ClassReader(classFile);
        char[] buf = new char[r.getMaxStringLength()];
        Set<String> refs = new TreeSet<>();
        for (int i = 1; i < r.getItemCount(); i++) {
            int offset = r.getItem(i);
            if (offset > 0 && classFile[offset - 1] == 7) { // CONSTANT_Class
                String name = r.readUTF8(offset, buf);
                int dims = 0;
                while (name.charAt(dims) == '[') {
                    dims++;
                }
                if (dims > 0) {
                    if (name.charAt(dims) != 'L') {
                        continue; // array of a primitive
                    }
                    name = name.substring(dims + 1, name.length() - 1);
                }
                refs.add(name);
            }
        }
        return refs;
    }

    private static boolean isJdk(String internalName) {
        return ClassLoader.getPlatformClassLoader().getResource(internalName + ".class") != null;
    }

    private static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
