package io.llamastream.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden data in {@code testdata/} is exactly what its {@code SHA256SUMS} says was copied. */
class TestdataChecksumTest {

    @Test
    void everyFileMatchesItsRecordedChecksum() throws IOException {
        Path root = Fixtures.root();
        List<String> lines = Files.readAllLines(root.resolve("SHA256SUMS"));
        assertTrue(lines.size() > 50, "SHA256SUMS lists the copied fixtures");
        List<String> wrong = new ArrayList<>();
        for (String line : lines) {
            String expected = line.substring(0, 64);
            Path file = root.resolve(line.substring(64).trim().replaceFirst("^\\./", ""));
            if (!Files.isRegularFile(file) || !expected.equals(sha256(file))) {
                wrong.add(file.toString());
            }
        }
        assertEquals(List.of(), wrong, "files missing or changed in testdata/");
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
