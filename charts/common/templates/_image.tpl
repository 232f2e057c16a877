{{/*
common.image: "<registry>/<repository>:<tag>", the names docker-bake.hcl gives its images
(${REGISTRY}/<svc>:${TAG}). global.image.registry/tag win over the chart's image.registry/tag.
A "latest" or empty tag is refused: a release must name what it runs.
*/}}
{{- define "common.image" -}}
{{- $registry := .Values.global.image.registry | default .Values.image.registry -}}
{{- $tag := .Values.global.image.tag | default .Values.image.tag | toString -}}
{{- if or (eq $tag "") (eq $tag "latest") -}}
{{- fail "image.tag must name a release (not empty, not \"latest\")" -}}
{{- end -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository $tag -}}
{{- end -}}
