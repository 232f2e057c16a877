{{/*
Restricted pod security (Kubernetes "restricted" profile) for every pod: uid/gid 10001
(the images' user), no privilege escalation, no capabilities, read-only root filesystem,
seccomp RuntimeDefault. Not configurable on purpose.
*/}}

{{/* common.podSecurityContext: the pod-level securityContext. */}}
{{- define "common.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* common.containerSecurityContext: the securityContext of every container. */}}
{{- define "common.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
