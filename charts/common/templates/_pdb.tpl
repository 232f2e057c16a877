{{/* common.pdb: a PodDisruptionBudget for a component that can run more than one pod; takes (dict "root" $ "component" "web"). */}}
{{- define "common.pdb" -}}
{{- $spec := index .root.Values.components .component -}}
{{- if and $spec.enabled (ne .component "beat") (gt (int (include "common.maxReplicas" $spec)) 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "common.metadata" . | nindent 2 }}
spec:
  # One pod at a time: drains never take a component down, and never block on it either.
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
