//! Each format lowered into the model of what gets deployed ([`crate::model`]): the format's
//! own words read once, with spans, into workloads, containers, exposures and secrets, so that a
//! policy is written once for every format. A format's specific reading that more than one rule
//! needs lives here too (Terraform's [`terraform::View`]).

pub mod cloudformation;
pub mod compose;
pub mod dockerfile;
pub mod github_actions;
pub mod gitlab_ci;
pub mod kubernetes;
pub mod terraform;

/// A container a CI job pulls (its image, a service): the image as written, unless a variable
/// or an expression chooses it when the pipeline runs (then not judged); its user, filesystem
/// and health are the image's, which the pipeline does not say.
pub fn pipeline_container<'a>(
    label: crate::model::Label<'a>,
    image: &str,
    span: std::ops::Range<usize>,
    chosen_at_run_time: bool,
    privileged: Option<std::ops::Range<usize>>,
) -> crate::model::Container<'a> {
    use crate::model::{Fact, Health, Setting, User};
    let image = image.trim();
    crate::model::Container {
        label,
        site: span.clone(),
        long_running: true,
        image: (!image.is_empty() && !chosen_at_run_time)
            .then(|| Fact::new(image.to_owned(), span)),
        image_built_here: false,
        user: User::Unknown,
        privileged,
        capabilities_added: Vec::new(),
        read_only_root: Setting::NotSaid,
        health: Health::Unknown,
    }
}

/// A CI job's containers as a workload on its runner, when it has any.
pub fn pipeline_workload<'a>(
    job: String,
    containers: Vec<crate::model::Container<'a>>,
) -> Option<crate::model::Workload<'a>> {
    (!containers.is_empty()).then(|| crate::model::Workload {
        label: crate::model::Label::Owned(job),
        host_namespaces: Vec::new(),
        host: "runner",
        containers,
    })
}
