{{/*
common.all: every object of a service chart, in one call; a thin chart's only template is
`{{ include "common.all" . }}`. Components that are not enabled render nothing.
*/}}
{{- define "common.all" -}}
{{- $components := list "web" "worker" "relay" "beat" "mqtt" -}}
{{ include "common.serviceaccount" . }}
---
{{ include "common.configmap" . }}
---
{{ include "common.service.web" . }}
{{- range $components }}
{{- if hasKey $.Values.components . }}
---
{{ include "common.deployment" (dict "root" $ "component" .) }}
---
{{ include "common.pdb" (dict "root" $ "component" .) }}
---
{{ include "common.networkpolicy" (dict "root" $ "component" .) }}
{{- end }}
{{- end }}
---
{{ include "common.hpa" . }}
{{- if hasKey .Values.components "worker" }}
---
{{ include "common.scaledobject" . }}
---
{{ include "common.triggerauthentication" . }}
{{- end }}
---
{{ include "common.servicemonitor" . }}
---
{{ include "common.podmonitor" . }}
{{- if eq .Values.service.kind "django" }}
---
{{ include "common.migrateJob" . }}
---
{{ include "common.networkpolicy" (dict "root" $ "component" "migrate" "spec" (dict "enabled" .Values.migrations.enabled "http" false)) }}
{{- end }}
{{- end -}}
