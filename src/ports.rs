//! Well-known ports, in one place for every format's network rules.

use std::sync::RwLock;

/// SSH.
pub const SSH: u16 = 22;

/// Default ports of databases and data stores, with the product that listens there.
pub const DATABASES: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2379, "etcd"),
    (3306, "MySQL/MariaDB"),
    (5432, "PostgreSQL"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7474, "Neo4j (HTTP)"),
    (7687, "Neo4j (Bolt)"),
    (8086, "InfluxDB"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch/OpenSearch"),
    (9300, "Elasticsearch (transport)"),
    (11211, "Memcached"),
    (26257, "CockroachDB"),
    (27017, "MongoDB"),
    (28015, "RethinkDB"),
    (50000, "DB2"),
];

/// Ports a configuration adds to [`DATABASES`]. Process-wide, set by each scan before it runs:
/// the checks that ask are deep inside every format's rules, and a value read from one place is
/// simpler than threading it through all of them.
static CONFIGURED: RwLock<Vec<(u16, &'static str)>> = RwLock::new(Vec::new());

/// Sets the ports a configuration counts as databases, besides the well-known ones.
pub fn configure(extra: &[(u16, String)]) {
    let configured: Vec<(u16, &'static str)> = extra
        .iter()
        // Names live as long as the process; a configuration has a handful.
        .map(|(port, name)| (*port, &*Box::leak(name.clone().into_boxed_str())))
        .collect();
    let mut current = CONFIGURED
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if *current != configured {
        *current = configured;
    }
}

/// Every database port: the well-known ones, then the configured ones.
fn databases() -> Vec<(u16, &'static str)> {
    let configured = CONFIGURED
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    DATABASES
        .iter()
        .copied()
        .chain(configured.iter().copied())
        .collect()
}

/// The database usually listening on `port`.
pub fn database(port: u16) -> Option<&'static str> {
    if let Some(&(_, name)) = DATABASES.iter().find(|(p, _)| *p == port) {
        return Some(name);
    }
    let configured = CONFIGURED
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    configured
        .iter()
        .find(|(p, _)| *p == port)
        .map(|&(_, name)| name)
}

/// The first database port in `low..=high`.
pub fn database_in_range(low: u16, high: u16) -> Option<(u16, &'static str)> {
    databases()
        .into_iter()
        .filter(|&(port, _)| (low..=high).contains(&port))
        .min_by_key(|&(port, _)| port)
}

/// Image names (the last path component, without tag) of databases, for rules that judge a
/// service by what it runs rather than by a port.
const DATABASE_IMAGES: &[(&str, &str)] = &[
    ("postgres", "PostgreSQL"),
    ("postgis", "PostgreSQL"),
    ("timescaledb", "PostgreSQL"),
    ("mysql", "MySQL"),
    ("mariadb", "MariaDB"),
    ("percona-server", "MySQL"),
    ("mongo", "MongoDB"),
    ("mongodb", "MongoDB"),
    ("redis", "Redis"),
    ("redis-stack", "Redis"),
    ("valkey", "Valkey"),
    ("keydb", "KeyDB"),
    ("elasticsearch", "Elasticsearch"),
    ("opensearch", "OpenSearch"),
    ("cassandra", "Cassandra"),
    ("scylla", "ScyllaDB"),
    ("couchdb", "CouchDB"),
    ("influxdb", "InfluxDB"),
    ("cockroach", "CockroachDB"),
    ("memcached", "Memcached"),
    ("etcd", "etcd"),
    ("neo4j", "Neo4j"),
    ("mssql-server", "SQL Server"),
    ("clickhouse-server", "ClickHouse"),
    ("rethinkdb", "RethinkDB"),
];

/// The database an image runs, judged by its name (`docker.io/library/postgres:17` → PostgreSQL).
pub fn database_image(image: &str) -> Option<&'static str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let name = last.split(':').next().unwrap_or(last).to_ascii_lowercase();
    DATABASE_IMAGES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, product)| product)
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_images() {
        assert_eq!(super::database_image("postgres:17.2"), Some("PostgreSQL"));
        assert_eq!(
            super::database_image("registry:5000/lib/redis@sha256:ab"),
            Some("Redis")
        );
        assert_eq!(
            super::database_image("mcr.microsoft.com/mssql/server:2022-latest"),
            None
        );
        assert_eq!(super::database_image("example/postgres-exporter:1.0"), None);
        assert_eq!(
            super::database_in_range(5400, 5500),
            Some((5432, "PostgreSQL"))
        );
        assert_eq!(super::database_in_range(8000, 8080), None);
    }
}
