//! Dockerfile checks, one module per rule, named after the rule.

pub mod add_local_file;
pub mod apt_install_recommends;
pub mod apt_lists_kept;
pub mod exposed_ssh_port;
pub mod last_user_root;
pub mod missing_healthcheck;
pub mod pipe_to_shell;
pub mod relative_workdir;
pub mod secret_in_env;
pub mod sudo_in_run;
pub mod unpinned_image;

mod shell;
