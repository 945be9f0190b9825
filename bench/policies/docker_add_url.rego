package bench.docker_add_url
import rego.v1
metadata := {
	"id": "B11",
	"name": "add-from-url",
	"title": "ADD does not fetch URLs",
	"severity": "medium",
	"policy": "supply-chain",
	"targets": ["dockerfile"],
	"description": "ADD does not fetch URLs.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": "ADD fetches a URL", "at": i} if {
	some d in input.documents
	some i in d.instructions
	i.instruction == "ADD"
	contains(i.arguments, "://")
}
