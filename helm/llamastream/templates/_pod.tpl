{{/*
A complete pod template for one Flink component. Call with (dict "root" $ "model" bool "tm" bool).
Each component gets its own whole template (no spec.podTemplate shared between them) so nothing depends
on how the operator merges list entries of two templates.
*/}}
{{- define "llamastream.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values -}}
metadata:
  labels:
    {{- include "llamastream.selectorLabels" $root | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if and .model $v.model.objectStore.uri }}
  initContainers:
    - name: fetch-model
      image: {{ $v.model.objectStore.image | quote }}
      {{- if $v.model.objectStore.command }}
      command:
        {{- range $v.model.objectStore.command }}
        - {{ . | quote }}
        {{- end }}
      {{- else }}
      command:
        - aws
        - s3
        - sync
        - --only-show-errors
        {{- with $v.model.objectStore.endpointUrl }}
        - --endpoint-url
        - {{ . | quote }}
        {{- end }}
        - {{ $v.model.objectStore.uri | quote }}
        - /model
      {{- end }}
      {{- with $v.model.objectStore.credentialsSecret }}
      envFrom:
        - secretRef:
            name: {{ . }}
      {{- end }}
      volumeMounts:
        - name: model
          mountPath: /model
  {{- end }}
  containers:
    - name: flink-main-container
      ports:
        - name: metrics
          containerPort: {{ int $v.metrics.port }}
          protocol: TCP
      volumeMounts:
        - name: llamastream-config
          mountPath: {{ include "llamastream.confDir" $root }}
          readOnly: true
        {{- if $v.kafka.existingSecret }}
        - name: kafka-client
          mountPath: {{ include "llamastream.kafkaDir" $root }}
          readOnly: true
        {{- end }}
        {{- if .model }}
        - name: model
          mountPath: {{ $v.model.dir }}
          readOnly: true
        {{- end }}
  volumes:
    - name: llamastream-config
      configMap:
        name: {{ include "llamastream.fullname" $root }}-config
    {{- if $v.kafka.existingSecret }}
    - name: kafka-client
      secret:
        secretName: {{ $v.kafka.existingSecret }}
        defaultMode: 0440
    {{- end }}
    {{- if .model }}
    - name: model
      {{- if $v.model.existingClaim }}
      persistentVolumeClaim:
        claimName: {{ $v.model.existingClaim }}
        readOnly: true
      {{- else }}
      emptyDir:
        sizeLimit: {{ printf "%dGi" (add (int (default $v.model.sizeGi $v.model.objectStore.diskGi)) 1) }}
      {{- end }}
    {{- end }}
  {{- if .tm }}
  {{- with $v.taskManager.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.taskManager.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.taskManager.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end }}
