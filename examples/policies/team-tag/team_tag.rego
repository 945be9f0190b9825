# Cloud resources carry a `team` tag, in Terraform and in CloudFormation. Tags that are decided
# at deploy time (an unresolved variable, a `merge` of module inputs) are not judged.
package examples.team_tag

import rego.v1

metadata := {
	"id": "ORG003",
	"name": "cloud-resource-without-team-tag",
	"title": "Cloud resources carry a team tag",
	"severity": "low",
	"policy": "reliability",
	"targets": ["terraform", "cloudformation"],
	"description": "Cost reports and incident response find a resource's owners by its `team` tag.",
	"remediation": "Add a `team` tag to the resource, or to the AWS provider's `default_tags`.",
}

# Resources that cost money or hold data, and take tags.
tagged_terraform := {
	"aws_instance", "aws_s3_bucket", "aws_db_instance", "aws_rds_cluster",
	"aws_lb", "aws_eks_cluster", "aws_dynamodb_table", "aws_elasticache_cluster",
	"aws_lambda_function", "aws_ecs_cluster", "aws_vpc",
}

tagged_cloudformation := {
	"AWS::EC2::Instance", "AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
	"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EKS::Cluster", "AWS::DynamoDB::Table",
	"AWS::Lambda::Function", "AWS::ECS::Cluster", "AWS::EC2::VPC",
}

# Terraform: `tags` without `team`, unless the provider tags every resource.
deny contains result if {
	input.format == "terraform"
	not provider_default_team
	some document in input.documents
	some block in document.blocks
	block.type == "resource"
	tagged_terraform[block.labels[0]]
	not has_team(block.body)
	result := {
		"msg": sprintf("%s.%s has no `team` tag", [block.labels[0], block.labels[1]]),
		"at": block,
		"key": "tags",
	}
}

has_team(body) if body.tags.team

# Decided at deploy time: not judged.
has_team(body) if is_string(body.tags)

provider_default_team if {
	some document in input.documents
	some block in document.blocks
	block.type == "provider"
	block.labels[0] == "aws"
	some default_tags in block.body.default_tags
	default_tags.tags.team
}

# CloudFormation: `Tags: [{Key, Value}]` without `team`.
deny contains result if {
	input.format == "cloudformation"
	some document in input.documents
	some name, resource in document.Resources
	tagged_cloudformation[resource.Type]
	not cloudformation_team(resource)
	result := {
		"msg": sprintf("`%s` (%s) has no `team` tag", [name, resource.Type]),
		"at": document,
		"path": ["Resources", name, "Type"],
	}
}

cloudformation_team(resource) if {
	some tag in resource.Properties.Tags
	tag.Key == "team"
}

# Tags from an intrinsic function (`!If`, `!Ref`) are decided at deploy time.
cloudformation_team(resource) if is_object(resource.Properties.Tags)
