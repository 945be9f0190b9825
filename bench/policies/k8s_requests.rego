package bench.k8s_requests
import rego.v1
metadata := {
	"id": "B04",
	"name": "missing-requests",
	"title": "Containers request CPU and memory",
	"severity": "low",
	"policy": "reliability",
	"targets": ["kubernetes"],
	"description": "Containers request CPU and memory.",
	"remediation": "Change the configuration so that it holds.",
}

pod_spec(d) := d.spec.template.spec if d.spec.template.spec
pod_spec(d) := d.spec if d.kind == "Pod"

deny contains {"msg": sprintf("container %s requests no %s", [c.name, r]), "at": c} if {
	some d in input.documents
	some c in pod_spec(d).containers
	some r in ["cpu", "memory"]
	not c.resources.requests[r]
}
