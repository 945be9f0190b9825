package bench.tf_bucket_versioning
import rego.v1
metadata := {
	"id": "B16",
	"name": "bucket-without-versioning",
	"title": "Buckets keep versions",
	"severity": "low",
	"policy": "reliability",
	"targets": ["terraform"],
	"description": "Buckets keep versions.",
	"remediation": "Change the configuration so that it holds.",
}

deny contains {"msg": sprintf("aws_s3_bucket.%s has no versioning resource", [b.labels[1]]), "at": b} if {
	some d in input.documents
	some b in d.blocks
	b.type == "resource"
	b.labels[0] == "aws_s3_bucket"
	not versioned
}

versioned if {
	some d in input.documents
	some b in d.blocks
	b.labels[0] == "aws_s3_bucket_versioning"
}
