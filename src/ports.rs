//! Well-known ports, in one place for every format's network rules.

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

/// The database usually listening on `port`.
pub fn database(port: u16) -> Option<&'static str> {
    DATABASES
        .iter()
        .find(|(p, _)| *p == port)
        .map(|&(_, name)| name)
}

/// The first database port in `low..=high`.
pub fn database_in_range(low: u16, high: u16) -> Option<(u16, &'static str)> {
    DATABASES
        .iter()
        .copied()
        .find(|&(port, _)| (low..=high).contains(&port))
}
