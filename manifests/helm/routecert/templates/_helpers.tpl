{{/* The name of every object: the release's, as the kustomize base's "routecert" when released as routecert. */}}
{{- define "routecert.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; selectors use only name and component, as the kustomize base does. */}}
{{- define "routecert.labels" -}}
app.kubernetes.io/name: routecert
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "routecert.selector" -}}
app.kubernetes.io/name: routecert
app.kubernetes.io/component: webhook
{{- end -}}

{{/* The address range of the API server; the chart does not render without it. */}}
{{- define "routecert.apiServerCIDR" -}}
{{- required "apiServerCIDR is required: the address range the API server calls the webhook from (the NetworkPolicy admits the admission port from it alone); e.g. --set apiServerCIDR=172.18.0.2/32, see install.md" .Values.apiServerCIDR -}}
{{- end -}}

{{/* Namespaces routecert never acts in: the configured ones and the release's own. */}}
{{- define "routecert.excludedNamespaces" -}}
{{- $namespaces := concat .Values.config.excludedNamespaces (list .Release.Namespace) | uniq -}}
{{- toJson $namespaces -}}
{{- end -}}

{{/* One object of the kustomize base's rbac.yaml, by kind and name. */}}
{{- define "routecert.baseRbac" -}}
{{- $want := . -}}
{{- range $document := splitList "\n---" ($want.root.Files.Get "files/rbac.yaml") -}}
{{- $object := fromYaml $document -}}
{{- if and (eq (toString $object.kind) $want.kind) (eq (toString $object.metadata.name) $want.name) -}}
{{- toYaml $object.rules -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The rules of one object of the DNS component (manifests/dns/rbac.yaml), as baseRbac reads the base's. */}}
{{- define "routecert.dnsRbac" -}}
{{- $want := . -}}
{{- range $document := splitList "\n---" ($want.root.Files.Get "files/dns-rbac.yaml") -}}
{{- $object := fromYaml $document -}}
{{- if and (eq (toString $object.kind) $want.kind) (eq (toString $object.metadata.name) $want.name) -}}
{{- toYaml $object.rules -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "routecert.webhookHook" -}}
{{- if .Values.webhook.registerAfterReady }}
# After the Deployment is ready (helm --wait): registered earlier, failurePolicy Fail would refuse every
# route write until a pod answers.
helm.sh/hook: post-install,post-upgrade
helm.sh/hook-delete-policy: before-hook-creation
{{- end }}
{{- end -}}

{{- define "routecert.clientConfig" -}}
clientConfig:
  {{- if .root.Values.webhook.url }}
  url: {{ printf "%s%s" .root.Values.webhook.url .path }}
  {{- else }}
  service:
    name: {{ include "routecert.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    path: {{ .path }}
    port: 443
  {{- end }}
  {{- if .root.Values.webhook.caBundle }}
  caBundle: {{ .root.Values.webhook.caBundle }}
  {{- else if .root.Release.IsUpgrade }}
  {{- /* On upgrade the hook re-creates the registration: start it with the CA cainjector would inject,
         so that it is never without one (on install the Secret does not exist yet). */}}
  {{- $serving := lookup "v1" "Secret" .root.Release.Namespace (printf "%s-serving-tls" (include "routecert.fullname" .root)) }}
  {{- with (dig "data" "ca.crt" "" $serving) }}
  caBundle: {{ . }}
  {{- end }}
  {{- end }}
{{- end -}}

{{- define "routecert.webhookCommon" -}}
namespaceSelector:
  matchExpressions:
    # Never in the namespaces that must stay writable for the cluster, cert-manager and
    # routecert itself to recover (the label is set by Kubernetes 1.21 and later).
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: {{ include "routecert.excludedNamespaces" . }}
    # Opt a namespace out: kubectl label namespace NAME routecert.dev/exempt=true
    - key: routecert.dev/exempt
      operator: DoesNotExist
    {{- with .Values.webhook.extraMatchExpressions }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
rules:
  - apiGroups: ["networking.k8s.io"]
    apiVersions: ["v1"]
    resources: ["ingresses"]
    operations: ["CREATE", "UPDATE"]
    scope: Namespaced
  - apiGroups: ["traefik.io", "traefik.containo.us"]
    apiVersions: ["v1alpha1"]
    resources: ["ingressroutes", "ingressroutetcps"]
    operations: ["CREATE", "UPDATE"]
    scope: Namespaced
{{- end -}}
