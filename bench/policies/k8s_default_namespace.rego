package bench.k8s_default_namespace
import rego.v1
metadata := {
	"id": "B01",
	"name": "default-namespace",
	"title": "Resources name a namespace other than default",
	"severity": "low",
	"policy": "hardening",
	"targets": ["kubernetes"],
	"description": "Resources name a namespace other than default.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("%s/%s is in the default namespace", [d.kind, d.metadata.name]), "at": d, "path": ["metadata", "namespace"]} if {
	some d in input.documents
	d.metadata.namespace == "default"
}
