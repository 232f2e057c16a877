{{/* common.hpa: the HorizontalPodAutoscaler of the web pods (CPU), when components.web.autoscaling.enabled. */}}
{{- define "common.hpa" -}}
{{- $spec := .Values.components.web -}}
{{- if and $spec.enabled $spec.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "common.metadata" (dict "root" . "component" "web") | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "common.componentName" (dict "root" . "component" "web") }}
  minReplicas: {{ $spec.autoscaling.minReplicas }}
  maxReplicas: {{ $spec.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $spec.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}
