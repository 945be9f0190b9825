//! CloudFormation lowered into the model: security group ingress rules are exposures, a
//! database instance or cluster with `PubliclyAccessible: true` is a data store anyone can
//! reach, ECS and Batch container definitions are containers, and every literal property of a
//! resource and every parameter default is where secrets are looked for.
//!
//! Values are read through [`Template::value`]: a parameter's default counts as what is
//! deployed (an `SSHLocation` parameter defaulting to `0.0.0.0/0` opens SSH to the world, and
//! the message says where the value comes from); a value decided at deploy time is not judged.

use std::borrow::Cow;
use std::ops::Range;

use crate::formats::cloudformation::{Resource, Template, Value};
use crate::formats::yaml::NodeId;
use crate::model::image::is_root_user;
use crate::model::ports::is_everyone;
use crate::model::{
    Audience, Container, Deployment, Exposure, Fact, Health, Label, Ports, Reach, Secret, Setting,
    User, Workload,
};
use crate::secrets;

pub fn lower<'a>(template: &'a Template<'_>) -> Deployment<'a> {
    let mut deployment = Deployment::default();
    let fronted = load_balanced_groups(template);
    for resource in &template.resources {
        match resource.kind.as_str() {
            "AWS::EC2::SecurityGroup" => {
                let rules = template.property_value(resource.properties, "SecurityGroupIngress");
                for rule in mappings(&rules) {
                    deployment.exposures.extend(ingress(
                        template,
                        resource,
                        &resource.id,
                        Some(rule),
                        &fronted,
                    ));
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                // The group the rule is added to: `GroupId: !Ref Group` or `!GetAtt Group.GroupId`.
                let group = template
                    .property(resource.properties, "GroupId")
                    .and_then(|g| template.referenced(g.value).into_iter().next())
                    .unwrap_or_else(|| resource.id.clone());
                deployment.exposures.extend(ingress(
                    template,
                    resource,
                    &group,
                    resource.properties,
                    &fronted,
                ));
            }
            "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => {
                deployment
                    .exposures
                    .extend(search_domain_outside_vpc(template, resource));
            }
            "AWS::RDS::DBInstance" | "AWS::Redshift::Cluster" | "AWS::DMS::ReplicationInstance" => {
                deployment
                    .exposures
                    .extend(public_database(template, resource));
            }
            "AWS::ECS::TaskDefinition" => {
                let definitions =
                    template.property_value(resource.properties, "ContainerDefinitions");
                let containers = mappings(&definitions)
                    .into_iter()
                    .map(|definition| container(template, resource, definition))
                    .collect();
                deployment
                    .workloads
                    .push(workload(resource, "task definition", containers));
            }
            "AWS::Batch::JobDefinition" => {
                if let Value::Mapping(properties) =
                    template.property_value(resource.properties, "ContainerProperties")
                {
                    let containers = vec![container(template, resource, properties)];
                    deployment
                        .workloads
                        .push(workload(resource, "job definition", containers));
                }
            }
            _ => {}
        }
        if let Some(properties) = resource.properties {
            let owner = format!("`{}`", resource.id);
            literal_secrets(
                template,
                properties,
                &owner,
                false,
                0,
                &mut deployment.secrets,
            );
        }
    }
    // SAM's `Globals` give every function (API, table) the properties they hold.
    if template.sam
        && let Some(globals) = template.yaml.get(template.root, "Globals")
    {
        literal_secrets(
            template,
            globals.value,
            "`Globals`",
            false,
            0,
            &mut deployment.secrets,
        );
    }
    parameter_secrets(template, &mut deployment.secrets);
    deployment
}

