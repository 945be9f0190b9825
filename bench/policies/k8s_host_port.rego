package bench.k8s_host_port
import rego.v1
metadata := {
	"id": "B03",
	"name": "host-port",
	"title": "Containers do not bind host ports",
	"severity": "medium",
	"policy": "hardening",
	"targets": ["kubernetes"],
	"description": "Containers do not bind host ports.",
	"remediation": "Change the configuration so that it holds.",
}

pod_spec(d) := d.spec.template.spec if d.spec.template.spec
pod_spec(d) := d.spec if d.kind == "Pod"
pod_spec(d) := d.spec.jobTemplate.spec.template.spec if d.kind == "CronJob"

deny contains {"msg": sprintf("container %s binds host port %d", [c.name, p.hostPort]), "at": p} if {
	some d in input.documents
	some c in pod_spec(d).containers
	some p in c.ports
	p.hostPort
}
