package bench.model_privileged
import rego.v1
metadata := {
	"id": "B08",
	"name": "privileged-anywhere",
	"title": "No container runs privileged, in any format",
	"severity": "high",
	"policy": "no-root",
	"targets": [],
	"description": "No container runs privileged, in any format.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("%s runs privileged", [c.name]), "at": c} if {
	some w in input.model.workloads
	some c in w.containers
	c.privileged
}
