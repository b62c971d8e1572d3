{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "seedgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: <release>-<chart>, or the release name when it already holds it. */}}
{{- define "seedgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "seedgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "seedgate.labels" -}}
helm.sh/chart: {{ include "seedgate.chart" . }}
{{ include "seedgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: seedgate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select this release's pods. */}}
{{- define "seedgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seedgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "seedgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "seedgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "seedgate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The Secret holding the upstream key / client tokens: existing, created, or none. */}}
{{- define "seedgate.createSecret" -}}
{{- if and (not .Values.secret.existingSecret) (or .Values.secret.apiKey .Values.secret.clientTokens) }}true{{ end }}
{{- end }}

{{- define "seedgate.secretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else if include "seedgate.createSecret" . }}
{{- include "seedgate.fullname" . }}
{{- end }}
{{- end }}

{{/* Whether seedgate gets an upstream key (else it runs the bundled emulator). */}}
{{- define "seedgate.hasApiKey" -}}
{{- if or .Values.secret.existingSecret .Values.secret.apiKey }}true{{ end }}
{{- end }}

{{- define "seedgate.usesClientTokens" -}}
{{- if eq .Values.clientAuth.mode "tokens" }}true{{ end }}
{{- end }}

{{/* The client tokens file: one `name token [limit=N ...]` line per client. */}}
{{- define "seedgate.clientTokensFile" -}}
{{- range .Values.secret.clientTokens }}
{{- $line := printf "%s %s" .name .token }}
{{- if .requestsPerMinute }}{{ $line = printf "%s requests_per_minute=%d" $line (int .requestsPerMinute) }}{{ end }}
{{- if .concurrentStreams }}{{ $line = printf "%s concurrent_streams=%d" $line (int .concurrentStreams) }}{{ end }}
{{- if .tokensPerMinute }}{{ $line = printf "%s tokens_per_minute=%d" $line (int .tokensPerMinute) }}{{ end }}
{{ $line }}
{{- end }}
{{- end }}

{{/* Where the mounted files live in the container. */}}
{{- define "seedgate.secretDir" -}}/etc/seedgate/secret{{- end }}
{{- define "seedgate.tlsDir" -}}/etc/seedgate/tls{{- end }}
{{- define "seedgate.clientCaDir" -}}/etc/seedgate/client-ca{{- end }}
{{- define "seedgate.upstreamCaDir" -}}/etc/seedgate/upstream-ca{{- end }}

{{/* terminationGracePeriodSeconds: above preStop + --shutdown_grace, or the kubelet kills running streams. */}}
{{- define "seedgate.terminationGracePeriodSeconds" -}}
{{- $needed := add .Values.shutdown.preStopSleepSeconds .Values.shutdown.graceSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $needed 15 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed shutdown.preStopSleepSeconds + shutdown.graceSeconds (%v): the kubelet would kill streams seedgate is still finishing" .Values.terminationGracePeriodSeconds $needed) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* seedgate's command-line flags. */}}
{{- define "seedgate.args" -}}
- --listen=0.0.0.0:{{ .Values.ports.grpc }}
- --metrics_listen=0.0.0.0:{{ .Values.ports.metrics }}
- --upstream_base_urls={{ join "," .Values.config.upstreamBaseUrls }}
- --upstream_http_version={{ .Values.config.upstreamHttpVersion }}
- --connect_timeout={{ .Values.config.connectTimeout }}
- --request_timeout={{ .Values.config.requestTimeout }}
- --shutdown_grace={{ .Values.shutdown.graceSeconds }}s
- --max_connection_age={{ .Values.config.maxConnectionAge }}
- --max_concurrent_rpcs={{ .Values.config.maxConcurrentRpcs }}
- --max_request_bytes={{ .Values.config.maxRequestBytes }}
- --allow_unknown_models={{ .Values.config.allowUnknownModels }}
{{- if include "seedgate.hasApiKey" . }}
- --api_key_file={{ include "seedgate.secretDir" . }}/{{ .Values.secret.apiKeyKey }}
- --require_api_key=true
{{- end }}
{{- if .Values.config.upstreamCa.configMapName }}
- --upstream_ca_file={{ include "seedgate.upstreamCaDir" . }}/{{ .Values.config.upstreamCa.key }}
{{- end }}
{{- /* Issue #7 flags: emitted only when asked for, so that older builds start. */}}
{{- if .Values.clientAuth.mode }}
- --client_auth={{ .Values.clientAuth.mode }}
{{- end }}
{{- if include "seedgate.usesClientTokens" . }}
- --client_tokens_file={{ include "seedgate.secretDir" . }}/{{ .Values.secret.clientTokensKey }}
{{- end }}
{{- if .Values.tls.enabled }}
- --tls_cert={{ include "seedgate.tlsDir" . }}/tls.crt
- --tls_key={{ include "seedgate.tlsDir" . }}/tls.key
{{- end }}
{{- if .Values.tls.clientCa.secretName }}
- --tls_client_ca={{ include "seedgate.clientCaDir" . }}/{{ .Values.tls.clientCa.key }}
{{- end }}
{{- range .Values.config.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/* Checks across values that the schema cannot express. */}}
{{- define "seedgate.validate" -}}
{{- if and (eq .Values.clientAuth.mode "tokens") (not .Values.secret.existingSecret) (not .Values.secret.clientTokens) }}
{{- fail "clientAuth.mode=tokens needs client tokens: secret.clientTokens, or secret.existingSecret with the key secret.clientTokensKey" }}
{{- end }}
{{- if and (eq .Values.clientAuth.mode "mtls") (not (and .Values.tls.enabled .Values.tls.clientCa.secretName)) }}
{{- fail "clientAuth.mode=mtls needs tls.enabled=true and tls.clientCa.secretName (the CA that signs client certificates)" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tls.enabled=true needs tls.secretName: a kubernetes.io/tls Secret with tls.crt and tls.key" }}
{{- end }}
{{- if and .Values.tls.clientCa.secretName (not .Values.tls.enabled) }}
{{- fail "tls.clientCa.secretName needs tls.enabled=true: client certificates are checked during the TLS handshake" }}
{{- end }}
{{- if and .Values.secret.existingSecret (or .Values.secret.apiKey .Values.secret.clientTokens) }}
{{- fail "secret.existingSecret is set: leave secret.apiKey and secret.clientTokens empty (the existing Secret holds them)" }}
{{- end }}
{{- if and .Values.secret.clientTokens (ne .Values.clientAuth.mode "tokens") }}
{{- fail "secret.clientTokens is set but clientAuth.mode is not \"tokens\": the tokens would not be used" }}
{{- end }}
{{- /* Secret values: checked here and not in the schema, whose errors print the value. */}}
{{- if and .Values.secret.apiKey (not (regexMatch "^[!-~]+$" .Values.secret.apiKey)) }}
{{- fail "secret.apiKey holds spaces, line breaks or non-ASCII characters (value not shown): expected only the key" }}
{{- end }}
{{- range $i, $client := .Values.secret.clientTokens }}
{{- if not (regexMatch "^[!-\"$-~]{16,}$" (toString $client.token)) }}
{{- fail (printf "secret.clientTokens[%d].token (client %s) must be at least 16 printable characters without spaces or '#' (value not shown)" $i (toString $client.name)) }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.inFlight.enabled) }}
{{- fail "autoscaling needs a metric: autoscaling.targetCPUUtilizationPercentage and/or autoscaling.inFlight.enabled" }}
{{- end }}
{{- end }}

{{/* A probe's action: the standard gRPC health service on the gRPC port. The kubelet's gRPC
probe speaks plaintext only, so with TLS on the port it falls back to a TCP connect. */}}
{{- define "seedgate.probeAction" -}}
{{- if .Values.tls.enabled }}
tcpSocket:
  port: grpc
{{- else }}
grpc:
  port: {{ .Values.ports.grpc }}
{{- end }}
{{- end }}
