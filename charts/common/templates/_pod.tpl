{{/*
common.podSpec: the pod of one component (web, worker, relay, beat); takes
(dict "root" $ "component" "web" "spec" .Values.components.web). Every container gets the
restricted securityContext, probes, resources, the service's environment, a writable /tmp
(emptyDir; the root filesystem is read-only) and, for multi-process pods (gunicorn web, a
prefork Celery worker), an emptyDir for Prometheus multiprocess metrics. A component with
`metrics: true` serves /metrics on the container port "metrics" (METRICS_PORT). Web and relay pods first wait for what they
need: web until the migrations are applied, relay until the event topology is declared.
*/}}
{{- define "common.podSpec" -}}
{{- $root := .root -}}
{{- $spec := .spec -}}
{{- $http := $spec.http | default false -}}
serviceAccountName: {{ include "common.serviceAccountName" $root }}
automountServiceAccountToken: false
enableServiceLinks: false
terminationGracePeriodSeconds: {{ $spec.terminationGracePeriodSeconds }}
securityContext:
  {{- include "common.podSecurityContext" $root | nindent 2 }}
{{- if and $root.Values.global.topologySpread (gt (int (include "common.maxReplicas" $spec)) 1) }}
topologySpreadConstraints:
  {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ $key }}
    whenUnsatisfiable: {{ ternary "DoNotSchedule" "ScheduleAnyway" (eq $key "kubernetes.io/hostname") }}
    labelSelector:
      matchLabels:
        {{- include "common.selectorLabels" (dict "root" $root "component" $.component) | nindent 8 }}
  {{- end }}
{{- end }}
{{- with $spec.initCommand }}
initContainers:
  - name: {{ $spec.initName }}
    image: {{ include "common.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command: {{ toJson . }}
    securityContext:
      {{- include "common.containerSecurityContext" $root | nindent 6 }}
    resources:
      {{- toYaml $root.Values.initResources | nindent 6 }}
    envFrom:
      {{- include "common.envFrom" $root | nindent 6 }}
    env:
      {{- include "common.env" (dict "root" $root) | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
{{- end }}
containers:
  - name: {{ .component }}
    image: {{ include "common.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command: {{ toJson $spec.command }}
    securityContext:
      {{- include "common.containerSecurityContext" $root | nindent 6 }}
    resources:
      {{- toYaml $spec.resources | nindent 6 }}
    envFrom:
      {{- include "common.envFrom" $root | nindent 6 }}
    env:
      {{- include "common.env" (dict "root" $root) | nindent 6 }}
      {{- if $spec.multiprocMetrics }}
      - name: PROMETHEUS_MULTIPROC_DIR
        value: /var/run/prometheus
      {{- end }}
    {{- if or $http $spec.metrics }}
    ports:
      {{- if $http }}
      - name: http
        containerPort: {{ $root.Values.service.port }}
        protocol: TCP
      {{- end }}
      {{- if $spec.metrics }}
      - name: metrics
        containerPort: {{ $root.Values.config.METRICS_PORT }}
        protocol: TCP
      {{- end }}
    {{- end }}
    {{- if $http }}
    startupProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 2
      failureThreshold: 60
    livenessProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 10
      timeoutSeconds: 3
      failureThreshold: 3
    readinessProbe:
      httpGet: {path: /readyz, port: http}
      periodSeconds: 5
      timeoutSeconds: 3
      failureThreshold: 2
    lifecycle:
      # Stay in the endpoints a few seconds after SIGTERM is decided, so no new request
      # reaches a process that is already draining.
      preStop:
        sleep:
          seconds: 5
    {{- else }}
    {{- /* No HTTP port: the process touches /tmp/<service>-<component>.heartbeat from its
    main loop and the probe fails once it is older than heartbeatMaxAgeSeconds, so a
    wedged process is restarted (platform_common.heartbeat). */}}
    {{- $maxAge := required (printf "components.%s.heartbeatMaxAgeSeconds is required" .component) $spec.heartbeatMaxAgeSeconds }}
    {{- $heartbeat := list "python" "-m" "platform_common.heartbeat" (printf "%s-%s" (include "common.service" $root) .component) (toString $maxAge) }}
    livenessProbe:
      exec:
        command: {{ toJson $heartbeat }}
      initialDelaySeconds: {{ $spec.probeInitialDelaySeconds | default 30 }}
      periodSeconds: {{ $spec.probePeriodSeconds | default 60 }}
      timeoutSeconds: {{ $spec.probeTimeoutSeconds | default 20 }}
      failureThreshold: 3
    readinessProbe:
      exec:
        command: {{ toJson $heartbeat }}
      initialDelaySeconds: {{ $spec.probeInitialDelaySeconds | default 30 }}
      periodSeconds: {{ $spec.probePeriodSeconds | default 60 }}
      timeoutSeconds: {{ $spec.probeTimeoutSeconds | default 20 }}
    {{- end }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- if $spec.multiprocMetrics }}
      - name: prometheus-multiproc
        mountPath: /var/run/prometheus
      {{- end }}
      {{- range $root.Values.secretMounts }}
      - name: {{ .name }}
        mountPath: {{ .mountPath }}
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
  {{- if $spec.multiprocMetrics }}
  - name: prometheus-multiproc
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  {{- end }}
  {{- range $root.Values.secretMounts }}
  - name: {{ .name }}
    secret:
      secretName: {{ tpl .secretName $root }}
      defaultMode: 0440
  {{- end }}
{{- end -}}
