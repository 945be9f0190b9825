package bench.k8s_replicas
import rego.v1
metadata := {
	"id": "B02",
	"name": "single-replica",
	"title": "Deployments run at least two replicas",
	"severity": "low",
	"policy": "reliability",
	"targets": ["kubernetes"],
	"description": "Deployments run at least two replicas.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("Deployment/%s runs %d replica", [d.metadata.name, n]), "at": d, "path": ["spec", "replicas"]} if {
	some d in input.documents
	d.kind == "Deployment"
	n := object.get(d.spec, "replicas", 1)
	n < 2
}
