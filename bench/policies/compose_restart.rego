package bench.compose_restart
import rego.v1
metadata := {
	"id": "B17",
	"name": "no-restart-policy",
	"title": "Compose services set a restart policy",
	"severity": "info",
	"policy": "reliability",
	"targets": ["compose"],
	"description": "Compose services set a restart policy.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("service %s sets no restart policy", [name]), "at": d, "path": ["services", name]} if {
	some d in input.documents
	some name, svc in d.services
	not svc.restart
}
