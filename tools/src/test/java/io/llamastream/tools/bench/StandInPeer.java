package io.llamastream.tools.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A peer process for {@link PeerPairsTest}: speaks {@link PeerPairs}'s protocol and answers every
 * {@code pp} with the rate in {@code args[0]} and every {@code tg} with {@code args[1]}; with the
 * single argument {@code exit}, it exits with code 3 before it is ready.
 */
public final class StandInPeer {
    private StandInPeer() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("exit")) {
            System.exit(3);
        }
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            String test = line.split(" ")[0];
            System.out.println(test + " " + (test.equals("pp") ? args[0] : args[1]));
        }
    }
}