/// The mappings a list value holds (items an `!If` leaves out are gone already).
fn mappings(value: &Value) -> Vec<NodeId> {
    match value {
        Value::List(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::Mapping(node) => Some(*node),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn workload<'a>(
    resource: &'a Resource,
    what: &str,
    containers: Vec<Container<'a>>,
) -> Workload<'a> {
    Workload {
        label: Label::Owned(format!("{what} `{}`", resource.id)),
        host_namespaces: Vec::new(),
        host: "host",
        containers,
    }
}

/// Where a value comes from, when a parameter gives it: ends a sentence.
fn from_parameter(template: &Template<'_>, node: NodeId, value: &Value) -> Cow<'static, str> {
    match (template.referenced_parameter(node), value.as_str()) {
        (Some(parameter), Some(value)) => Cow::Owned(format!(
            " through parameter `{}`, whose value is `{}`",
            parameter.name,
            value.trim()
        )),
        _ => Cow::Borrowed(""),
    }
}

/// A security group that only load balancers use, and the ports they listen on (`None`
/// when some listener's port is decided at deploy time).
struct Fronted {
    group: String,
    balancers: Vec<(String, Option<Vec<u16>>)>,
}

const LOAD_BALANCERS: &[&str] = &[
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
];

/// Keys that name a group as a rule's source or target, not as a group something runs in.
const RULE_KEYS: &[&str] = &[
    "GroupId",
    "GroupName",
    "SourceSecurityGroupId",
    "SourceSecurityGroupName",
    "SourceSecurityGroupOwnerId",
    "DestinationSecurityGroupId",
];

/// The security groups of the template that only its load balancers use. Traffic from the
/// internet to such a group reaches the load balancers' listeners and nothing else, so an
/// `IpProtocol: -1` rule on it does not open SSH or a database. A group exported in
/// `Outputs`, or used by anything else, may be attached to instances: it is judged as written.
fn load_balanced_groups(template: &Template<'_>) -> Vec<Fronted> {
    let yaml = template.yaml;
    let groups: Vec<&str> = template
        .resources_of(&["AWS::EC2::SecurityGroup"])
        .map(|r| r.id.as_str())
        .collect();
    let mut balancers_of: Vec<(String, Vec<String>)> = Vec::new();
    let mut used_otherwise: Vec<String> = Vec::new();
    for resource in &template.resources {
        let Some(properties) = resource.properties else {
            continue;
        };
        let balancer = LOAD_BALANCERS.contains(&resource.kind.as_str());
        for (key, named) in template.references(properties) {
            if !groups.contains(&named.as_str()) || RULE_KEYS.contains(&key.as_str()) {
                continue;
            }
            if balancer && key == "SecurityGroups" {
                match balancers_of.iter_mut().find(|(g, _)| *g == named) {
                    Some((_, balancers)) => balancers.push(resource.id.clone()),
                    None => balancers_of.push((named, vec![resource.id.clone()])),
                }
            } else {
                used_otherwise.push(named);
            }
        }
    }
    if let Some(outputs) = yaml.get(template.root, "Outputs") {
        used_otherwise.extend(template.referenced(outputs.value));
    }
    balancers_of
        .into_iter()
        .filter(|(group, _)| !used_otherwise.contains(group))
        .map(|(group, balancers)| Fronted {
            group,
            balancers: balancers
                .into_iter()
                .map(|balancer| {
                    let ports = listener_ports(template, &balancer);
                    (balancer, ports)
                })
                .collect(),
        })
        .collect()
}

/// The ports a load balancer listens on: its `AWS::ElasticLoadBalancingV2::Listener`s, or a
/// classic one's `Listeners`. `None` when one of them is decided at deploy time.
fn listener_ports(template: &Template<'_>, balancer: &str) -> Option<Vec<u16>> {
    let port = |value: Value| value.as_str().and_then(|p| p.trim().parse::<u16>().ok());
    let mut ports = Vec::new();
    for listener in template.resources_of(&["AWS::ElasticLoadBalancingV2::Listener"]) {
        let Some(arn) = template.property(listener.properties, "LoadBalancerArn") else {
            continue;
        };
        if template
            .referenced(arn.value)
            .iter()
            .any(|named| named == balancer)
        {
            ports.push(port(template.property_value(listener.properties, "Port"))?);
        }
    }
    if let Some(resource) = template.resources.iter().find(|r| r.id == balancer) {
        let listeners = template.property_value(resource.properties, "Listeners");
        for listener in mappings(&listeners) {
            ports.push(port(
                template.property_value(Some(listener), "LoadBalancerPort"),
            )?);
        }
    }
    Some(ports)
}

/// An ingress rule (an item of `SecurityGroupIngress`, or the properties of an
/// `AWS::EC2::SecurityGroupIngress`) of `group` from the whole internet, over TCP. On a group
/// only load balancers use, the ports it opens are those they listen on.
fn ingress<'a>(
    template: &Template<'_>,
    resource: &Resource,
    group: &str,
    rule: Option<NodeId>,
    fronted: &[Fronted],
) -> Vec<Exposure<'a>> {
    let Some((ports, source, value)) = world_ingress(template, rule) else {
        return Vec::new();
    };
    let yaml = template.yaml;
    let exposure = |open: Ports, how: Cow<'static, str>| Exposure {
        subject: Label::Owned(format!("security group `{}`", resource.id)),
        verb: "lets anyone on the internet reach",
        reach: Reach::Ports {
            open,
            denied: Vec::new(),
        },
        how,
        audience: Audience::Public,
        span: yaml.span(source),
        file: 0,
    };
    let Some(fronted) = fronted.iter().find(|f| f.group == group) else {
        return vec![exposure(ports, from_parameter(template, source, &value))];
    };
    let mut exposures = Vec::new();
    for (balancer, listening) in &fronted.balancers {
        for &port in listening.iter().flatten() {
            if ports.contains(port) {
                let how = format!(
                    " through load balancer `{balancer}`, its only user, listening on port {port}"
                );
                exposures.push(exposure(Ports::Range(port, port), Cow::Owned(how)));
            }
        }
    }
    exposures
}

