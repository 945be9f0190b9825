package bench.docker_workdir
import rego.v1
metadata := {
	"id": "B14",
	"name": "no-workdir",
	"title": "Final stages set a WORKDIR",
	"severity": "info",
	"policy": "reliability",
	"targets": ["dockerfile"],
	"description": "Final stages set a WORKDIR.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": "the final stage sets no WORKDIR", "at": s} if {
	some d in input.documents
	some s in d.stages
	s.final
	not workdir_in(d, s.index)
}

workdir_in(d, index) if {
	some i in d.instructions
	i.stage == index
	i.instruction == "WORKDIR"
}
