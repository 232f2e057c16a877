{{/*
common.minReplicas / common.maxReplicas: the fewest and most pods a component runs, from
its fixed replicas, its HPA (autoscaling) or its KEDA ScaledObject (keda); takes the
component's values.
*/}}
{{- define "common.minReplicas" -}}
{{- if and .autoscaling .autoscaling.enabled -}}{{ .autoscaling.minReplicas }}
{{- else if and .keda .keda.enabled -}}{{ .keda.minReplicaCount }}
{{- else -}}{{ .replicas }}{{- end -}}
{{- end -}}

{{- define "common.maxReplicas" -}}
{{- if and .autoscaling .autoscaling.enabled -}}{{ .autoscaling.maxReplicas }}
{{- else if and .keda .keda.enabled -}}{{ .keda.maxReplicaCount }}
{{- else -}}{{ .replicas }}{{- end -}}
{{- end -}}
