//! Terraform lowered: reading a block's attributes as resolved values (also inside `dynamic`
//! blocks), which every Terraform rule does, and the module's network exposure: every ingress
//! rule open to the whole internet across AWS, Azure, Google Cloud and Alibaba Cloud, and every
//! database firewall that admits everyone, as [`Exposure`]s that the shared SSH and database
//! policies judge.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::formats::terraform::{self, At, Module, Resolved, attribute, label};
use crate::model::ports::is_everyone;
use crate::model::{Audience, Exposure, Label, Ports, Reach};

/// A block's body read through the module's values; inside a `dynamic` block's `content`, its
/// iterator is in scope.
pub struct View<'m> {
    pub module: &'m Module,
    /// Where the block is, which its spans are relative to.
    pub file: At,
    pub body: &'m Body,
    iterator: Option<(String, hcl::Value)>,
    /// Variables of the `for_each` the iterator comes from.
    iterator_variables: Vec<String>,
    /// Set when the view is an element of a list of objects written as an attribute
    /// (`ingress = [{ … }]`) rather than as blocks.
    written: Option<Written>,
}

/// An object of an attribute list: its values, and the attribute of [`View::body`] it is in,
/// where findings about it point.
#[derive(Clone)]
struct Written {
    values: hcl::Map<String, hcl::Value>,
    attribute: String,
}

impl<'m> View<'m> {
    pub fn new(module: &'m Module, file: At, body: &'m Body) -> Self {
        Self {
            module,
            file,
            body,
            iterator: None,
            iterator_variables: Vec::new(),
            written: None,
        }
    }

    /// The resolved value of an attribute; `None` when it is absent.
    pub fn get(&self, key: &str) -> Option<Resolved> {
        if let Some(written) = &self.written {
            return written
                .values
                .get(key)
                .map(|value| Resolved::Known(value.clone()));
        }
        let expression = attribute(self.body, key)?;
        Some(match &self.iterator {
            Some((name, value)) => self.module.eval_with(expression, name, value.clone()),
            None => self.module.eval(expression),
        })
    }

