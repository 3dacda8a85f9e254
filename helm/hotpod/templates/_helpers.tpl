{{- define "hotpod.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hotpod.labels" -}}
app.kubernetes.io/name: {{ include "hotpod.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: dev
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "hotpod.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hotpod.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hotpod.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end -}}

{{- define "hotpod.restricted" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
{{- end -}}
