{{/*
common.scaledobject: the KEDA ScaledObject scaling the Celery workers on the depth of the
service's own queue "<service>.events" (RabbitMQ trigger, credentials through
common.triggerauthentication), when components.worker.keda.enabled.
*/}}
{{- define "common.scaledobject" -}}
{{- $spec := .Values.components.worker -}}
{{- if and $spec.enabled $spec.keda.enabled }}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  {{- include "common.metadata" (dict "root" . "component" "worker") | nindent 2 }}
spec:
  scaleTargetRef:
    name: {{ include "common.componentName" (dict "root" . "component" "worker") }}
  minReplicaCount: {{ $spec.keda.minReplicaCount }}
  maxReplicaCount: {{ $spec.keda.maxReplicaCount }}
  pollingInterval: {{ $spec.keda.pollingInterval }}
  cooldownPeriod: {{ $spec.keda.cooldownPeriod }}
  triggers:
    - type: rabbitmq
      metadata:
        protocol: amqp
        host: {{ printf "amqp://%s:5672/%s" (include "common.rabbitmqHost" .) (.Values.global.rabbitmq.vhost | urlquery) | quote }}
        queueName: {{ printf "%s.events" (include "common.service" .) | quote }}
        mode: QueueLength
        value: {{ $spec.keda.queueLength | quote }}
      authenticationRef:
        name: {{ include "common.componentName" (dict "root" . "component" "worker") }}
{{- end }}
{{- end -}}
