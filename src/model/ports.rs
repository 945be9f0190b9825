//! Well-known ports, and the address ranges that admit everyone, in one place for every
//! format's network rules.

use std::borrow::Cow;

/// SSH.
pub const SSH: u16 = 22;

/// An address range that admits every address: `0.0.0.0/0` or `::/0`.
pub fn is_everyone(range: &str) -> bool {
    matches!(range.trim(), "0.0.0.0/0" | "::/0")
}

/// A port or a range as written: `22`, `20-25` (the low end first).
pub fn parse_range(text: &str) -> Option<(u16, u16)> {
    let text = text.trim();
    let (low, high) = text.split_once('-').unwrap_or((text, text));
    let (low, high) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
    (low <= high).then_some((low, high))
}

/// Default ports of databases and data stores, with the product that listens there.
pub const DATABASES: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2379, "etcd"),
    (3306, "MySQL/MariaDB"),
    (5432, "PostgreSQL"),
    (5439, "Redshift"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7474, "Neo4j (HTTP)"),
    (7687, "Neo4j (Bolt)"),
    (8086, "InfluxDB"),
    (8091, "Couchbase"),
    (8123, "ClickHouse (HTTP)"),
    (8182, "Neptune (Gremlin)"),
    (8529, "ArangoDB"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch/OpenSearch"),
    (9300, "Elasticsearch (transport)"),
    (11211, "Memcached"),
    (26257, "CockroachDB"),
    (27017, "MongoDB"),
    (28015, "RethinkDB"),
    (50000, "DB2"),
];

/// The database ports of one scan: the well-known ones and those its configuration adds. Each
/// scan has its own, handed to the policies with the rest of its settings, so two scans in one
/// process never see each other's ports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Databases {
    /// Ports the configuration adds, with the product listening there.
    pub extra: Vec<(u16, String)>,
}

impl Databases {
    /// The database usually listening on `port`.
    pub fn at(&self, port: u16) -> Option<Cow<'_, str>> {
        if let Some(&(_, name)) = DATABASES.iter().find(|(p, _)| *p == port) {
            return Some(Cow::Borrowed(name));
        }
        self.extra
            .iter()
            .find(|(p, _)| *p == port)
            .map(|(_, name)| Cow::Borrowed(name.as_str()))
    }

    /// The lowest database port in `low..=high`.
    pub fn in_range(&self, low: u16, high: u16) -> Option<(u16, Cow<'_, str>)> {
        let within = |port: u16| (low..=high).contains(&port);
        let known = DATABASES
            .iter()
            .filter(|(port, _)| within(*port))
            .map(|&(port, name)| (port, Cow::Borrowed(name)));
        let configured = self
            .extra
            .iter()
            .filter(|(port, _)| within(*port))
            .map(|(port, name)| (*port, Cow::Borrowed(name.as_str())));
        known.chain(configured).min_by_key(|(port, _)| *port)
    }
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
        let databases = super::Databases::default();
        assert_eq!(
            databases.in_range(5400, 5500),
            Some((5432, "PostgreSQL".into()))
        );
        assert_eq!(databases.in_range(8000, 8080), None);
    }

    #[test]
    fn configured_ports_join_the_known_ones() {
        let databases = super::Databases {
            extra: vec![(7000, "ScyllaDB".to_owned()), (5000, "Custom".to_owned())],
        };
        assert_eq!(databases.at(7000).as_deref(), Some("ScyllaDB"));
        assert_eq!(databases.at(7001), None);
        assert_eq!(
            databases.in_range(4000, 6000),
            Some((5000, "Custom".into()))
        );
        assert_eq!(
            databases.in_range(5001, 6000),
            Some((5432, "PostgreSQL".into()))
        );
    }
}
