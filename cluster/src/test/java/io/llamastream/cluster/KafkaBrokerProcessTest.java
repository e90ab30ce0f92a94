package io.llamastream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

    @TempDir
    Path work;

    @Test
    void theBrokerServesOnLoopbackAndComesBackOnTheSamePortAfterARestart() {
        JavaProcess first;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work)) {
            int port = Integer.parseInt(broker.bootstrapServers()
                    .substring(broker.bootstrapServers().indexOf(':') + 1));
            assertTrue(LoopbackPorts.accepting(port));
            first = broker.process();
            broker.restart();
            assertFalse(first.isAlive());
            assertNotEquals(first.pid(), broker.process().pid());
            assertTrue(LoopbackPorts.accepting(port));
        }
    }

    @Test
    void clusterIdsAreKafkasTwentyTwoCharactersAndNeverStartWithADashTheStorageToolWouldTakeForAnOption() {
        // One id in 64 would start with '-' if drawn blindly; 5,000 draws catch that almost surely.
        for (int i = 0; i < 5_000; i++) {
            String id = KafkaBrokerProcess.clusterId();
            assertEquals(22, id.length(), id);
            assertFalse(id.startsWith("-"), id);
            assertTrue(id.matches("[A-Za-z0-9_-]+"), id);
        }
    }
}
