//! What gets deployed, whatever format says it: the model every format lowers into and every
//! shared policy judges.
//!
//! A Dockerfile's final stage, a compose service, a Kubernetes pod and a Terraform security
//! group say the same kinds of things in different words: a container runs privileged, as root,
//! from an image; a port is open to some sources. Each format's lowering (`lower/`) reads its
//! own words into this model, once per file or unit, with the byte span of every fact; each
//! policy (`checks/deployment/`) is then written once against the model and reports under the
//! rule id of the format the fact came from, so users' suppressions and baselines keep working.
//!
//! What is judged the same everywhere is decided here or in the vocabulary beside it: which
//! images float ([`image`]), which ports are SSH or a database ([`ports`]), which capabilities
//! break isolation ([`capabilities`]), and which values are secrets (`secrets`). Where a format
//! cannot know a fact (a pulled image's user), the model says "unknown" and no policy guesses.

pub mod backups;
pub mod capabilities;
pub mod image;
pub mod ports;

use std::borrow::Cow;
use std::ops::Range;

use crate::finding::Related;

/// A value read from the source, and the bytes that say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Fact<T> {
    pub fn new(value: T, span: Range<usize>) -> Fact<T> {
        Fact { value, span }
    }
}

/// How a message names what a fact is about. Written out only when a finding needs it: a scan
/// meets far more containers than it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label<'a> {
    /// "the final image".
    Fixed(&'static str),
    Owned(String),
    /// "service `web`".
    Service(&'a str),
    /// "Deployment/web" ("Deployment" when it has no name).
    Resource {
        kind: &'a str,
        name: &'a str,
    },
    /// "init container `setup` of Deployment/web".
    Container {
        group: &'static str,
        name: &'a str,
        kind: &'a str,
        resource: &'a str,
    },
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resource = |f: &mut std::fmt::Formatter<'_>, kind: &str, name: &str| {
            if name.is_empty() {
                f.write_str(kind)
            } else {
                write!(f, "{kind}/{name}")
            }
        };
        match self {
            Label::Fixed(text) => f.write_str(text),
            Label::Owned(text) => f.write_str(text),
            Label::Service(name) => write!(f, "service `{name}`"),
            Label::Resource { kind, name } => resource(f, kind, name),
            Label::Container {
                group,
                name,
                kind,
                resource: resource_name,
            } => {
                write!(f, "{group} `{name}` of ")?;
                resource(f, kind, resource_name)
            }
        }
    }
}

/// Everything a file (or a unit of files, such as a Terraform module) deploys.
#[derive(Debug, Default)]
pub struct Deployment<'a> {
    pub workloads: Vec<Workload<'a>>,
    pub exposures: Vec<Exposure<'a>>,
    /// Secrets written into the configuration of what is deployed (environment variables, build
    /// arguments), already judged by the one judgement of `secrets`.
    pub secrets: Vec<Secret>,
}

/// Something that runs: a compose service, a Kubernetes pod template, an image's final stage.
#[derive(Debug)]
pub struct Workload<'a> {
    /// How messages name it: "service `web`", "Deployment/web", "the final image".
    pub label: Label<'a>,
    /// The namespaces it shares with the machine it runs on.
    pub host_namespaces: Vec<Fact<Namespace>>,
    /// What the machine is called in this format: "host" (Docker) or "node" (Kubernetes).
    pub host: &'static str,
    pub containers: Vec<Container<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Network,
    Process,
    Ipc,
}

impl Namespace {
    pub fn as_str(self) -> &'static str {
        match self {
            Namespace::Network => "network",
            Namespace::Process => "process",
            Namespace::Ipc => "IPC",
        }
    }
}

/// One container of a workload, with its effective settings (a pod's defaults already applied).
#[derive(Debug)]
pub struct Container<'a> {
    /// "service `web`", "container `app` of Deployment/web", "the final image".
    pub label: Label<'a>,
    /// Where a finding about something missing points (the service's or container's name).
    pub site: Range<usize>,
    /// Long-running, as opposed to init containers and batch jobs that run to completion.
    pub long_running: bool,
    /// The image reference, as it will be pulled (variables with defaults resolved).
    pub image: Option<Fact<String>>,
    /// The image is built by the repository and tagged at deploy time (Skaffold, Tilt, ko).
    pub image_built_here: bool,
    pub user: User,
    /// Where `privileged` is turned on, when it is.
    pub privileged: Option<Range<usize>>,
    /// Capabilities added, each where it is named.
    pub capabilities_added: Vec<Fact<String>>,
    pub read_only_root: Setting<bool>,
    pub health: Health,
}

