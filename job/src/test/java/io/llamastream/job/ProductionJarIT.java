package io.llamastream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production job jar ({@code llamastream-job-*-production.jar}, what the image ships) as built by
 * {@code package}: what it must carry, what it must leave to Flink's {@code lib/}, and that every class
 * the job brings links against the jar plus that {@code lib/} alone, the class path a TaskManager gives it.
 */
class ProductionJarIT {

    private static Path jar;
    private static Set<String> entries;

    @BeforeAll
    static void open() throws IOException {
        jar = Path.of(System.getProperty("production.jar"));
        assertTrue(Files.isRegularFile(jar), "not built: " + jar);
        entries = new TreeSet<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            f.stream().map(JarEntry::getName).forEach(entries::add);
        }
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
    void itCarriesTheJobEngineOperatorsKafkaConfigAndTheKafkaConnector() {
        for (String cls : List.of(
                "io/llamastream/job/LlamastreamJob.class",
                "io/llamastream/job/JobTopology.class",
                "io/llamastream/operators/InferenceOperator.class",
                "io/llamastream/kafka/KafkaClientSettings.class",
                "io/llamastream/engine/tokenizer/Tokenizer.class",
                "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class",
                "picocli/CommandLine.class")) {
            assertTrue(entries.contains(cls), "missing " + cls);
        }
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
    void everyClassOfTheJobLinksAgainstTheJarAndFlinksLibAlone() throws Exception {
        FlinkDistribution flink = FlinkDistribution.fromCheckout();
        URL[] lib;
        try (Stream<Path> jars = Files.list(flink.lib())) {
            lib = jars.filter(p -> p.toString().endsWith(".jar"))
                    .map(ProductionJarIT::url)
                    .toArray(URL[]::new);
        }
        List<String> unresolved = new ArrayList<>();
        try (URLClassLoader flinkLib = new URLClassLoader(lib, ClassLoader.getPlatformClassLoader());
                URLClassLoader userCode = new URLClassLoader(new URL[] {url(jar)}, flinkLib);
                JarFile f = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> all = f.entries();
            int checked = 0;
            while (all.hasMoreElements()) {
                JarEntry e = all.nextElement();
                String name = e.getName();
                if (!name.endsWith(".class")
                        || !(name.startsWith("io/llamastream/")
                                || name.startsWith("org/apache/flink/connector/kafka/source/")
                                || name.startsWith("org/apache/flink/connector/kafka/sink/"))) {
                    continue;
                }
                checked++;
                try (InputStream in = f.getInputStream(e)) {
                    for (String ref : classReferences(in.readAllBytes())) {
                        if (userCode.getResource(ref + ".class") == null && !isJdk(ref)) {
                            unresolved.add(name + " -> " + ref);
                        }
                    }
                }
            }
            assertTrue(checked > 300, "only " + checked + " classes checked");
            Class<?> main = Class.forName(LlamastreamJob.class.getName(), false, userCode);
            assertEquals(userCode, main.getClassLoader());
            main.getMethod("main", String[].class);
        }
        assertEquals(List.of(), unresolved.stream().distinct().limit(30).toList());
    }

    @Test
    void theDockerfileShipsTheProductionJarWhereTheChartLooksForIt() throws IOException {
        Path root = Checkout.root();
        String dockerfile = Files.readString(root.resolve("Dockerfile"));
        Matcher arg = Pattern.compile("ARG JOB_JAR=(\\S+)").matcher(dockerfile);
        assertTrue(arg.find(), "no ARG JOB_JAR in the Dockerfile");
        assertEquals(root.relativize(jar).toString(), arg.group(1));
        Matcher copy = Pattern.compile("COPY .*\\$\\{JOB_JAR} (\\S+)").matcher(dockerfile);
        assertTrue(copy.find(), "the Dockerfile does not COPY ${JOB_JAR}");
        String values = Files.readString(root.resolve("helm/llamastream/values.yaml"));
        assertTrue(
                values.contains("jarURI: local://" + copy.group(1)),
                "the chart's job.jarURI is not local://" + copy.group(1));
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
