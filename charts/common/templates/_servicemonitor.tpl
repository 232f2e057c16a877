{{/* common.servicemonitor: the Prometheus Operator ServiceMonitor scraping /metrics of a
Django service's web pods, on their HTTP port (the gateway's web pods serve it on their
"metrics" port only: its PodMonitor scrapes them). */}}
{{- define "common.servicemonitor" -}}
{{- if and .Values.serviceMonitor.enabled (eq .Values.service.kind "django") }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "common.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "common.selectorLabels" (dict "root" . "component" "web") | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end -}}


{{/* common.podmonitor: the PodMonitor scraping /metrics on the "metrics" port of every
component with `metrics: true` (gateway web, Celery worker, relay): pods behind no Service. */}}
{{- define "common.podmonitor" -}}
{{- $scraped := list -}}
{{- range $name, $spec := .Values.components -}}
{{- if and $spec.enabled $spec.metrics -}}
{{- $scraped = append $scraped $name -}}
{{- end -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled $scraped }}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "common.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ include "common.service" . }}
      app.kubernetes.io/instance: {{ .Release.Name }}
    matchExpressions:
      - {key: app.kubernetes.io/component, operator: In, values: {{ toJson (sortAlpha $scraped) }}}
  podMetricsEndpoints:
    - port: metrics
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end -}}
