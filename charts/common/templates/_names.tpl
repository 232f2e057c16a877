{{/*
Names. Every object of a service chart is called "<release>-<service>[-<component>]";
the data plane objects the platform chart renders follow the same convention, so a
service chart finds its database, broker and caches by name without extra values.
*/}}

{{/* common.service: the service this chart deploys (accounts, content, notifications, gateway). */}}
{{- define "common.service" -}}
{{- required "service.name is required" .Values.service.name -}}
{{- end -}}

{{/* common.fullname: "<release>-<service>", at most 63 characters. */}}
{{- define "common.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "common.service" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* common.componentName: "<release>-<service>-<component>"; takes (dict "root" $ "component" "web"). */}}
{{- define "common.componentName" -}}
{{- printf "%s-%s" (include "common.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* common.serviceAccountName: the one ServiceAccount of the service's pods. */}}
{{- define "common.serviceAccountName" -}}
{{- include "common.fullname" . -}}
{{- end -}}

{{/* common.configMapName: the ConfigMap holding the service's non-secret settings. */}}
{{- define "common.configMapName" -}}
{{- printf "%s-config" (include "common.fullname" .) -}}
{{- end -}}

{{/* common.webServiceName: the Service in front of the web pods (what the gateway calls). */}}
{{- define "common.webServiceName" -}}
{{- include "common.fullname" . -}}
{{- end -}}

{{/* common.dbCluster: the CloudNativePG Cluster of the service ("<release>-<service>-db"). */}}
{{- define "common.dbCluster" -}}
{{- printf "%s-%s-db" .Release.Name (include "common.service" .) -}}
{{- end -}}

{{/* common.dbPooler: the PgBouncer Pooler (transaction mode) that runtime traffic uses. */}}
{{- define "common.dbPooler" -}}
{{- printf "%s-pooler" (include "common.dbCluster" .) -}}
{{- end -}}

{{/* common.dbSecret: the CNPG application-user Secret (keys username, password); only this service mounts it. */}}
{{- define "common.dbSecret" -}}
{{- printf "%s-app" (include "common.dbCluster" .) -}}
{{- end -}}

{{/* common.amqpUser: the RabbitMQ User (Messaging Topology Operator) of the service. */}}
{{- define "common.amqpUser" -}}
{{- printf "%s-%s-amqp" .Release.Name (include "common.service" .) -}}
{{- end -}}

{{/* common.amqpSecret: the credentials Secret the topology operator generates for that User. */}}
{{- define "common.amqpSecret" -}}
{{- printf "%s-user-credentials" (include "common.amqpUser" .) -}}
{{- end -}}

{{/* common.rabbitmqHost: the RabbitmqCluster's client Service. */}}
{{- define "common.rabbitmqHost" -}}
{{- .Values.global.rabbitmq.host | default (printf "%s-rabbitmq" .Release.Name) -}}
{{- end -}}

{{/* common.redisClusterHost: the OT operator RedisCluster's leader Service (caches, limits). */}}
{{- define "common.redisClusterHost" -}}
{{- .Values.global.redis.clusterHost | default (printf "%s-redis-cluster-leader" .Release.Name) -}}
{{- end -}}

{{/* common.redisChannelsHost: the master Service of the RedisReplication (relay nudges; best effort, the relay also polls). */}}
{{- define "common.redisChannelsHost" -}}
{{- .Values.global.redis.channelsHost | default (printf "%s-redis-channels-master" .Release.Name) -}}
{{- end -}}

{{/* common.redisSentinels: "host:port,..." of the Sentinels watching the RedisReplication (the OT operator's "<name>-sentinel" Service). */}}
{{- define "common.redisSentinels" -}}
{{- .Values.global.redis.sentinels | default (printf "%s-redis-sentinel:26379" .Release.Name) -}}
{{- end -}}

{{/* common.gatewayHost: the gateway's Service. */}}
{{- define "common.gatewayHost" -}}
{{- printf "%s-gateway" .Release.Name -}}
{{- end -}}

{{/* common.djangoSecret: the Secret holding DJANGO_SECRET_KEY (key "secret-key"), created by the operator of the platform. */}}
{{- define "common.djangoSecret" -}}
{{- .Values.secrets.django | default (printf "%s-django" (include "common.fullname" .)) -}}
{{- end -}}

{{/* common.sentrySecret: the optional Secret holding SENTRY_DSN (key "dsn"), shared by every deployable. */}}
{{- define "common.sentrySecret" -}}
{{- .Values.global.sentrySecret | default (printf "%s-sentry" .Release.Name) -}}
{{- end -}}

{{/* common.proxySecret: the Secret holding GATEWAY_PROXY_SECRET (key "secret"), shared by the gateway and every service. */}}
{{- define "common.proxySecret" -}}
{{- .Values.global.proxySecret | default (printf "%s-gateway-proxy" .Release.Name) -}}
{{- end -}}
