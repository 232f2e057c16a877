{{/*
common.networkpolicy: what one component may receive and reach; takes
(dict "root" $ "component" "web"), or a "spec" for pods that are no component (migrate). The platform chart adds a namespace-wide default deny,
so everything not listed here is refused:
- web of a service: ingress only from the gateway's web pods (the accounts lockout trusts
  the client address the gateway sends) and from Prometheus (monitoring namespace); the
  gateway's web from the ingress controller's namespace, the release's helm test pods and
  the services' pods (they fetch the JWKS through it), and Prometheus; a component serving
  /metrics on its own port (gateway, worker, relay) admits Prometheus there too.
- egress: DNS; Django components their own database (pooler and read-write instances, by
  the CloudNativePG cluster label), RabbitMQ, Redis (cluster and replication/Sentinel) and
  the gateway (JWKS), and a service with an MQTT bridge its broker's port; the gateway the
  services' web pods and the Redis Cluster; a component's `externalEgress` adds ports to
  addresses outside the cluster.
*/}}
{{- define "common.networkpolicy" -}}
{{- $root := .root -}}
{{- $spec := .spec | default (index $root.Values.components .component) -}}
{{- if and $spec.enabled $root.Values.networkPolicy.enabled }}
{{- $django := eq $root.Values.service.kind "django" -}}
{{- $port := $root.Values.service.port -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "common.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  {{- if or $spec.http $spec.metrics }}
  ingress:
    {{- if $spec.http }}
    - ports:
        - {port: {{ $port }}, protocol: TCP}
      from:
        {{- if $django }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: gateway
              app.kubernetes.io/instance: {{ $root.Release.Name }}
              app.kubernetes.io/component: web
        {{- else }}
        - namespaceSelector:
            matchLabels:
              {{- toYaml $root.Values.global.networkPolicy.ingressNamespaceLabels | nindent 14 }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/instance: {{ $root.Release.Name }}
              app.kubernetes.io/component: test
        - podSelector:
            matchLabels:
              app.kubernetes.io/instance: {{ $root.Release.Name }}
            matchExpressions:
              - {key: app.kubernetes.io/name, operator: In, values: [accounts, content, notifications]}
        {{- end }}
        - namespaceSelector:
            matchLabels:
              {{- toYaml $root.Values.global.networkPolicy.monitoringNamespaceLabels | nindent 14 }}
    {{- end }}
    {{- if $spec.metrics }}
    - ports:
        - {port: {{ $root.Values.config.METRICS_PORT }}, protocol: TCP}
      from:
        - namespaceSelector:
            matchLabels:
              {{- toYaml $root.Values.global.networkPolicy.monitoringNamespaceLabels | nindent 14 }}
    {{- end }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    - ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
      to:
        - namespaceSelector: {}
          podSelector:
            matchLabels:
              k8s-app: kube-dns
    {{- if $django }}
    - ports:
        - {port: 5432, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              cnpg.io/cluster: {{ include "common.dbCluster" $root }}
        - podSelector:
            matchLabels:
              cnpg.io/poolerName: {{ include "common.dbPooler" $root }}
    - ports:
        - {port: 5672, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ include "common.rabbitmqHost" $root }}
    - ports:
        - {port: 6379, protocol: TCP}
        - {port: 26379, protocol: TCP}
      to:
        - podSelector:
            matchExpressions:
              - {key: redis_setup_type, operator: Exists}
    - ports:
        - {port: {{ $root.Values.global.gatewayPort }}, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: gateway
              app.kubernetes.io/instance: {{ $root.Release.Name }}
              app.kubernetes.io/component: web
    {{- if hasKey $root.Values.components "mqtt" }}
    {{- /* The MQTT broker is outside the chart (MQTT_HOST): its port, wherever it is. */}}
    - ports:
        - {port: {{ $root.Values.config.MQTT_PORT }}, protocol: TCP}
    {{- end }}
    {{- else }}
    - ports:
        - {port: {{ $root.Values.global.servicePort }}, protocol: TCP}
      to:
        - podSelector:
            matchExpressions:
              - {key: app.kubernetes.io/name, operator: In, values: [accounts, content, notifications]}
              - {key: app.kubernetes.io/component, operator: In, values: [web]}
            matchLabels:
              app.kubernetes.io/instance: {{ $root.Release.Name }}
    - ports:
        - {port: 6379, protocol: TCP}
        - {port: 16379, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              redis_setup_type: cluster
    {{- end }}
    {{- with $spec.externalEgress }}
    # Outside the cluster (an SMTP relay, SMS and push providers): these ports only.
    - ports:
        {{- range .ports }}
        - {port: {{ . }}, protocol: TCP}
        {{- end }}
      to:
        {{- range .cidrs }}
        - ipBlock: {cidr: {{ . | quote }}}
        {{- end }}
    {{- end }}
{{- end }}
{{- end -}}
