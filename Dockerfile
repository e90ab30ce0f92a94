# The job image: the official Flink image of the version the job is built against, plus two jars:
#  - the engine jar (the engine and its libraries) in /opt/flink/lib, on the class path of every Flink process:
#    loaded once per TaskManager, so the models it holds outlive a job and a resubmitted or recovered job takes
#    the weights already in memory (docs/operations.md, section 6);
#  - the production job jar (the job, operators, kafka-config, the Kafka connector) in /opt/flink/usrlib, loaded
#    per job by Flink's child-first user-code class loader.
#
#   mvn -B -ntp -pl job -am package -DskipTests      # job/target/llamastream-job-<version>-{engine,production}.jar
#   docker build -t registry.example.com/ml/llamastream:0.1.0 .
#
# The chart runs it as a FlinkDeployment (jarURI local:///opt/flink/usrlib/llamastream.jar).
ARG FLINK_IMAGE=flink:2.2.1-java17
FROM ${FLINK_IMAGE}

ARG ENGINE_JAR=job/target/llamastream-job-0.1.0-SNAPSHOT-engine.jar
ARG JOB_JAR=job/target/llamastream-job-0.1.0-SNAPSHOT-production.jar

# Plugins the official image ships under /opt/flink/opt but does not enable:
#  - flink-metrics-prometheus: the chart's metrics.reporter.prom.* exposes /metrics on port 9249;
#  - flink-s3-fs-presto: s3:// checkpoints, savepoints and HA storage (values state.baseUri).
# Each plugin needs its own directory under /opt/flink/plugins. The glob fails the build if a jar is missing.
RUN set -eu; \
    for plugin in flink-metrics-prometheus flink-s3-fs-presto; do \
      jar="$(ls /opt/flink/opt/${plugin}-*.jar)"; \
      mkdir -p "/opt/flink/plugins/${plugin}"; \
      cp "${jar}" "/opt/flink/plugins/${plugin}/"; \
    done; \
    mkdir -p /opt/flink/usrlib /opt/llamastream/conf /opt/llamastream/kafka /models; \
    chown -R flink:flink /opt/flink/plugins /opt/flink/usrlib /opt/llamastream

COPY --chown=flink:flink ${ENGINE_JAR} /opt/flink/lib/llamastream-engine.jar
COPY --chown=flink:flink ${JOB_JAR} /opt/flink/usrlib/llamastream.jar
# The base image's entrypoint drops to the flink user itself; no USER here.
