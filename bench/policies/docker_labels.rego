package bench.docker_labels
import rego.v1
metadata := {
	"id": "B12",
	"name": "missing-oci-labels",
	"title": "Images carry a source label",
	"severity": "info",
	"policy": "reliability",
	"targets": ["dockerfile"],
	"description": "Images carry a source label.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": "the image has no org.opencontainers.image.source label", "at": s} if {
	some d in input.documents
	some s in d.stages
	s.final
	not source_label(d)
}

source_label(d) if {
	some i in d.instructions
	i.instruction == "LABEL"
	some p in i.pairs
	p.key == "org.opencontainers.image.source"
}
