{{/* Chart name. */}}
{{- define "llamastream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name; also the Flink cluster id. Kept to 45 chars: Flink derives longer names from it. */}}
{{- define "llamastream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "llamastream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llamastream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "llamastream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "llamastream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "llamastream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Paths the job sees; fixed by the job's contract. */}}
{{- define "llamastream.confDir" -}}/opt/llamastream/conf{{- end }}
{{- define "llamastream.kafkaDir" -}}/opt/llamastream/kafka{{- end }}

{{/* State locations. */}}
{{- define "llamastream.checkpointDir" -}}
{{- default (printf "%s/checkpoints" (trimSuffix "/" .Values.state.baseUri)) .Values.state.checkpointDir }}
{{- end }}
{{- define "llamastream.savepointDir" -}}
{{- default (printf "%s/savepoints" (trimSuffix "/" .Values.state.baseUri)) .Values.state.savepointDir }}
{{- end }}
{{- define "llamastream.haDir" -}}
{{- default (printf "%s/ha" (trimSuffix "/" .Values.state.baseUri)) .Values.state.haDir }}
{{- end }}

{{/*
TaskManager memory, in MiB:
  process = (model.sizeGi + engine.kvCacheGi + taskManager.frameworkHeapGi + taskManager.overheadGi) * 1024
*/}}
{{- define "llamastream.tm.processMi" -}}
{{- $gi := add (int .Values.model.sizeGi) (int .Values.engine.kvCacheGi) (int .Values.taskManager.frameworkHeapGi) (int .Values.taskManager.overheadGi) }}
{{- mul $gi 1024 }}
{{- end }}
{{/*
Task heap: the engine keeps the weights, the KV cache and the prefix cache as Java arrays, so all of them
live on the heap, with the working heap (frameworkHeapGi, less Flink's 128m framework heap) beside them.
*/}}
{{- define "llamastream.tm.taskHeapMi" -}}
{{- sub (mul (add (int .Values.model.sizeGi) (int .Values.engine.kvCacheGi) (int .Values.taskManager.frameworkHeapGi)) 1024) 128 }}
{{- end }}

{{- define "llamastream.engineThreads" -}}
{{- if gt (int .Values.engine.threads) 0 }}{{ int .Values.engine.threads }}{{ else }}{{ max 1 (int .Values.taskManager.cpu) }}{{ end }}
{{- end }}

{{/* Cross-field checks the schema cannot express. */}}
{{- define "llamastream.validate" -}}
{{- $hasClaim := ne (default "" .Values.model.existingClaim) "" }}
{{- $hasUri := ne (default "" .Values.model.objectStore.uri) "" }}
{{- if eq $hasClaim $hasUri }}
{{- fail "model: set exactly one of model.existingClaim or model.objectStore.uri" }}
{{- end }}
{{- if and (ne .Values.job.upgradeMode "stateless") (eq (default "" .Values.state.baseUri) "") (or (eq (default "" .Values.state.checkpointDir) "") (eq (default "" .Values.state.savepointDir) "") (eq (default "" .Values.state.haDir) "")) }}
{{- fail (printf "job.upgradeMode %s needs durable state: set state.baseUri (or all of state.checkpointDir, state.savepointDir, state.haDir)" .Values.job.upgradeMode) }}
{{- end }}
{{- if gt (int .Values.job.parallelism) (int .Values.topics.partitions) }}
{{- fail (printf "job.parallelism (%d) exceeds topics.partitions (%d): the extra subtasks would each hold a full model and read nothing" (int .Values.job.parallelism) (int .Values.topics.partitions)) }}
{{- end }}
{{- if not (kindIs "invalid" .Values.taskManager.replicas) }}
{{- if lt (mul (int .Values.taskManager.replicas) (int .Values.taskManager.slots)) (int .Values.job.parallelism) }}
{{- fail (printf "taskManager.replicas (%d) x taskManager.slots (%d) is less than job.parallelism (%d)" (int .Values.taskManager.replicas) (int .Values.taskManager.slots) (int .Values.job.parallelism)) }}
{{- end }}
{{- end }}
{{- end }}
