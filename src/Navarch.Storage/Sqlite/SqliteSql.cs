namespace Navarch.Storage.Sqlite;

/// <summary>
/// Schema and statements. The <c>kv</c> table is a log in the style of kine: every revision is one row whose
/// id is the revision. Keys are stored as UTF-8 blobs so that prefix ranges are exact byte ranges
/// (<c>name &gt;= prefix AND name &lt; prefix-with-last-byte-incremented</c>) served by the (name, id) index.
/// <c>kv_current</c> maps each live key to its newest row so reads at the current revision need not skip history.
/// </summary>
internal static class SqliteSql
{
    public const string WriterPragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA busy_timeout = 10000;
        """;

    public const string ReaderPragmas = """
        PRAGMA busy_timeout = 10000;
        PRAGMA query_only = ON;
        """;

    // AUTOINCREMENT keeps ids from being reused after compaction deleted the newest rows, so the revision
    // (sqlite_sequence) only moves forward, across restarts too.
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS kv (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name BLOB NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            version INTEGER NOT NULL,
            value BLOB NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
        CREATE TABLE IF NOT EXISTS kv_current (
            name BLOB NOT NULL PRIMARY KEY,
            id INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (
            name TEXT NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string State = """
        SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0),
               COALESCE((SELECT value FROM meta WHERE name = 'compact_revision'), 0)
        """;

    public const string LookupCurrent = """
        SELECT k.id, k.create_revision, k.version, k.value
        FROM kv_current c CROSS JOIN kv k ON k.id = c.id
        WHERE c.name = $name
        """;

    public const string InsertRow = """
        INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, version, value)
        VALUES ($id, $name, $created, $deleted, $create_revision, $prev_revision, $version, $value)
        """;

    public const string UpsertCurrent = """
        INSERT INTO kv_current (name, id) VALUES ($name, $id)
        ON CONFLICT (name) DO UPDATE SET id = excluded.id
        """;

    public const string DeleteCurrent = "DELETE FROM kv_current WHERE name = $name";

    // Compaction at C keeps, for every key, its newest row at or before C - 1 (unless that is a delete) and every
    // row from C on; that is what reads at C and later, and watches starting at C (with previous values), need.
    // Rows at or before the previous compaction's bound were handled then, so only (from, to] is scanned.
    public const string CompactSuperseded = """
        DELETE FROM kv WHERE id IN (
            SELECT prev_revision FROM kv WHERE id > $from AND id <= $to AND prev_revision > 0)
        """;

    public const string CompactDeletes = "DELETE FROM kv WHERE deleted = 1 AND id > $from AND id <= $to";

    public const string SetCompactRevision = """
        INSERT INTO meta (name, value) VALUES ('compact_revision', $revision)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """;

    public const string GetAt = """
        SELECT id, create_revision, version, deleted, value
        FROM kv WHERE name = $name AND id <= $revision
        ORDER BY id DESC LIMIT 1
        """;

    public const string RangeCurrent = """
        SELECT k.id, k.name, k.create_revision, k.version, k.value
        FROM kv_current c CROSS JOIN kv k ON k.id = c.id
        WHERE c.name >= $lo AND c.name < $hi
        ORDER BY c.name
        LIMIT $limit
        """;

    public const string CountCurrent = "SELECT COUNT(*) FROM kv_current WHERE name >= $lo AND name < $hi";

    // Walks the distinct names in the range with one index seek each, then takes each name's newest row at the
    // revision with one more seek: O(log n) per key however long each key's history is.
    private const string DistinctNames = """
        WITH RECURSIVE names (n) AS (
            SELECT (SELECT name FROM kv WHERE name >= $lo AND name < $hi ORDER BY name LIMIT 1)
            UNION ALL
            SELECT (SELECT name FROM kv WHERE name > names.n AND name < $hi ORDER BY name LIMIT 1)
            FROM names WHERE names.n IS NOT NULL
        )
        """;

    public const string RangeAt = DistinctNames + """
        SELECT k.id, k.name, k.create_revision, k.version, k.value
        FROM names CROSS JOIN kv k
            ON k.id = (SELECT id FROM kv WHERE name = names.n AND id <= $revision ORDER BY id DESC LIMIT 1)
        WHERE names.n IS NOT NULL AND k.deleted = 0
        LIMIT $limit
        """;

    public const string CountAt = DistinctNames + """
        SELECT COUNT(*)
        FROM names CROSS JOIN kv k
            ON k.id = (SELECT id FROM kv WHERE name = names.n AND id <= $revision ORDER BY id DESC LIMIT 1)
        WHERE names.n IS NOT NULL AND k.deleted = 0
        """;

    public const string History = """
        SELECT r.id, r.name, r.deleted, r.create_revision, r.version, r.value,
               p.id, p.create_revision, p.version, p.value
        FROM kv r LEFT JOIN kv p ON p.id = r.prev_revision
        WHERE r.id > $after AND r.id <= $upto AND r.name >= $lo AND r.name < $hi
        ORDER BY r.id
        LIMIT $limit
        """;
}
