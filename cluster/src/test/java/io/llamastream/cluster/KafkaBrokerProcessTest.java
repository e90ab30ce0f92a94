package io.llamastream.cluster;

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
}