/// The ports an ingress rule opens to `0.0.0.0/0` or `::/0` over TCP, the source's node and
/// its value.
fn world_ingress(template: &Template<'_>, rule: Option<NodeId>) -> Option<(Ports, NodeId, Value)> {
    let protocol = template
        .property_value(rule, "IpProtocol")
        .as_str()?
        .trim()
        .to_ascii_lowercase();
    let ports = match protocol.as_str() {
        "-1" | "all" => Ports::All,
        "tcp" | "6" => {
            let port = |key| {
                template
                    .property_value(rule, key)
                    .as_str()
                    .and_then(|p| p.trim().parse::<i32>().ok())
            };
            match (port("FromPort")?, port("ToPort")?) {
                (-1, _) | (_, -1) => Ports::All,
                (from, to) => {
                    let from = u16::try_from(from).ok()?;
                    let to = u16::try_from(to).ok()?;
                    Ports::Range(from, to.max(from))
                }
            }
        }
        _ => return None,
    };
    let (source, value) = ["CidrIp", "CidrIpv6"].iter().find_map(|key| {
        let entry = template.property(rule, key)?;
        let value = template.value(entry.value);
        value
            .as_str()
            .is_some_and(is_everyone)
            .then_some((entry.value, value))
    })?;
    Some((ports, source, value))
}

/// `PubliclyAccessible: true` on a database instance or cluster (an RDS or Aurora instance, a
/// Redshift cluster, a DMS replication instance). Left out, AWS decides by the network the
/// instance is placed in: an RDS instance without `DBSubnetGroupName` goes into the default
/// VPC, which AWS creates with an internet gateway, and is then public; in a subnet group, it
/// depends on that VPC's gateways, which is not judged.
fn public_database<'a>(template: &Template<'_>, resource: &Resource) -> Option<Exposure<'a>> {
    let properties = resource.properties;
    let Some(entry) = template.property(properties, "PubliclyAccessible") else {
        let placed_elsewhere = [
            "DBSubnetGroupName",
            "DBClusterIdentifier",
            "SourceDBInstanceIdentifier",
        ]
        .iter()
        .any(|key| template.property(properties, key).is_some());
        if resource.kind != "AWS::RDS::DBInstance" || placed_elsewhere {
            return None;
        }
        return Some(Exposure {
            subject: Label::Owned(format!("database instance `{}`", resource.id)),
            verb: "is reachable from",
            reach: Reach::Store {
                sentence: "has a public endpoint by AWS's default: without `DBSubnetGroupName` it is placed in the default VPC, whose internet gateway makes it public unless `PubliclyAccessible: false`".to_owned(),
            },
            how: Cow::Borrowed(""),
            audience: Audience::Public,
            span: resource.site.clone(),
            file: 0,
        });
    };
    let value = template.value(entry.value);
    if value.as_bool() != Some(true) {
        return None;
    }
    let what = match resource.kind.as_str() {
        "AWS::Redshift::Cluster" => "Redshift cluster",
        "AWS::DMS::ReplicationInstance" => "DMS replication instance",
        _ => "database instance",
    };
    Some(Exposure {
        subject: Label::Owned(format!("{what} `{}`", resource.id)),
        verb: "is reachable from",
        reach: Reach::Store {
            sentence: "has a public endpoint (`PubliclyAccessible: true`)".to_owned(),
        },
        how: from_parameter(template, entry.value, &value),
        audience: Audience::Public,
        span: template.yaml.site(entry),
        file: 0,
    })
}

