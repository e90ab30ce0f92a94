package io.llamastream.kafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away TLS setup made with the JDK's {@code keytool}: a test certificate authority, a
 * broker keystore holding a key and a certificate the CA signed for {@code localhost} and
 * {@code 127.0.0.1}, and a truststore holding only the CA certificate, all PKCS12 with one password.
 * Nothing here is fit for anything but a test on loopback.
 */
public record TestCertificates(Path brokerKeystore, Path truststore, String password) {

    /** Creates the CA, keystore and truststore in {@code dir} (valid for two days). */
    public static TestCertificates create(Path dir) {
        String password = "test-store-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=llamastream test CA",
                "-ext",
                "bc:c",
                "-keystore",
                ca,
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-file", caPem);
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-keystore",
                broker,
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password);
        keytool("-certreq", "-alias", "broker", "-keystore", broker, "-storepass", password, "-file", csr);
        keytool(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca,
                "-storepass",
                password,
                "-infile",
                csr,
                "-outfile",
                signed,
                "-validity",
                "2",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1");
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caPem,
                "-keystore",
                broker,
                "-storepass",
                password);
        keytool("-importcert", "-alias", "broker", "-file", signed, "-keystore", broker, "-storepass", password);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caPem,
                "-keystore",
                trust,
                "-storetype",
                "PKCS12",
                "-storepass",
                password);
        return new TestCertificates(broker, trust, password);
    }

    private static void keytool(Object... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object a : args) {
            command.add(a.toString());
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