    pub fn string(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Resolved::Known(hcl::Value::String(text)) => Some(text),
            Resolved::Known(hcl::Value::Number(number)) => Some(number.to_string()),
            Resolved::Known(hcl::Value::Bool(value)) => Some(value.to_string()),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Resolved::Known(hcl::Value::Bool(value)) => Some(value),
            Resolved::Known(hcl::Value::String(text)) => text.parse().ok(),
            _ => None,
        }
    }

    /// A list of strings; a single string counts as a list of one.
    pub fn strings(&self, key: &str) -> Option<Vec<String>> {
        match self.get(key)? {
            Resolved::Known(hcl::Value::Array(items)) => Some(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        hcl::Value::String(text) => Some(text),
                        hcl::Value::Number(number) => Some(number.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            Resolved::Known(hcl::Value::String(text)) => Some(vec![text]),
            _ => None,
        }
    }

    /// An attribute's expression as written (`aws_network_acl.main.id`), to tell which resource
    /// it refers to.
    pub fn text(&self, key: &str) -> Option<String> {
        if self.written.is_some() {
            return None;
        }
        let expression = attribute(self.body, key)?;
        Some(hcl::Expression::from(expression.clone()).to_string())
    }

    /// Where an attribute is, key through value (for an object of an attribute list, the whole
    /// list attribute).
    pub fn span(&self, key: &str) -> Option<Range<usize>> {
        let key = self.written.as_ref().map_or(key, |w| w.attribute.as_str());
        terraform::attribute_span(self.body, key)
    }

    /// The variables an attribute's value reads (through a `dynamic` block's iterator too), for
    /// messages.
    pub fn variables(&self, key: &str) -> Vec<String> {
        let key = self.written.as_ref().map_or(key, |w| w.attribute.as_str());
        let Some(expression) = attribute(self.body, key) else {
            return Vec::new();
        };
        let mut variables = self.module.variables_in(expression);
        let reads_iterator = self.iterator.as_ref().is_some_and(|(name, _)| {
            hcl::Expression::from(expression.clone())
                .to_string()
                .contains(&format!("{name}."))
        });
        if reads_iterator {
            variables.extend(self.iterator_variables.iter().cloned());
        }
        variables.dedup();
        variables
    }

    /// Nested blocks by name, `dynamic "name"` blocks expanded over a known `for_each`, and the
    /// objects of an attribute of that name (`ingress = [{ … }]`, Terraform's attributes-as-blocks
    /// syntax).
    pub fn nested(&self, name: &str) -> Vec<View<'m>> {
        if self.written.is_some() {
            return Vec::new();
        }
        let body: &'m Body = self.body;
        let mut views: Vec<View<'m>> = body
            .blocks()
            .filter(|block| block.ident.as_str() == name)
            .map(|block| View {
                module: self.module,
                file: self.file,
                body: &block.body,
                iterator: self.iterator.clone(),
                iterator_variables: self.iterator_variables.clone(),
                written: None,
            })
            .collect();
        let dynamics = body
            .blocks()
            .filter(|b| b.ident.as_str() == "dynamic" && label(b, 0) == Some(name));
        for dynamic in dynamics {
            let Some(content) = dynamic
                .body
                .blocks()
                .find(|b| b.ident.as_str() == "content")
            else {
                continue;
            };
            let outer = View {
                module: self.module,
                file: self.file,
                body: &dynamic.body,
                iterator: self.iterator.clone(),
                iterator_variables: self.iterator_variables.clone(),
                written: None,
            };
            let for_each_variables = outer.variables("for_each");
            // `iterator = rule` names the variable; it is not a value to evaluate.
            let iterator = attribute(&dynamic.body, "iterator")
                .and_then(|expression| match expression {
                    Expression::Variable(variable) => Some(variable.as_str().to_owned()),
                    _ => None,
                })
                .unwrap_or_else(|| name.to_owned());
            let items: Vec<(hcl::Value, hcl::Value)> = match outer.get("for_each") {
                Some(Resolved::Known(hcl::Value::Array(items))) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (hcl::Value::from(i as u64), v))
                    .collect(),
                Some(Resolved::Known(hcl::Value::Object(map))) => map
                    .into_iter()
                    .map(|(k, v)| (hcl::Value::String(k), v))
                    .collect(),
                _ => continue,
            };
            for (key, value) in items {
                let mut object = hcl::Map::new();
                object.insert("key".to_owned(), key);
                object.insert("value".to_owned(), value);
                views.push(View {
                    module: self.module,
                    file: self.file,
                    body: &content.body,
                    iterator: Some((iterator.clone(), hcl::Value::Object(object))),
                    iterator_variables: for_each_variables.clone(),
                    written: None,
                });
            }
        }
        let objects = match self.get(name) {
            Some(Resolved::Known(hcl::Value::Array(items))) => items,
            Some(Resolved::Known(object @ hcl::Value::Object(_))) => vec![object],
            _ => Vec::new(),
        };
        for object in objects {
            if let hcl::Value::Object(values) = object {
                views.push(View {
                    module: self.module,
                    file: self.file,
                    body,
                    iterator: self.iterator.clone(),
                    iterator_variables: self.iterator_variables.clone(),
                    written: Some(Written {
                        values,
                        attribute: name.to_owned(),
                    }),
                });
            }
        }
        views
    }
}

/// `aws_security_group.web`.
pub fn address(block: &Block) -> String {
    format!(
        "{}.{}",
        label(block, 0).unwrap_or("?"),
        label(block, 1).unwrap_or("?")
    )
}