/// An OpenSearch (or Elasticsearch) domain without `VPCOptions`: its endpoint is on the
/// internet, whatever its access policy says (the same judgement as for Terraform's domains).
fn search_domain_outside_vpc<'a>(
    template: &Template<'_>,
    resource: &Resource,
) -> Option<Exposure<'a>> {
    if template
        .property(resource.properties, "VPCOptions")
        .is_some()
    {
        return None;
    }
    Some(Exposure {
        subject: Label::Owned(format!("search domain `{}`", resource.id)),
        verb: "is reachable from",
        reach: Reach::Store {
            sentence: "has a public endpoint: it is not placed in a VPC (`VPCOptions`)".to_owned(),
        },
        how: Cow::Borrowed(""),
        audience: Audience::Public,
        span: resource.site.clone(),
        file: 0,
    })
}

/// One container definition (ECS) or container properties (Batch).
fn container<'a>(template: &Template<'_>, resource: &'a Resource, node: NodeId) -> Container<'a> {
    let yaml = template.yaml;
    let name = template
        .property_value(Some(node), "Name")
        .as_str()
        .map(str::to_owned);
    let label = match name {
        Some(name) => Label::Owned(format!("container `{name}` of `{}`", resource.id)),
        None => Label::Owned(format!("the container of `{}`", resource.id)),
    };
    let site = template
        .property(Some(node), "Name")
        .map_or_else(|| yaml.span(node), |e| yaml.span(e.value));
    let image = template.property(Some(node), "Image").and_then(|entry| {
        let value = template.value(entry.value);
        Some(Fact::new(
            value.as_str()?.trim().to_owned(),
            yaml.span(entry.value),
        ))
    });
    let privileged = template
        .property(Some(node), "Privileged")
        .filter(|e| template.value(e.value).as_bool() == Some(true))
        .map(|e| yaml.site(e));
    let user = match template.property(Some(node), "User") {
        Some(entry) => match template.value(entry.value).as_str().map(str::trim) {
            Some(user) if is_root_user(user) => User::Root {
                span: yaml.site(entry),
                because: format!(" (`User: {user}`)"),
                related: Vec::new(),
            },
            Some(_) => User::NonRoot,
            None => User::Unknown,
        },
        // The image's own user, which the template does not say.
        None => User::Unknown,
    };
    let capabilities_added = match template.property(Some(node), "LinuxParameters") {
        Some(linux) => {
            let capabilities = template.property_value(Some(linux.value), "Capabilities");
            let added = match capabilities {
                Value::Mapping(node) => template.property(Some(node), "Add"),
                _ => None,
            };
            added
                .map(|add| yaml.items(add.value).to_vec())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| {
                    let value = template.value(item);
                    Some(Fact::new(value.as_str()?.to_owned(), yaml.span(item)))
                })
                .collect()
        }
        None => Vec::new(),
    };
    Container {
        label,
        site,
        long_running: true,
        image,
        image_built_here: false,
        user,
        privileged,
        capabilities_added,
        read_only_root: Setting::NotSaid,
        health: Health::Unknown,
    }
}

/// How deep into a resource's properties secrets are looked for.
const MAX_PROPERTY_DEPTH: usize = 24;

