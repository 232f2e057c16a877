{{/*
common.migrateJob: the migration hook. Runs after install (the chart itself creates the
database, so a pre-install hook would wait for a Cluster that does not exist yet) and
before every upgrade (so new code never meets an old schema). It connects to the
read-write Service of the CloudNativePG cluster ("<cluster>-rw"), never to the pooler
(migrations need session state PgBouncer's transaction mode does not keep). First
container (init): `manage.py migrate`; then `manage.py events topology declare`, so the
exchanges and queues exist before any relay publishes. Retries until the database
answers (backoffLimit), and web pods wait in their init container until it has run.
*/}}
{{- define "common.migrateJob" -}}
{{- $spec := .Values.migrations -}}
{{- if and (eq .Values.service.kind "django") $spec.enabled }}
apiVersion: batch/v1
kind: Job
metadata:
  {{- include "common.metadata" (dict "root" . "component" "migrate") | nindent 2 }}
  annotations:
    helm.sh/hook: post-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $spec.backoffLimit }}
  activeDeadlineSeconds: {{ $spec.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        {{- include "common.componentLabels" (dict "root" . "component" "migrate") | nindent 8 }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ include "common.serviceAccountName" . }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        {{- include "common.podSecurityContext" . | nindent 8 }}
      initContainers:
        - name: migrate
          image: {{ include "common.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          command: {{ toJson $spec.migrateCommand }}
          securityContext:
            {{- include "common.containerSecurityContext" . | nindent 12 }}
          resources:
            {{- toYaml $spec.resources | nindent 12 }}
          envFrom:
            {{- include "common.envFrom" . | nindent 12 }}
          env:
            {{- include "common.env" (dict "root" . "direct" true) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      containers:
        - name: topology
          image: {{ include "common.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          command: {{ toJson $spec.topologyCommand }}
          securityContext:
            {{- include "common.containerSecurityContext" . | nindent 12 }}
          resources:
            {{- toYaml $spec.resources | nindent 12 }}
          envFrom:
            {{- include "common.envFrom" . | nindent 12 }}
          env:
            {{- include "common.env" (dict "root" . "direct" true) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
{{- end -}}