/// Whether an expression as written (in HCL, or in a JSON `"${…}"`) refers to the resource:
/// `aws_vpc.main.id`, and with an index, `aws_vpc.main[0].id` or `aws_vpc.main["a"].id`.
pub fn refers_to(expression: &str, block: &Block) -> bool {
    let address = address(block);
    expression.match_indices(&address).any(|(at, _)| {
        let before = expression[..at].chars().next_back();
        let after = expression[at + address.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && matches!(after, Some('.' | '['))
    })
}

/// The `kind` resources of the module that no `companion` resource names in its `key` (VPCs
/// without a flow log: `aws_vpc`, `aws_flow_log`, `vpc_id`). None when some companion names its
/// resource through a variable or a local: that one may be any of them.
pub fn resources_without(
    module: &Module,
    kind: &'static str,
    companion: &'static str,
    key: &str,
) -> Vec<(At, terraform::TfBlock)> {
    let named: Vec<String> = module
        .resources(&[companion])
        .filter_map(|(file, block)| View::new(module, file, &block.body).text(key))
        .collect();
    let kind_reference = format!("{kind}.");
    if named.iter().any(|text| !text.contains(&kind_reference)) {
        return Vec::new();
    }
    module
        .resources(&[kind])
        .filter(|(_, block)| !named.iter().any(|text| refers_to(text, block)))
        .collect()
}

/// " (from `var.x`)" when a value comes from variables, for messages.
pub fn cause(variables: &[String]) -> String {
    match variables {
        [] => String::new(),
        names => format!(
            " (from {})",
            names
                .iter()
                .map(|n| format!("`var.{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The `terraform-aws-modules/security-group` module (from the registry, Git, or a local copy),
/// read with its documented semantics: the named `ingress_rules` (and, for its per-service
/// submodules such as `modules/ssh`, their automatic rules) apply to `ingress_cidr_blocks`, and
/// each entry of `ingress_with_cidr_blocks` is a named `rule` or ports and a protocol, from its
/// own comma-separated `cidr_blocks` or else from `ingress_cidr_blocks`. Its inputs are specific
/// enough to recognise a copy under any `source`.
fn registry_security_groups(module: &Module, found: &mut Vec<OpenIngress>) {
    for (file, block) in module.blocks("module") {
        let view = View::new(module, file, &block.body);
        let source = view.string("source").unwrap_or_default();
        let inputs = [
            "ingress_cidr_blocks",
            "ingress_with_cidr_blocks",
            "ingress_rules",
        ];
        if !source.contains("security-group") && !inputs.iter().any(|key| view.get(key).is_some()) {
            continue;
        }
        let resource = format!("module.{}", label(&block, 0).unwrap_or("?"));
        let mut push = |(site, variables): (Range<usize>, Vec<String>), ports: Ports| {
            found.push(OpenIngress {
                file,
                site,
                ports,
                denied: Vec::new(),
                resource: resource.clone(),
                variables,
            });
        };
        let world = world_source(&view, &["ingress_cidr_blocks", "ingress_ipv6_cidr_blocks"]);
        let mut rules = view.strings("ingress_rules").unwrap_or_default();
        if view.get("auto_ingress_rules").is_none()
            && let Some(service) = security_group_submodule(&source)
        {
            rules.extend(
                submodule_rules(service)
                    .iter()
                    .map(|rule| (*rule).to_owned()),
            );
        }
        if let Some(world) = &world {
            for ports in rules.iter().filter_map(|rule| named_rule(rule)) {
                push(world.clone(), ports);
            }
        }
        let Some(Resolved::Known(hcl::Value::Array(entries))) =
            view.get("ingress_with_cidr_blocks")
        else {
            continue;
        };
        for entry in entries {
            let hcl::Value::Object(entry) = entry else {
                continue;
            };
            let text = |key: &str| match entry.get(key) {
                Some(hcl::Value::String(text)) => Some(text.clone()),
                Some(hcl::Value::Number(number)) => Some(number.to_string()),
                _ => None,
            };
            let source = match text("cidr_blocks") {
                Some(cidrs) => cidrs.split(',').any(is_world).then(|| {
                    let key = "ingress_with_cidr_blocks";
                    (view.span(key).unwrap_or(0..0), view.variables(key))
                }),
                None => world.clone(),
            };
            let ports = match text("rule") {
                Some(rule) => named_rule(&rule),
                None => {
                    let protocol = text("protocol").unwrap_or_else(|| "tcp".to_owned());
                    match (protocol.as_str(), text("from_port"), text("to_port")) {
                        ("-1" | "all", _, _) => Some(Ports::All),
                        ("tcp" | "6", Some(from), Some(to)) => {
                            match (from.parse::<u16>(), to.parse::<u16>()) {
                                (Ok(0), Ok(0)) => Some(Ports::All),
                                (Ok(from), Ok(to)) => Some(Ports::Range(from, to.max(from))),
                                _ => None,
                            }
                        }
                        _ => None,
                    }
                }
            };
            if let (Some(source), Some(ports)) = (source, ports) {
                push(source, ports);
            }
        }
    }
}

/// `…/security-group/aws//modules/ssh`, `git::…terraform-aws-security-group.git//modules/ssh`,
/// `../../modules/ssh`: the per-service submodule a source names.
fn security_group_submodule(source: &str) -> Option<&str> {
    let (_, rest) = source.rsplit_once("modules/")?;
    let name = rest.split(['?', '/']).next()?;
    (!name.is_empty() && name != "aws").then_some(name)
}

/// The rules a per-service submodule adds by itself (its `auto_ingress_rules`).
fn submodule_rules(service: &str) -> &'static [&'static str] {
    match service {
        "ssh" => &["ssh-tcp"],
        "postgresql" => &["postgresql-tcp"],
        "mysql" => &["mysql-tcp"],
        "mssql" => &["mssql-tcp"],
        "oracle-db" => &["oracle-db-tcp"],
        "redis" => &["redis-tcp"],
        "memcached" => &["memcached-tcp"],
        "mongodb" => &["mongodb-27017-tcp"],
        "elasticsearch" => &["elasticsearch-rest-tcp"],
        "cassandra" => &["cassandra-clients-tcp"],
        "rdp" => &["rdp-tcp"],
        _ => &[],
    }
}

/// The ports of one of the module's named rules (`ssh-tcp`, `postgresql-tcp`, `all-all`), or of
/// any named `<service>-<port>-tcp`.
fn named_rule(rule: &str) -> Option<Ports> {
    const NAMED: &[(&str, u16)] = &[
        ("ssh-tcp", 22),
        ("postgresql-tcp", 5432),
        ("mysql-tcp", 3306),
        ("mssql-tcp", 1433),
        ("oracle-db-tcp", 1521),
        ("redis-tcp", 6379),
        ("memcached-tcp", 11211),
        ("elasticsearch-rest-tcp", 9200),
        ("elasticsearch-java-tcp", 9300),
        ("cassandra-clients-tcp", 9042),
        ("cassandra-thrift-clients-tcp", 9160),
        ("rdp-tcp", 3389),
        ("http-80-tcp", 80),
        ("https-443-tcp", 443),
    ];
    match rule {
        "all-all" | "all-tcp" => return Some(Ports::All),
        _ => {}
    }
    if let Some(&(_, port)) = NAMED.iter().find(|(name, _)| *name == rule) {
        return Some(Ports::Range(port, port));
    }
    let port = rule
        .strip_suffix("-tcp")?
        .rsplit('-')
        .next()?
        .parse()
        .ok()?;
    Some(Ports::Range(port, port))
}

/// An ingress rule that admits the whole internet.
struct OpenIngress {
    pub file: At,
    /// The attribute that opens it to the world (`cidr_blocks`, `source_ranges`, …).
    pub site: Range<usize>,
    pub ports: Ports,
    /// Ports that rules evaluated before it deny to the world (network ACLs and security
    /// groups with numbered rules, where the first match decides).
    pub denied: Vec<Ports>,
    /// `aws_security_group.web`.
    pub resource: String,
    /// Variables the open source range comes from.
    pub variables: Vec<String>,
}

/// A rule of an ordered list (a network ACL, a network security group): the lowest number that
/// matches decides.
struct Numbered {
    file: At,
    resource: String,
    /// Its number, when known.
    order: Option<f64>,
    allow: bool,
    ports: Vec<Ports>,
    /// Where its source admits the world, and the variables behind it.
    world: Option<(Range<usize>, Vec<String>)>,
}

/// The allow rules of an ordered list open to the world, each with what earlier deny rules of
/// the same list take back.
fn first_match_wins(rules: &[Numbered], found: &mut Vec<OpenIngress>) {
    for rule in rules.iter().filter(|rule| rule.allow) {
        let Some((site, variables)) = &rule.world else {
            continue;
        };
        // A number that is not known puts the allow rule first and the deny rule last: what
        // cannot be shown to be denied is reported.
        let allowed_at = rule.order.unwrap_or(f64::NEG_INFINITY);
        let denied: Vec<Ports> = rules
            .iter()
            .filter(|other| !other.allow && other.world.is_some())
            .filter(|other| other.order.unwrap_or(f64::INFINITY) < allowed_at)
            .flat_map(|other| other.ports.iter().copied())
            .collect();
        for &ports in &rule.ports {
            found.push(OpenIngress {
                file: rule.file,
                site: site.clone(),
                ports,
                denied: denied.clone(),
                resource: rule.resource.clone(),
                variables: variables.clone(),
            });
        }
    }
}

/// Sources that mean "anyone on the internet".
fn is_world(source: &str) -> bool {
    matches!(
        source.trim().to_ascii_lowercase().as_str(),
        "0.0.0.0/0" | "::/0" | "*" | "internet" | "any" | "0.0.0.0" | "::"
    )
}

/// AWS: protocol `-1`/`all` means every port; otherwise `from_port`..`to_port`.
fn aws_ports(view: &View<'_>, protocol_key: &str) -> Option<Ports> {
    let protocol = view
        .string(protocol_key)
        .unwrap_or_else(|| "tcp".to_owned())
        .to_ascii_lowercase();
    if matches!(protocol.as_str(), "-1" | "all") {
        return Some(Ports::All);
    }
    if !matches!(protocol.as_str(), "tcp" | "6") {
        return None;
    }
    let from: u16 = view.string("from_port")?.parse().ok()?;
    let to: u16 = view.string("to_port")?.parse().ok()?;
    Some(if from == 0 && to == 0 {
        Ports::All
    } else {
        Ports::Range(from, to.max(from))
    })
}

/// The first of `keys` whose value admits the world: its span and the variables behind it.
fn world_source(view: &View<'_>, keys: &[&str]) -> Option<(Range<usize>, Vec<String>)> {
    keys.iter().find_map(|key| {
        let sources = view.strings(key)?;
        sources
            .iter()
            .any(|s| is_world(s))
            .then(|| (view.span(key).unwrap_or(0..0), view.variables(key)))
    })
}

/// Every ingress rule of the module open to the internet.
fn open_ingress(module: &Module) -> Vec<OpenIngress> {
    let mut found = Vec::new();
    let mut push = |view: &View<'_>,
                    block: &Block,
                    (site, variables): (Range<usize>, Vec<String>),
                    ports: Ports| {
        found.push(OpenIngress {
            file: view.file,
            site,
            ports,
            denied: Vec::new(),
            resource: address(block),
            variables,
        });
    };

    // AWS security groups (inline), security group rules and the newer per-rule resource.
    for (file, block) in module.resources(&["aws_security_group"]) {
        for ingress in View::new(module, file, &block.body).nested("ingress") {
            if let (Some(source), Some(ports)) = (
                world_source(&ingress, &["cidr_blocks", "ipv6_cidr_blocks"]),
                aws_ports(&ingress, "protocol"),
            ) {
                push(&ingress, &block, source, ports);
            }
        }
    }
    for (file, block) in module.resources(&["aws_security_group_rule"]) {
        let rule = View::new(module, file, &block.body);
        if rule.string("type").as_deref() == Some("ingress")
            && let (Some(source), Some(ports)) = (
                world_source(&rule, &["cidr_blocks", "ipv6_cidr_blocks"]),
                aws_ports(&rule, "protocol"),
            )
        {
            push(&rule, &block, source, ports);
        }
    }
    for (file, block) in module.resources(&["aws_vpc_security_group_ingress_rule"]) {
        let rule = View::new(module, file, &block.body);
        if let (Some(source), Some(ports)) = (
            world_source(&rule, &["cidr_ipv4", "cidr_ipv6"]),
            aws_ports(&rule, "ip_protocol"),
        ) {
            push(&rule, &block, source, ports);
        }
    }
    // AWS network ACLs, in `rule_no` order: ingress rules of one ACL, inline or standalone.
    let mut acls: BTreeMap<String, Vec<Numbered>> = BTreeMap::new();
    let nacl_rule = |view: &View<'_>, resource: String, action: &str, order: &str| {
        let allow = view.string(action)?.eq_ignore_ascii_case("allow");
        Some(Numbered {
            order: view.string(order).and_then(|order| order.parse().ok()),
            allow,
            ports: aws_ports(view, "protocol").into_iter().collect(),
            world: world_source(view, &["cidr_block", "ipv6_cidr_block"]),
            resource,
            file: view.file,
        })
    };
    for (file, block) in module.resources(&["aws_network_acl_rule"]) {
        let rule = View::new(module, file, &block.body);
        if rule.bool("egress") == Some(true) {
            continue;
        }
        let acl = rule.text("network_acl_id").unwrap_or_default();
        if let Some(rule) = nacl_rule(&rule, address(&block), "rule_action", "rule_number") {
            acls.entry(acl).or_default().push(rule);
        }
    }
    for (file, block) in module.resources(&["aws_network_acl"]) {
        let acl = format!("{}.id", address(&block));
        for ingress in View::new(module, file, &block.body).nested("ingress") {
            if let Some(rule) = nacl_rule(&ingress, address(&block), "action", "rule_no") {
                acls.entry(acl.clone()).or_default().push(rule);
            }
        }
    }
    // Azure network security groups, in `priority` order: inbound rules of one group, inline or
    // standalone.
    let mut groups: BTreeMap<String, Vec<Numbered>> = BTreeMap::new();
    for (file, block) in module.resources(&[
        "azurerm_network_security_rule",
        "azurerm_network_security_group",
    ]) {
        let resource = View::new(module, file, &block.body);
        let (group, rules) = if label(&block, 0) == Some("azurerm_network_security_rule") {
            let group = resource
                .text("network_security_group_name")
                .unwrap_or_default();
            (group, vec![resource])
        } else {
            let group = resource.text("name").unwrap_or_else(|| address(&block));
            (group, resource.nested("security_rule"))
        };
        for rule in rules {
            let inbound = rule
                .string("direction")
                .is_some_and(|d| d.eq_ignore_ascii_case("inbound"));
            let Some(access) = rule.string("access") else {
                continue;
            };
            if !inbound {
                continue;
            }
            let order = rule.string("priority").and_then(|order| order.parse().ok());
            let ports = rule
                .strings("destination_port_range")
                .or_else(|| rule.strings("destination_port_ranges"))
                .unwrap_or_default()
                .iter()
                .filter_map(|range| Ports::parse(range))
                .collect();
            groups.entry(group.clone()).or_default().push(Numbered {
                order,
                allow: access.eq_ignore_ascii_case("allow"),
                ports,
                world: world_source(&rule, &["source_address_prefix", "source_address_prefixes"]),
                resource: address(&block),
                file: rule.file,
            });
        }
    }
    // Google Cloud firewalls: ingress unless said otherwise, and not disabled.
    for (file, block) in module.resources(&["google_compute_firewall"]) {
        let firewall = View::new(module, file, &block.body);
        let ingress = firewall
            .string("direction")
            .is_none_or(|d| d.eq_ignore_ascii_case("ingress"));
        if !ingress || firewall.bool("disabled") == Some(true) {
            continue;
        }
        let Some(source) = world_source(&firewall, &["source_ranges"]) else {
            continue;
        };
        for allow in firewall.nested("allow") {
            let protocol = allow
                .string("protocol")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !matches!(protocol.as_str(), "tcp" | "all" | "6") {
                continue;
            }
            let ports = allow.strings("ports").unwrap_or_default();
            if ports.is_empty() {
                push(&allow, &block, source.clone(), Ports::All);
            }
            for range in ports.iter().filter_map(|p| Ports::parse(p)) {
                push(&allow, &block, source.clone(), range);
            }
        }
    }
    for rules in acls.values().chain(groups.values()) {
        first_match_wins(rules, &mut found);
    }
    registry_security_groups(module, &mut found);
    found
}

/// Firewall rules of Azure's database servers (single and flexible).
const AZURE_FIREWALL_RULES: &[&str] = &[
    "azurerm_sql_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
];

/// Alibaba Cloud databases, which admit the addresses of their whitelist (`security_ips`).
const WHITELISTED: &[&str] = &[
    "alicloud_db_instance",
    "alicloud_mongodb_instance",
    "alicloud_kvstore_instance",
];

/// The module's network exposure to the internet: ingress rules open to the world (by the
/// ports they open) and database firewalls that admit everyone (by the store as a whole): an
/// Azure database firewall rule from `0.0.0.0` to `255.255.255.255`, a Cloud SQL authorized
/// network of `0.0.0.0/0` with a public IPv4 address, an Alibaba Cloud whitelist holding
/// `0.0.0.0/0` or `0.0.0.0` (which the console reads the same way), and an RDS DB security
/// group (EC2-Classic) ingress from `0.0.0.0/0`.
pub fn exposures(module: &Module) -> Vec<Exposure<'static>> {
    let mut found: Vec<Exposure<'static>> = open_ingress(module)
        .into_iter()
        .map(|open| Exposure {
            subject: Label::Owned(open.resource),
            verb: "lets anyone on the internet reach",
            reach: Reach::Ports {
                open: open.ports,
                denied: open.denied,
            },
            how: cause(&open.variables).into(),
            audience: Audience::Public,
            span: open.file.in_file(open.site),
            file: open.file.file,
        })
        .collect();
    let mut store = |view: &View<'_>, block: &Block, key: &str, sentence: &str| {
        let mut variables = view.variables(key);
        if key == "start_ip_address" {
            variables.extend(view.variables("end_ip_address"));
        }
        found.push(Exposure {
            subject: Label::Owned(address(block)),
            verb: "",
            reach: Reach::Store {
                sentence: sentence.to_owned(),
            },
            how: cause(&variables).into(),
            audience: Audience::Public,
            span: view.file.in_file(view.span(key).unwrap_or(0..0)),
            file: view.file.file,
        });
    };
    for (file, block) in module.resources(AZURE_FIREWALL_RULES) {
        let rule = View::new(module, file, &block.body);
        let (Some(start), Some(end)) = (
            rule.string("start_ip_address"),
            rule.string("end_ip_address"),
        ) else {
            continue;
        };
        if start.trim() == "0.0.0.0" && end.trim() == "255.255.255.255" {
            store(
                &rule,
                &block,
                "start_ip_address",
                "admits every IPv4 address to the database server",
            );
        }
    }
    for (file, block) in module.resources(&["google_sql_database_instance"]) {
        let instance = View::new(module, file, &block.body);
        for settings in instance.nested("settings") {
            for ip in settings.nested("ip_configuration") {
                if ip.bool("ipv4_enabled") == Some(false) {
                    continue;
                }
                for network in ip.nested("authorized_networks") {
                    if network.string("value").is_some_and(|v| is_everyone(&v)) {
                        store(
                            &network,
                            &block,
                            "value",
                            "authorizes every address to connect to its public IP",
                        );
                    }
                }
            }
        }
    }
    for (file, block) in module.resources(WHITELISTED) {
        let instance = View::new(module, file, &block.body);
        let everyone = instance.strings("security_ips").is_some_and(|ips| {
            ips.iter()
                .flat_map(|ip| ip.split(','))
                .any(|ip| is_everyone(ip) || ip.trim() == "0.0.0.0")
        });
        if everyone {
            store(
                &instance,
                &block,
                "security_ips",
                "whitelists every address (`security_ips`)",
            );
        }
    }
    for (file, block) in module.resources(&["aws_db_security_group"]) {
        for ingress in View::new(module, file, &block.body).nested("ingress") {
            if ingress
                .string("cidr")
                .is_some_and(|cidr| is_everyone(&cidr))
            {
                store(
                    &ingress,
                    &block,
                    "cidr",
                    "admits every address to its databases",
                );
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(Ports::parse("22"), Some(Ports::Range(22, 22)));
        assert_eq!(Ports::parse("20-25"), Some(Ports::Range(20, 25)));
        assert_eq!(Ports::parse("*"), Some(Ports::All));
        assert!(Ports::Range(20, 25).contains(22));
        assert!(is_world("Internet") && is_world("::/0") && !is_world("10.0.0.0/8"));
    }

    #[test]
    fn references_to_a_resource() {
        let body: Body = "resource \"aws_vpc\" \"main\" {}".parse().unwrap();
        let block = body.blocks().next().unwrap();
        for written in [
            "aws_vpc.main.id",
            "aws_vpc.main[0].id",
            "aws_vpc.main[\"eu\"].id",
            "${aws_vpc.main.id}",
            "try(aws_vpc.main[0].id, \"\")",
        ] {
            assert!(refers_to(written, block), "{written}");
        }
        for other in [
            "aws_vpc.main_b.id",
            "aws_vpc.mainline[0].id",
            "my_aws_vpc.main.id",
            "data.aws_vpc.main.id",
            "var.vpc_id",
        ] {
            assert!(!refers_to(other, block), "{other}");
        }
    }
}
