package bench.tf_instance_types
import rego.v1
metadata := {
	"id": "B15",
	"name": "instance-type-not-allowed",
	"title": "Instances use approved types",
	"severity": "medium",
	"policy": "reliability",
	"targets": ["terraform"],
	"description": "Instances use approved types.",
	"remediation": "Change the configuration so that it holds.",
}

allowed := {"t3.micro", "t3.small", "m6i.large"}

deny contains {"msg": sprintf("%s uses %v", [b.labels[1], b.body.instance_type]), "at": b, "key": "instance_type"} if {
	some d in input.documents
	some b in d.blocks
	b.type == "resource"
	b.labels[0] == "aws_instance"
	is_string(b.body.instance_type)
	not startswith(b.body.instance_type, "${")
	not allowed[b.body.instance_type]
}
