# Workloads and Services say who owns them: the `team` and `app.kubernetes.io/name` labels.
package examples.required_labels

import rego.v1

metadata := {
	"id": "ORG001",
	"name": "workload-without-owner-labels",
	"title": "Workloads carry the labels that say who owns them",
	"severity": "medium",
	"policy": "reliability",
	"targets": ["kubernetes"],
	"description": "Alerts, cost reports and incident tooling find a workload's owners by its `team` and `app.kubernetes.io/name` labels. A workload without them pages nobody.",
	"remediation": "Add the missing labels to the resource's `metadata.labels`.\nFor example `team: payments` and `app.kubernetes.io/name: checkout`.",
}

required := ["team", "app.kubernetes.io/name"]

labelled_kinds := {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service"}

deny contains result if {
	some document in input.documents
	labelled_kinds[document.kind]
	missing := [label | some label in required; not document.metadata.labels[label]]
	count(missing) > 0
	result := {
		"msg": sprintf("%s/%s has no %s label", [document.kind, document.metadata.name, concat(" and no ", [sprintf("`%s`", [l]) | some l in missing])]),
		"at": document,
		"path": ["metadata", "name"],
	}
}
