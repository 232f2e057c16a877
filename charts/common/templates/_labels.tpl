{{/* common.labels: the standard labels of every object of the service. */}}
{{- define "common.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "common.service" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* common.selectorLabels: labels selecting the pods of one component; takes (dict "root" $ "component" "web"). */}}
{{- define "common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "common.service" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* common.componentLabels: common.labels plus the component; takes (dict "root" $ "component" "web"). */}}
{{- define "common.componentLabels" -}}
{{ include "common.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* common.metadata: name, namespace and labels of a component's object; takes (dict "root" $ "component" "web"). */}}
{{- define "common.metadata" -}}
name: {{ include "common.componentName" . }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "common.componentLabels" . | nindent 2 }}
{{- end -}}
