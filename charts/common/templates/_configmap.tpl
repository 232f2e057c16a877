{{/*
common.configmap: the ConfigMap of the service's non-secret settings (every container
reads it with envFrom). The in-cluster addresses (Redis and its Sentinels, JWKS, upstreams) are derived from
the release name; .Values.config adds or overrides the rest (LOG_LEVEL, EVENTS_*, ...), and
.Values.global.observability sets OpenTelemetry's and Sentry's for every deployable at once.
*/}}
{{- define "common.configmap" -}}
{{- $computed := dict
    "REDIS_CLUSTER_URL" (printf "redis://%s:6379/0" (include "common.redisClusterHost" .))
    "JWT_ISSUER" .Values.global.jwt.issuer
    "JWT_AUDIENCE" .Values.global.jwt.audience
-}}
{{- if eq .Values.service.kind "django" -}}
{{- $_ := set $computed "REDIS_URL" (printf "redis://%s:6379/0" (include "common.redisChannelsHost" .)) -}}
{{- if .Values.channelLayer -}}
{{- /* The Channels layer asks the Sentinels for the current primary (failover-safe). */ -}}
{{- $_ := set $computed "CHANNEL_LAYER_SENTINELS" (include "common.redisSentinels" .) -}}
{{- $_ := set $computed "CHANNEL_LAYER_SENTINEL_MASTER" (required "global.redis.sentinelMaster is required" .Values.global.redis.sentinelMaster) -}}
{{- end -}}
{{- /* Services fetch the public keys through the gateway, the only way into accounts. */ -}}
{{- $_ := set $computed "JWKS_URL" (printf "http://%s:%v/.well-known/jwks.json" (include "common.gatewayHost" .) .Values.global.gatewayPort) -}}
{{- else -}}
{{- $_ := set $computed "JWKS_URL" (printf "http://%s-accounts:%v/.well-known/jwks.json" .Release.Name .Values.global.servicePort) -}}
{{- range $svc := list "accounts" "content" "notifications" -}}
{{- $_ := set $computed (printf "UPSTREAM_%s" (upper $svc)) (printf "http://%s-%s:%v" $.Release.Name $svc $.Values.global.servicePort) -}}
{{- end -}}
{{- end -}}
{{- /* Tracing and Sentry of every deployable: global.observability over these defaults. */ -}}
{{- $observability := merge (deepCopy (.Values.global.observability | default dict)) (dict
    "OTEL_SDK_DISABLED" "false"
    "OTEL_EXPORTER_OTLP_ENDPOINT" ""
    "SENTRY_ENVIRONMENT" "production"
    "SENTRY_RELEASE" ""
    "SENTRY_TRACES_SAMPLE_RATE" "0"
    "SENTRY_PROFILES_SAMPLE_RATE" "0") -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.configMapName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
data:
  {{- range $key, $value := merge (deepCopy (.Values.config | default dict)) $computed $observability }}
  {{- /* YAML numbers arrive as floats: print whole ones as integers (31536000, not 3.1536e+07). */}}
  {{- if and (kindIs "float64" $value) (eq $value (floor $value)) }}
  {{ $key }}: {{ int64 $value | toString | quote }}
  {{- else }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
  {{- end }}
{{- end -}}
