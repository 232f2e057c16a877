{{/*
common.env: the environment of every container of the service (web, worker, relay, beat,
migration Job). Non-secret settings come from the service's ConfigMap (envFrom); secrets
are referenced, never copied into the chart: DJANGO_SECRET_KEY, GATEWAY_PROXY_SECRET,
SENTRY_DSN (optional), the service's own database user (CloudNativePG "<cluster>-app"
Secret) and its own RabbitMQ user (Messaging Topology Operator "<user>-user-credentials"
Secret), the service's own "secretEnv" entries (a variable from one key of a Secret), and
for a service with an MQTT bridge the broker's password (optional Secret
"<release>-<service>-mqtt"), for one with webhooks their encryption key (Secret
"<release>-<service>-webhooks", key "encryption-key"). The URLs are assembled with
Kubernetes' $(VAR) expansion, so no password is ever rendered.
Takes (dict "root" $ "direct" bool): with direct=true DATABASE_URL points at the read-write
Service of the database (migrations) instead of the PgBouncer pooler.
*/}}
{{- define "common.env" -}}
{{- $root := .root -}}
- name: GATEWAY_PROXY_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "common.proxySecret" $root }}
      key: secret
{{- /* The DSN carries Sentry's project key: a Secret, optional (without it, no Sentry). */}}
- name: SENTRY_DSN
  valueFrom:
    secretKeyRef:
      name: {{ include "common.sentrySecret" $root }}
      key: dsn
      optional: true
{{- range $root.Values.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ tpl .secretName $root }}
      key: {{ .key }}
      optional: {{ .optional | default false }}
{{- end }}
{{- if eq $root.Values.service.kind "django" }}
{{- $db := include "common.service" $root }}
{{- $rw := printf "%s-rw" (include "common.dbCluster" $root) }}
{{- $pooler := include "common.dbPooler" $root }}
- name: DJANGO_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "common.djangoSecret" $root }}
      key: secret-key
- name: DATABASE_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "common.dbSecret" $root }}
      key: username
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "common.dbSecret" $root }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://$(DATABASE_USER):$(DATABASE_PASSWORD)@%s:5432/%s" (ternary $rw $pooler (.direct | default false)) $db | quote }}
- name: DATABASE_DIRECT_URL
  value: {{ printf "postgres://$(DATABASE_USER):$(DATABASE_PASSWORD)@%s:5432/%s" $rw $db | quote }}
- name: AMQP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "common.amqpSecret" $root }}
      key: username
- name: AMQP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "common.amqpSecret" $root }}
      key: password
- name: AMQP_URL
  value: {{ printf "amqp://$(AMQP_USERNAME):$(AMQP_PASSWORD)@%s:5672/%s" (include "common.rabbitmqHost" $root) ($root.Values.global.rabbitmq.vhost | urlquery) | quote }}
{{- if $root.Values.webhooks }}
{{- /* The Fernet key webhook signing secrets are encrypted with at rest. */}}
- name: WEBHOOK_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.webhooks | default (printf "%s-webhooks" (include "common.fullname" $root)) }}
      key: encryption-key
{{- end }}
{{- if hasKey $root.Values.components "mqtt" }}
{{- /* The MQTT broker's password for MQTT_USERNAME; optional: a broker without
authentication needs no Secret. */}}
- name: MQTT_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.mqtt | default (printf "%s-mqtt" (include "common.fullname" $root)) }}
      key: password
      optional: true
{{- end }}
{{- end }}
{{- end -}}

{{/* common.envFrom: the service's ConfigMap. */}}
{{- define "common.envFrom" -}}
- configMapRef:
    name: {{ include "common.configMapName" . }}
{{- end -}}
