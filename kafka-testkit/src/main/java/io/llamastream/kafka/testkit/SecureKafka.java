package io.llamastream.kafka.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft broker in this JVM whose client listener speaks SASL_SSL with
 * SCRAM-SHA-512 only, on loopback, for tests of the job's Kafka security settings. The TLS material
 * comes from {@link TestCertificates}; one SCRAM user is written into the cluster's metadata when
 * its storage is formatted (as {@code kafka-storage format --add-scram} does). The broker talks to
 * its own controller over a separate plaintext listener that clients are never given.
 */
public final class SecureKafka implements AutoCloseable {
    public static final String MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final TestCertificates certificates;
    private final String user;
    private final String password;
    private final int clientPort;
    private KafkaRaftServer server;

    private SecureKafka(Path dir, TestCertificates certificates, String user, String password, int clientPort) {
        this.dir = dir;
        this.certificates = certificates;
        this.user = user;
        this.password = password;
        this.clientPort = clientPort;
    }

    /** Makes the certificates and the data directory under {@code dir}, formats, and starts the broker. */
    public static SecureKafka start(Path dir, String user, String password) {
        try {
            Files.createDirectories(dir);
            SecureKafka kafka = new SecureKafka(dir, TestCertificates.create(dir), user, password, freePort());
            kafka.startServer();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() throws IOException {
        Properties props = new Properties();
        props.putAll(EmbeddedKafka.singleNodeDefaults());
        int controllerPort = freePort();
        int internalPort = freePort();
        props.putAll(Map.of(
                "process.roles", "broker,controller",
                "node.id", "1",
                "controller.quorum.voters", "1@localhost:" + controllerPort,
                "listeners",
                        "SECURE://localhost:" + clientPort + ",INTERNAL://localhost:" + internalPort
                                + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners", "SECURE://localhost:" + clientPort + ",INTERNAL://localhost:" + internalPort,
                "listener.security.protocol.map", "SECURE:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "INTERNAL",
                "controller.listener.names", "CONTROLLER",
                "log.dirs", dir.resolve("data").toString()));
        props.put("sasl.enabled.mechanisms", MECHANISM);
        props.put(
                "listener.name.secure.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("listener.name.secure.ssl.keystore.type", "PKCS12");
        props.put(
                "listener.name.secure.ssl.keystore.location",
                certificates.brokerKeystore().toString());
        props.put("listener.name.secure.ssl.keystore.password", certificates.password());
        props.put("listener.name.secure.ssl.key.password", certificates.password());
        Path config = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "SecureKafka");
        }
        format(config);
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
    }

    /** {@code kafka-storage format}, with the SCRAM user added to the bootstrap metadata. */
    private void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(
                    new String[] {
                        "format",
                        "--cluster-id",
                        Uuid.randomUuid().toString(),
                        "--config",
                        config.toString(),
                        "--add-scram",
                        MECHANISM + "=[name=" + user + ",password=" + password + "]"
                    },
                    print);
        }
        if (code != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + code + "): " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** {@code localhost:port} of the SASL_SSL listener. */
    public String bootstrapServers() {
        return "localhost:" + clientPort;
    }

    /** The SCRAM user's password, as written into the cluster's metadata. */
    public String password() {
        return password;
    }

    /**
     * A client {@code client.properties} for this broker: SASL_SSL, SCRAM-SHA-512 with the given
     * credentials, and the test CA as truststore.
     */
    public Properties clientProperties(String user, String password) {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", MECHANISM);
        p.setProperty(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", certificates.truststore().toString());
        p.setProperty("ssl.truststore.password", certificates.password());
        return p;
    }

    @Override
    public void close() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }
}
