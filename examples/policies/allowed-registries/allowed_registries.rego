# Images come from the organisation's registries only, whatever file deploys them: the model's
# containers are read the same way for Kubernetes, compose, Dockerfiles, CI jobs, ECS and Batch.
package examples.allowed_registries

import rego.v1

metadata := {
	"id": "ORG002",
	"name": "image-from-unapproved-registry",
	"title": "Images come from approved registries",
	"severity": "high",
	"policy": "supply-chain",
	"description": "Images pulled from public registries skip the organisation's scanning and signing, and can change or vanish under a deployment.",
	"remediation": "Mirror the image into an approved registry and deploy it from there.\nApproved: `registry.example.com/` and `ghcr.io/example-org/`.",
	"controls": ["cis-docker-4/4.2"],
}

approved := ["registry.example.com/", "ghcr.io/example-org/"]

deny contains result if {
	some workload in input.model.workloads
	some container in workload.containers
	image := container.image
	is_string(image)
	not container.image_built_here
	not from_approved(image)
	result := {
		"msg": sprintf("%s pulls `%s`, which is not from an approved registry", [container.name, image]),
		"at": container,
	}
}

from_approved(image) if {
	some prefix in approved
	startswith(image, prefix)
}

# A Dockerfile builds its image here; what it pulls are the base images of its stages (not
# `scratch`, and not a stage built earlier in the same file).
deny contains result if {
	input.format == "dockerfile"
	some document in input.documents
	some stage in document.stages
	stage.image != "scratch"
	not built_earlier(document, stage)
	not from_approved(stage.image)
	result := {
		"msg": sprintf("stage %d is built from `%s`, which is not from an approved registry", [stage.index, stage.image]),
		"at": stage,
	}
}

built_earlier(document, stage) if {
	some earlier in document.stages
	earlier.index < stage.index
	earlier.name == lower(stage.image)
}
