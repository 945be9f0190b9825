package bench.k8s_nodeport
import rego.v1
metadata := {
	"id": "B05",
	"name": "nodeport-service",
	"title": "Services are not NodePort",
	"severity": "low",
	"policy": "hardening",
	"targets": ["kubernetes"],
	"description": "Services are not NodePort.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("Service/%s is a NodePort", [d.metadata.name]), "at": d, "path": ["spec", "type"]} if {
	some d in input.documents
	d.kind == "Service"
	d.spec.type == "NodePort"
}
