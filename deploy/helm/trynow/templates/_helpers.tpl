{{/* Names and labels. */}}
{{- define "trynow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "trynow.fullname" -}}
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

{{- define "trynow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "trynow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: trynow
{{- end }}

{{- define "trynow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trynow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "trynow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "trynow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The five services: values key, name, HTTP port, and what each may touch.
docker: gets the Docker host (socket or TCP+TLS). caddyAdmin: gets Caddy's admin URL.
*/}}
{{- define "trynow.components" -}}
components:
  - {key: apiGateway, name: api-gateway, port: 8080, management: 9000, docker: false, caddyAdmin: false, gateway: true}
  - {key: poolService, name: pool-service, port: 8081, docker: false, caddyAdmin: false, gateway: false}
  - {key: provisionerWorker, name: provisioner-worker, port: 8082, docker: true, caddyAdmin: false, gateway: false}
  - {key: proxySync, name: proxy-sync, port: 8083, docker: false, caddyAdmin: true, gateway: false}
  - {key: cleanupWorker, name: cleanup-worker, port: 8084, docker: true, caddyAdmin: false, gateway: false}
{{- end }}

{{/* Image reference: repository/name:tag[@digest]. */}}
{{- define "trynow.image" -}}
{{- $root := index . 0 }}{{- $c := index . 1 }}{{- $svc := index . 2 }}
{{- $ref := printf "%s/%s:%s" $root.Values.image.repository $c.name $root.Values.image.tag }}
{{- if $svc.image.digest }}{{ printf "%s@%s" $ref $svc.image.digest }}{{ else }}{{ $ref }}{{ end }}
{{- end }}

{{- define "trynow.caddyImage" -}}
{{- $i := .Values.caddy.image }}
{{- $ref := printf "%s:%s" $i.repository $i.tag }}
{{- if $i.digest }}{{ printf "%s@%s" $ref $i.digest }}{{ else }}{{ $ref }}{{ end }}
{{- end }}

{{- define "trynow.gatewayAuthSecret" -}}
{{- default (printf "%s-gateway-auth" (include "trynow.fullname" .)) .Values.gatewayAuth.existingSecret }}
{{- end }}

{{/* Endpoints settings (platform EndpointsConfig) as env; the instance host defaults to the Docker host. */}}
{{- define "trynow.endpointsEnv" -}}
{{- $e := .Values.endpoints }}
{{- $instanceHost := $e.instanceHost }}
{{- if not $instanceHost }}
{{- if .Values.docker.host }}
{{- $instanceHost = (urlParse .Values.docker.host).hostname }}
{{- else }}
{{- $instanceHost = "127.0.0.1" }}
{{- end }}
{{- end }}
TRYNOW_ENDPOINTS_PUBLIC_SCHEME: {{ $e.publicScheme | quote }}
TRYNOW_ENDPOINTS_PUBLIC_PORT: {{ $e.publicPort | quote }}
TRYNOW_ENDPOINTS_CADDY_LISTEN_HOST: {{ $e.caddyListenHost | quote }}
TRYNOW_ENDPOINTS_INSTANCE_HOST: {{ $instanceHost | quote }}
TRYNOW_ENDPOINTS_PUBLISH_HOST: {{ $e.publishHost | quote }}
{{- end }}

{{- define "trynow.caddyAdminUrl" -}}
{{- if .Values.caddy.enabled }}
{{- printf "http://%s-caddy-admin:2019" (include "trynow.fullname" .) }}
{{- else }}
{{- required "caddy.external.adminUrl is required when caddy.enabled is false" .Values.caddy.external.adminUrl }}
{{- end }}
{{- end }}

{{/* Settings that must agree with each other; a wrong combination fails the install, naming the key. */}}
{{- define "trynow.validate" -}}
{{- if and .Values.valkey.tls.enabled (not .Values.valkey.urlSecret.name) (not (hasPrefix "rediss://" .Values.valkey.url)) }}
{{- fail "valkey.tls.enabled needs a rediss:// valkey.url" }}
{{- end }}
{{- if and (not .Values.valkey.tls.enabled) (not .Values.valkey.urlSecret.name) (hasPrefix "rediss://" .Values.valkey.url) }}
{{- fail "a rediss:// valkey.url needs valkey.tls.enabled and valkey.tls.existingSecret (the CA that signed the server)" }}
{{- end }}
{{- if and .Values.valkey.tls.enabled (not .Values.valkey.tls.existingSecret) }}
{{- fail "valkey.tls.enabled needs valkey.tls.existingSecret (ca.crt, and tls.crt/tls.key for clientCert)" }}
{{- end }}
{{- $natsAuth := list }}
{{- if .Values.nats.credentials.existingSecret }}{{ $natsAuth = append $natsAuth "nats.credentials.existingSecret" }}{{ end }}
{{- if .Values.nats.nkey.existingSecret }}{{ $natsAuth = append $natsAuth "nats.nkey.existingSecret" }}{{ end }}
{{- if .Values.nats.user }}{{ $natsAuth = append $natsAuth "nats.user" }}{{ end }}
{{- if .Values.nats.token.existingSecret }}{{ $natsAuth = append $natsAuth "nats.token.existingSecret" }}{{ end }}
{{- if gt (len $natsAuth) 1 }}
{{- fail (printf "%s exclude each other: one way to authenticate to NATS" (join " and " $natsAuth)) }}
{{- end }}
{{- if and .Values.nats.user (not .Values.nats.password.existingSecret) }}
{{- fail "nats.user needs nats.password.existingSecret (the user's password)" }}
{{- end }}
{{- if and .Values.nats.password.existingSecret (not .Values.nats.user) }}
{{- fail "nats.password.existingSecret needs nats.user" }}
{{- end }}
{{- if and .Values.valkey.user (not .Values.valkey.password.existingSecret) }}
{{- fail "valkey.user needs valkey.password.existingSecret (the ACL user's password)" }}
{{- end }}
{{- if and .Values.valkey.sentinel.enabled (not .Values.valkey.sentinel.masterName) }}
{{- fail "valkey.sentinel.enabled needs valkey.sentinel.masterName" }}
{{- end }}
{{- if and .Values.nats.tls.enabled (not .Values.nats.tls.existingSecret) }}
{{- fail "nats.tls.enabled needs nats.tls.existingSecret (ca.crt, and tls.crt/tls.key for clientCert)" }}
{{- end }}
{{- if and .Values.docker.tls.enabled (not .Values.docker.tls.existingSecret) }}
{{- fail "docker.tls.enabled needs docker.tls.existingSecret" }}
{{- end }}
{{- if and .Values.docker.tls.enabled (not (hasPrefix "tcp://" .Values.docker.host)) }}
{{- fail "docker.tls.enabled needs a tcp://host:2376 docker.host" }}
{{- end }}
{{- if and .Values.docker.hostSocket.enabled .Values.docker.host }}
{{- fail "docker.hostSocket.enabled and docker.host exclude each other" }}
{{- end }}
{{- if and (hasPrefix "tcp://" .Values.docker.host) (not .Values.docker.tls.enabled) }}
{{- fail "docker.host over tcp:// needs docker.tls.enabled: the Docker API without TLS is root on that host for anyone on the network" }}
{{- end }}
{{- end }}

{{/* A value as a .properties value: whole numbers without exponent, backslashes escaped. */}}
{{- define "trynow.propValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}{{ int64 . }}
{{- else }}{{ toString . | replace "\\" "\\\\" | replace "\n" "\\n" }}
{{- end }}
{{- end }}
