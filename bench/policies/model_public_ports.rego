package bench.model_public_ports
import rego.v1
metadata := {
	"id": "B09",
	"name": "public-admin-port",
	"title": "No admin port is reachable from outside",
	"severity": "high",
	"policy": "no-public-db",
	"targets": [],
	"description": "No admin port is reachable from outside.",
	"remediation": "Change the configuration so that it holds.",
}

admin_ports := {8080, 9090, 15672}

deny contains {"msg": sprintf("%s opens admin port %d to the public", [e.subject, p]), "at": e} if {
	some e in input.model.exposures
	e.audience == "public"
	some p in admin_ports
	e.ports.from <= p
	p <= e.ports.to
}
