{{/*
platform.testPod: a `helm test` pod running files/tests/<name>.py with the gateway image
against the gateway's Service (or tests.baseUrl); takes (dict "root" $ "name" "ready").
Same restricted security as every other pod.
*/}}
{{- define "platform.testPod" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ $root.Release.Name }}-test-{{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "platform.labels" (dict "root" $root "component" "test") | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: {{ ternary "0" "1" (eq .name "ready") | quote }}
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  terminationGracePeriodSeconds: 5
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
    fsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: {{ .name }}
      image: {{ printf "%s/gateway:%s" $root.Values.global.image.registry ($root.Values.global.image.tag | toString) }}
      imagePullPolicy: IfNotPresent
      command: [python, {{ printf "/tests/%s.py" .name | quote }}]
      env:
        - name: BASE_URL
          value: {{ $root.Values.tests.baseUrl | default (printf "http://%s-gateway:%v" $root.Release.Name $root.Values.global.gatewayPort) | quote }}
      securityContext:
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
      resources:
        {{- toYaml $root.Values.tests.resources | nindent 8 }}
      volumeMounts:
        - name: tests
          mountPath: /tests
          readOnly: true
  volumes:
    - name: tests
      configMap:
        name: {{ $root.Release.Name }}-tests
{{- end -}}
