package bench.k8s_ingress_hosts
import rego.v1
metadata := {
	"id": "B07",
	"name": "ingress-host-outside-domain",
	"title": "Ingress hosts are under the company domain",
	"severity": "medium",
	"policy": "hardening",
	"targets": ["kubernetes"],
	"description": "Ingress hosts are under the company domain.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("Ingress/%s serves %s", [d.metadata.name, rule.host]), "at": rule, "key": "host"} if {
	some d in input.documents
	d.kind == "Ingress"
	some rule in d.spec.rules
	not endswith(rule.host, ".example.com")
}
