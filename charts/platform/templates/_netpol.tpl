{{/* platform.fromOperators: "from" entries for the operators' namespaces. */}}
{{- define "platform.fromOperators" -}}
{{- range .Values.global.networkPolicy.operatorNamespaceLabels }}
- namespaceSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* platform.egressBase: DNS and the API server, which every operator-managed pod needs. */}}
{{- define "platform.egressBase" -}}
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
  to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
- ports:
    - {port: 443, protocol: TCP}
    - {port: 6443, protocol: TCP}
  to:
    - ipBlock:
        cidr: {{ .Values.global.networkPolicy.apiServerCIDR }}
{{- end -}}
