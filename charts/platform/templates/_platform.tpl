{{/* platform.labels: the standard labels of the data plane objects; takes (dict "root" $ "component" "postgres"). */}}
{{- define "platform.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
platform.svc: a context in which the common library's name templates (common.dbCluster,
common.amqpUser, ...) answer for one service; takes (dict "root" $ "service" "accounts").
The service charts call the same templates, so both sides agree on every name.
*/}}
{{- define "platform.svc" -}}
{{- toJson (dict "Release" (dict "Name" .root.Release.Name) "Values" (dict "service" (dict "name" .service) "global" .root.Values.global)) -}}
{{- end -}}

{{/* platform.rabbitmq: the RabbitmqCluster's name. */}}
{{- define "platform.rabbitmq" -}}
{{- printf "%s-rabbitmq" .Release.Name -}}
{{- end -}}

{{/* platform.redisCluster / platform.redisChannels / platform.redisSentinel: the OT Redis objects' names. */}}
{{- define "platform.redisCluster" -}}
{{- printf "%s-redis-cluster" .Release.Name -}}
{{- end -}}
{{- define "platform.redisChannels" -}}
{{- printf "%s-redis-channels" .Release.Name -}}
{{- end -}}
{{- define "platform.redisSentinel" -}}
{{- printf "%s-redis" .Release.Name -}}
{{- end -}}

{{/* platform.topologyName: a Kubernetes name for a RabbitMQ object name ("content.events" -> "<release>-content-events"). */}}
{{- define "platform.topologyName" -}}
{{- printf "%s-%s" .root.Release.Name (.name | replace "." "-" | replace "_" "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
platform.containerSecurity: the securityContext of every data-plane container the chart
can reach (Redis, RabbitMQ; CloudNativePG's pods are restricted by the operator itself):
the restricted profile except a read-only root filesystem, since the operators' Redis and
RabbitMQ images write their configuration at start.
*/}}
{{- define "platform.containerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* platform.redisPodSecurity: the pod securityContext of the OT operator's Redis pods (the image's uid). */}}
{{- define "platform.redisPodSecurity" -}}
runAsUser: 1000
runAsNonRoot: true
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}
