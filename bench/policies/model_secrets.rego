package bench.model_secrets
import rego.v1
metadata := {
	"id": "B10",
	"name": "many-secrets",
	"title": "A unit holds at most three hardcoded secrets",
	"severity": "medium",
	"policy": "no-hardcoded-secrets",
	"targets": [],
	"description": "A unit holds at most three hardcoded secrets.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("%d hardcoded secrets", [count(input.model.secrets)])} if {
	count(input.model.secrets) > 3
}
