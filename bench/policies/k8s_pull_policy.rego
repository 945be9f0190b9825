package bench.k8s_pull_policy
import rego.v1
metadata := {
	"id": "B06",
	"name": "pull-policy-not-always",
	"title": "Containers pull images with a pull policy",
	"severity": "info",
	"policy": "reliability",
	"targets": ["kubernetes"],
	"description": "Containers pull images with a pull policy.",
	"remediation": "Change the configuration so that it holds.",
}

pod_spec(d) := d.spec.template.spec if d.spec.template.spec
pod_spec(d) := d.spec if d.kind == "Pod"

deny contains {"msg": sprintf("container %s sets no imagePullPolicy", [c.name]), "at": c} if {
	some d in input.documents
	some c in pod_spec(d).containers
	not c.imagePullPolicy
}
