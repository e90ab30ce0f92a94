package io.llamastream.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The calls of Flink's REST API that submitting and watching a job needs: upload a jar and run it
 * (what {@code flink run} and the web UI's "Submit New Job" do), job state, restarts, exceptions,
 * cancel, and the registered TaskManagers with their metrics.
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Whether the REST API answers. */
    public boolean isUp() {
        try {
            get("/config");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public JsonNode get(String path) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET(),
                path);
    }

    /** {@code POST /jars/upload} (multipart, field {@code jarfile}); returns the jar's id on the cluster. */
    public String uploadJar(Path jar) {
        String boundary = "----llamastream" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                            + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        JsonNode r = send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                "/jars/upload");
        String file = r.path("filename").asText("");
        if (file.isEmpty()) {
            throw new IllegalStateException("jar upload answered without a file name: " + r);
        }
        return Path.of(file).getFileName().toString();
    }

    /** {@code POST /jars/{id}/run}; returns the job id. Runs the jar's {@code main} on the JobManager. */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism) {
        ObjectNode req = JSON.createObjectNode();
        req.put("entryClass", entryClass);
        req.putPOJO("programArgsList", args);
        if (parallelism > 0) {
            req.put("parallelism", parallelism);
        }
        String path = "/jars/" + jarId + "/run";
        JsonNode r = send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofMinutes(3))
                        .POST(HttpRequest.BodyPublishers.ofString(req.toString())),
                path);
        String job = r.path("jobid").asText("");
        if (job.isEmpty()) {
            throw new IllegalStateException("running the jar answered without a job id: " + r);
        }
        return job;
    }

    /** The job's state: CREATED, RUNNING, RESTARTING, FAILED, CANCELED, FINISHED, ... */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How often the job has restarted (the job's {@code numRestarts} metric), 0 before it is reported. */
    public long restarts(String jobId) {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
            return (long) Double.parseDouble(m.path("value").asText("0"));
        }
        return 0;
    }

    /** The most recent failure of the job, as Flink reports it, or an empty string. */
    public String latestException(String jobId) {
        JsonNode entries =
                get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        return entries.isArray() && !entries.isEmpty()
                ? entries.get(0).path("stacktrace").asText("")
                : "";
    }

    /**
     * An operator or task metric of a running job (e.g. {@code modelLoads}) per TaskManager: for every
     * subtask reporting it, the value under the id of the TaskManager the subtask runs on (the largest,
     * if several subtasks share one).
     */
    public Map<String, Double> subtaskMetricByTaskManager(String jobId, String metric) {
        Map<String, Double> byTm = new TreeMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(base + "/metrics")) {
                String id = m.path("id").asText();
                if (id.endsWith("." + metric)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            Map<Integer, String> tmOfSubtask = new TreeMap<>();
            for (JsonNode st : get(base).path("subtasks")) {
                tmOfSubtask.put(
                        st.path("subtask").asInt(), st.path("taskmanager-id").asText("?"));
            }
            for (JsonNode m : get(base + "/metrics?get=" + String.join(",", ids))) {
                String id = m.path("id").asText();
                int subtask = Integer.parseInt(id.substring(0, id.indexOf('.')));
                double v = Double.parseDouble(m.path("value").asText("NaN"));
                byTm.merge(tmOfSubtask.getOrDefault(subtask, "?"), v, Math::max);
            }
        }
        return byTm;
    }

    /** {@code PATCH /jobs/{id}?mode=cancel}. */
    public void cancel(String jobId) {
        String path = "/jobs/" + jobId + "?mode=cancel";
        send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                path);
    }

    public int registeredTaskManagers() {
        return get("/overview").path("taskmanagers").asInt();
    }

    /** Ids of the registered TaskManagers (with {@link StandaloneCluster}, its {@code tm-N} names). */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    /** One metric of one TaskManager (e.g. {@code Status.JVM.Threads.Count}), or NaN if not reported. */
    public double taskManagerMetric(String taskManagerId, String metric) {
        for (JsonNode m : get("/taskmanagers/" + taskManagerId + "/metrics?get=" + metric)) {
            return Double.parseDouble(m.path("value").asText("NaN"));
        }
        return Double.NaN;
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(baseUrl + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + path, e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(baseUrl + path + " answered " + r.statusCode() + ": " + r.body());
        }
        try {
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(baseUrl + path + " answered no JSON: " + r.body(), e);
        }
    }
}
