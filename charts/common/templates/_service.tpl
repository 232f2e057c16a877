{{/* common.service.web: the ClusterIP Service in front of the web pods (port "http"). */}}
{{- define "common.service.web" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "common.webServiceName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.componentLabels" (dict "root" . "component" "web") | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "common.selectorLabels" (dict "root" . "component" "web") | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end -}}
