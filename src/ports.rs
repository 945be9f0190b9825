//! Well-known ports, in one place for every format's network rules.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

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

/// Ports a configuration adds to [`DATABASES`], with the product listening there.
pub type Extra = Arc<[(u16, Arc<str>)]>;

thread_local! {
    /// The ports the scan running on this thread adds. Each scan runs its checks on a thread
    /// pool of its own, whose threads are given the scan's ports as they start
    /// ([`set_for_this_thread`]): two scans in one process never see each other's ports, and the
    /// checks deep inside every format's rules need no extra argument.
    static CONFIGURED: RefCell<Extra> = RefCell::new(Arc::from([]));
}

/// Gives this thread the ports its scan counts as databases, besides the well-known ones.
pub fn set_for_this_thread(extra: Extra) {
    CONFIGURED.with(|configured| *configured.borrow_mut() = extra);
}

/// The database usually listening on `port`.
pub fn database(port: u16) -> Option<Cow<'static, str>> {
    if let Some(&(_, name)) = DATABASES.iter().find(|(p, _)| *p == port) {
        return Some(Cow::Borrowed(name));
    }
    CONFIGURED.with(|configured| {
        configured
            .borrow()
            .iter()
            .find(|(p, _)| *p == port)
            .map(|(_, name)| Cow::Owned(name.to_string()))
    })
}

/// The first database port in `low..=high` (a well-known one before a configured one).
pub fn database_in_range(low: u16, high: u16) -> Option<(u16, Cow<'static, str>)> {
    let within = |port: u16| (low..=high).contains(&port);
    let known = DATABASES
        .iter()
        .filter(|(port, _)| within(*port))
        .min_by_key(|(port, _)| *port)
        .map(|&(port, name)| (port, Cow::Borrowed(name)));
    let configured = CONFIGURED.with(|configured| {
        configured
            .borrow()
            .iter()
            .filter(|(port, _)| within(*port))
            .min_by_key(|(port, _)| *port)
            .map(|(port, name)| (*port, Cow::Owned(name.to_string())))
    });
    known
        .into_iter()
        .chain(configured)
        .min_by_key(|(port, _)| *port)
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
            Some((5432, "PostgreSQL".into()))
        );
        assert_eq!(super::database_in_range(8000, 8080), None);
    }

    /// Threads of two scans with different ports, at once: each sees its own.
    #[test]
    fn each_scan_thread_sees_its_own_ports() {
        let threads: Vec<_> = [(7000u16, "ScyllaDB"), (7001, "Other")]
            .into_iter()
            .map(|(port, name)| {
                std::thread::spawn(move || {
                    super::set_for_this_thread(std::sync::Arc::from([(port, name.into())]));
                    for _ in 0..1_000 {
                        assert_eq!(super::database(port).as_deref(), Some(name));
                        assert_eq!(super::database(port ^ 1), None);
                        std::thread::yield_now();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }
}
