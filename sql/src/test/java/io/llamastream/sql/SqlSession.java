package io.llamastream.sql;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * A table environment on the test's MiniCluster (the one {@code MiniClusterExtension} installs):
 * runs DDL, and runs a bounded query to its end, collecting its rows by their {@code id} column.
 */
record SqlSession(StreamTableEnvironment tEnv) {

    /** The MiniCluster a SQL test registers: one TaskManager with {@code slots} slots. */
    static MiniClusterExtension testCluster(int slots) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
    }

    static SqlSession onTestCluster(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return new SqlSession(StreamTableEnvironment.create(env));
    }

    void run(String statement) {
        tEnv.executeSql(statement);
    }

    Map<String, Row> rowsById(String query) throws Exception {
        Map<String, Row> rows = new HashMap<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
            it.forEachRemaining(r -> rows.put((String) r.getField("id"), r));
        }
        return rows;
    }
}
