{{/*
common.maxReplicas: the most pods a component runs, from its fixed replicas, its HPA
(autoscaling) or its KEDA ScaledObject (keda); takes the component's values. Decides
whether it gets a PodDisruptionBudget and topology spread.
*/}}
{{- define "common.maxReplicas" -}}
{{- if and .autoscaling .autoscaling.enabled -}}{{ .autoscaling.maxReplicas }}
{{- else if and .keda .keda.enabled -}}{{ .keda.maxReplicaCount }}
{{- else -}}{{ .replicas }}{{- end -}}
{{- end -}}
