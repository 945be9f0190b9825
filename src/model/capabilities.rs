//! Linux capabilities that break container isolation, in one place for every format.

/// Capabilities that give control of the node, its kernel, its network or other processes.
pub const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_RAW",
    "SETFCAP",
    "SYSLOG",
];

/// `cap_sys_admin` and `SYS_ADMIN` alike.
pub fn is_dangerous(capability: &str) -> bool {
    let name = capability.trim().to_ascii_uppercase();
    let name = name.strip_prefix("CAP_").unwrap_or(&name);
    DANGEROUS.contains(&name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_in_any_form() {
        assert!(super::is_dangerous("cap_sys_admin"));
        assert!(super::is_dangerous("NET_ADMIN"));
        assert!(!super::is_dangerous("NET_BIND_SERVICE"));
    }
}
