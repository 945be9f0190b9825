package bench.docker_upgrade
import rego.v1
metadata := {
	"id": "B13",
	"name": "package-upgrade",
	"title": "Builds do not upgrade every package",
	"severity": "low",
	"policy": "reliability",
	"targets": ["dockerfile"],
	"description": "Builds do not upgrade every package.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": "RUN upgrades every package", "at": i} if {
	some d in input.documents
	some i in d.instructions
	i.instruction == "RUN"
	regex.match(`(apt-get|apt|apk|yum|dnf)\s+(dist-)?upgrade`, i.arguments)
}