/// Literal secrets in a resource's properties: a value under a secret-like key
/// (`MasterUserPassword: hunter2…`), a `{Name: …, Value: …}` pair of an environment list, or a
/// known token format anywhere. A parameter (`!Ref DbPassword`) is judged at its default; a
/// dynamic reference (`{{resolve:secretsmanager:…}}`) is the right way.
///
/// `key_is_variables` when `node` is the value of `Variables:` (its keys are variable names).
fn literal_secrets(
    template: &Template<'_>,
    node: NodeId,
    owner: &str,
    key_is_variables: bool,
    depth: usize,
    out: &mut Vec<Secret>,
) {
    let yaml = template.yaml;
    if depth > MAX_PROPERTY_DEPTH || template.function(node).is_some() {
        return;
    }
    if yaml.is_mapping(node) {
        // An environment entry: `{Name: DB_PASSWORD, Value: …}`.
        let named = yaml.get(node, "Name").and_then(|n| yaml.str(n.value));
        if let (Some(name), Some(value)) = (named, yaml.get(node, "Value")) {
            let place = format!("variable `{name}` of {owner}");
            judge_literal(template, name, value.value, yaml.site(value), place, out);
        }
        for (key, entry) in yaml.keys(node) {
            if yaml.str(entry.value).is_some() {
                if key != "Value" {
                    // `Environment: {Variables: {NAME: value}}` of a Lambda or SAM function.
                    let what = if key_is_variables {
                        "variable"
                    } else {
                        "property"
                    };
                    let place = format!("{what} `{key}` of {owner}");
                    judge_literal(template, &key, entry.value, yaml.site(entry), place, out);
                }
            } else {
                let variables = key == "Variables";
                literal_secrets(template, entry.value, owner, variables, depth + 1, out);
            }
        }
    } else {
        for &item in yaml.items(node) {
            literal_secrets(template, item, owner, false, depth + 1, out);
        }
    }
}

fn judge_literal(
    template: &Template<'_>,
    name: &str,
    node: NodeId,
    site: Range<usize>,
    place: String,
    out: &mut Vec<Secret>,
) {
    let yaml = template.yaml;
    if template.function(node).is_some() {
        return;
    }
    let Some(value) = yaml.str(node) else {
        return;
    };
    if value.contains("{{resolve:") {
        return;
    }
    let Some(secret) = secrets::assigned_secret(name, value) else {
        return;
    };
    out.push(Secret {
        place,
        description: secret.description,
        site,
        span: template.yaml.span_of_part(node, secret.range),
    });
}

/// Parameter defaults that are secrets: under a secret-like name, or any real-looking literal
/// of a `NoEcho` parameter, which its author marked as secret.
fn parameter_secrets(template: &Template<'_>, out: &mut Vec<Secret>) {
    let yaml = template.yaml;
    for parameter in template.parameters() {
        let Some(default) = parameter.default else {
            continue;
        };
        let Some(value) = yaml.str(default.value) else {
            continue;
        };
        if value.contains("{{resolve:") {
            continue;
        }
        let found = secrets::assigned_secret(&parameter.name, value).or_else(|| {
            parameter
                .no_echo
                .then(|| secrets::assigned_secret("password", value))
                .flatten()
        });
        let Some(secret) = found else {
            continue;
        };
        let kind = if parameter.no_echo {
            "`NoEcho` parameter"
        } else {
            "parameter"
        };
        out.push(Secret {
            place: format!("the default of {kind} `{}`", parameter.name),
            description: secret.description,
            site: yaml.site(default),
            span: yaml.span_of_part(default.value, secret.range),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::yaml::Yaml;

    #[test]
    fn ingress_from_the_world_is_an_exposure_and_unknown_sources_are_not() {
        let text = "Parameters:\n  SSHLocation:\n    Type: String\n    Default: 0.0.0.0/0\n  Other:\n    Type: String\nResources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref SSHLocation}\n        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: !Ref Other}\n        - {IpProtocol: udp, FromPort: 53, ToPort: 53, CidrIp: 0.0.0.0/0}\n        - {IpProtocol: '-1', CidrIpv6: '::/0'}\n  Extra:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !Ref Web, IpProtocol: 6, FromPort: 3306, ToPort: 3306, CidrIp: 0.0.0.0/0}\n";
        let yaml = Yaml::parse(text).unwrap();
        let template = Template::new(&yaml, &[]).unwrap();
        let deployment = lower(&template);
        let opened: Vec<(Ports, String)> = deployment
            .exposures
            .iter()
            .map(|e| match &e.reach {
                Reach::Ports { open, .. } => (*open, e.how.to_string()),
                Reach::Store { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(
            opened,
            [
                (
                    Ports::Range(22, 22),
                    " through parameter `SSHLocation`, whose value is `0.0.0.0/0`".to_owned()
                ),
                (Ports::All, String::new()),
                (Ports::Range(3306, 3306), String::new()),
            ]
        );
    }
}
