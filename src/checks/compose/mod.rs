//! Compose checks, one module per rule, named after the rule.

pub mod database_port_published;
pub mod docker_socket_mounted;
pub mod missing_service_healthcheck;
pub mod privileged_service;
pub mod secret_in_environment;
pub mod security_profile_disabled;
pub mod service_dangerous_capability;
pub mod service_host_namespace;
pub mod service_runs_as_root;
pub mod ssh_port_published;
pub mod unpinned_service_image;
pub mod writable_service_filesystem;
