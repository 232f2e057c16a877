{{/* common.triggerauthentication: KEDA reads the queue depth with the service's own RabbitMQ user (by reference). */}}
{{- define "common.triggerauthentication" -}}
{{- $spec := .Values.components.worker -}}
{{- if and $spec.enabled $spec.keda.enabled }}
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  {{- include "common.metadata" (dict "root" . "component" "worker") | nindent 2 }}
spec:
  secretTargetRef:
    - parameter: username
      name: {{ include "common.amqpSecret" . }}
      key: username
    - parameter: password
      name: {{ include "common.amqpSecret" . }}
      key: password
{{- end }}
{{- end -}}
