{{/*
common.deployment: the Deployment of one component; takes
(dict "root" $ "component" "web|worker|relay|beat"). Components scaled by an HPA or KEDA
leave "replicas" to it. beat is a singleton: one replica, Recreate, so two schedulers
never run at once during a rollout.
*/}}
{{- define "common.deployment" -}}
{{- $spec := index .root.Values.components .component -}}
{{- if $spec.enabled }}
{{- $singleton := eq .component "beat" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "common.metadata" . | nindent 2 }}
spec:
  {{- if $singleton }}
  replicas: 1
  strategy:
    type: Recreate
  {{- else if not (or (and $spec.autoscaling $spec.autoscaling.enabled) (and $spec.keda $spec.keda.enabled)) }}
  replicas: {{ $spec.replicas }}
  {{- end }}
  {{- if not $singleton }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "common.componentLabels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include "common.configmap" .root | sha256sum }}
    spec:
      {{- include "common.podSpec" (dict "root" .root "component" .component "spec" $spec) | nindent 6 }}
{{- end }}
{{- end -}}