/// A setting that may be absent; `Unset` says how to set it, in the format's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting<T> {
    Set(Fact<T>),
    Unset {
        how: &'static str,
    },
    /// The format has no such setting (an image does not choose its own root filesystem).
    NotSaid,
}

/// Who a container runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    /// Another user than root, as far as the sources show.
    NonRoot,
    /// Decided outside what can be read (a pulled image's own `USER`, an unresolved variable).
    Unknown,
    /// Root. `because` ends the sentence "… runs as root" (`` (`user: root`) ``).
    Root {
        span: Range<usize>,
        because: String,
        related: Vec<Related>,
    },
    /// Root unless the image says otherwise, which the sources cannot vouch for.
    MaybeRoot { span: Range<usize>, because: String },
}

/// Whether a container's health is watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Declared (or explicitly turned off, which is a decision).
    Declared,
    /// None; says what is missing, in the format's words ("healthcheck").
    Missing(Cow<'static, str>),
    /// Not said here (a patch that leaves health to the resource it patches).
    Unknown,
}

/// A port range that something opens, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure<'a> {
    /// Who opens it: "service `db`", "Service/db", "aws_security_group.web", "the image".
    pub subject: Label<'a>,
    /// How the subject is said to open it: "publishes", "exposes", "opens",
    /// "lets anyone on the internet reach".
    pub verb: &'static str,
    pub reach: Reach,
    /// Ends the sentence: " on every interface", " as a host port", a variable it comes from.
    pub how: Cow<'static, str>,
    pub audience: Audience,
    pub span: Range<usize>,
    /// The file of the unit it is in (for a Terraform module; 0 for a file on its own).
    pub file: usize,
}

/// Who can reach an exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// From outside: the internet, every interface of a host, a port of every node.
    Public,
    /// Opened or declared inside only (a pod's container port, an image's `EXPOSE`): a server
    /// listens, but reaching it takes another step.
    Internal,
    /// Bound to a loopback address: the machine itself only.
    Local,
}

/// What an exposure opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// TCP ports, in ranges; `denied` are taken back by rules that decide first (numbered
    /// network ACL rules).
    Ports { open: Ports, denied: Vec<Ports> },
    /// A data store as a whole (a database firewall admitting every address); the sentence
    /// says it in full, after the subject.
    Store { sentence: String },
}

/// A port range, or every port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ports {
    All,
    Range(u16, u16),
}

impl Ports {
    pub fn contains(self, port: u16) -> bool {
        match self {
            Ports::All => true,
            Ports::Range(low, high) => (low..=high).contains(&port),
        }
    }

    pub fn bounds(self) -> (u16, u16) {
        match self {
            Ports::All => (0, u16::MAX),
            Ports::Range(low, high) => (low, high),
        }
    }

    /// `22`, `20-25`, or `*` for every port (Azure, Google Cloud).
    pub fn parse(text: &str) -> Option<Ports> {
        if text.trim() == "*" {
            return Some(Ports::All);
        }
        ports::parse_range(text).map(|(low, high)| Ports::Range(low, high))
    }

    /// "all ports", "port 22", "ports 20-25".
    pub fn describe(self) -> String {
        match self {
            Ports::All => "all ports".to_owned(),
            Ports::Range(low, high) if low == high => format!("port {low}"),
            Ports::Range(low, high) => format!("ports {low}-{high}"),
        }
    }
}

impl Exposure<'_> {
    /// Whether this exposure lets `port` through.
    pub fn opens(&self, port: u16) -> bool {
        match &self.reach {
            Reach::Ports { open, denied } => {
                open.contains(port) && !denied.iter().any(|d| d.contains(port))
            }
            Reach::Store { .. } => false,
        }
    }
}

/// A secret written where the deployment reads its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// "environment `DB_PASSWORD` of service `api`", "ARG `TOKEN`".
    pub place: String,
    /// "is set to a hardcoded secret (`********`)": quotes the value only masked.
    pub description: String,
    /// Where the finding points.
    pub site: Range<usize>,
    /// The secret itself, masked in every snippet of the file.
    pub span: Range<usize>,
}
