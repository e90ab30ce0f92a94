package io.llamastream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** One two-TaskManager cluster for the whole class (starting one costs 10-30 s here). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {

    private StandaloneCluster cluster;
    private final List<JavaProcess> started = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path work) {
        cluster = StandaloneCluster.builder(work).taskManagers(2).start();
        started.add(cluster.jobManager());
        cluster.taskManagers().forEach(tm -> started.add(tm.process()));
    }

    @AfterAll
    void everyProcessIsGoneAfterClose() {
        cluster.close();
        started.forEach(p -> assertFalse(p.isAlive(), p + " still alive after close()"));
    }

    @Test
    @Order(1)
    void theJobManagerAndEachTaskManagerAreProcessesOfTheirOwn() {
        assertEquals(
                List.of("tm-1", "tm-2"),
                cluster.rest().taskManagerIds().stream().sorted().toList());
        long self = ProcessHandle.current().pid();
        assertEquals(
                3,
                started.stream()
                        .mapToLong(JavaProcess::pid)
                        .filter(pid -> pid != self)
                        .distinct()
                        .count());
    }

    @Test
    @Order(2)
    void taskManagersRunWithTheChartsJvmOptionsAndFlinksMemoryFlags() throws Exception {
        String command = Files.readAllLines(
                        cluster.taskManagers().get(0).process().log())
                .get(0);
        assertTrue(command.contains("--add-modules jdk.incubator.vector"), command);
        assertTrue(command.contains("-XX:MaxMetaspaceSize=268435456"), command);
        assertTrue(command.contains("-cp " + FlinkDistribution.fromCheckout().classPath()), command);
        assertTrue(cluster.rest().get("/jobmanager/config").toString().contains("PrometheusReporterFactory"));
    }

    @Test
    @Order(3)
    void aKilledTaskManagerIsReplacedByANewProcess() {
        TaskManagerProcess victim = cluster.taskManagers().get(0);
        cluster.kill(victim);
        assertFalse(victim.process().isAlive());
        TaskManagerProcess replacement = cluster.startTaskManager();
        started.add(replacement.process());
        cluster.awaitRegistered(replacement);
        assertEquals("tm-3", replacement.resourceId());
        assertNotEquals(victim.pid(), replacement.pid());
    }
}
