using Microsoft.Data.Sqlite;
using Navarch.Storage.Internal;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// One read-only connection with its prepared statements. Each read runs in its own read transaction, so it
/// sees one WAL snapshot (revision, compact revision and rows agree) and never blocks the writer.
/// </summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _state;
    private readonly SqliteCommand _getAt;
    private readonly SqliteCommand _rangeCurrent;
    private readonly SqliteCommand _countCurrent;
    private readonly SqliteCommand _rangeAt;
    private readonly SqliteCommand _countAt;
    private readonly SqliteCommand _history;
    private readonly SqliteCommand[] _commands;

    public SqliteReadConnection(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        using (var pragmas = _connection.CreateCommand())
        {
            pragmas.CommandText = SqliteSql.ReaderPragmas;
            pragmas.ExecuteNonQuery();
        }

        _state = Command(SqliteSql.State);
        _getAt = Command(SqliteSql.GetAt, "$name", "$revision");
        _rangeCurrent = Command(SqliteSql.RangeCurrent, "$lo", "$hi", "$limit");
        _countCurrent = Command(SqliteSql.CountCurrent, "$lo", "$hi");
        _rangeAt = Command(SqliteSql.RangeAt, "$lo", "$hi", "$revision", "$limit");
        _countAt = Command(SqliteSql.CountAt, "$lo", "$hi", "$revision");
        _history = Command(SqliteSql.History, "$after", "$upto", "$lo", "$hi", "$limit");
        _commands = [_state, _getAt, _rangeCurrent, _countCurrent, _rangeAt, _countAt, _history];
    }

    public KeyValue? Get(string key, long revision)
    {
        using var transaction = Begin();
        var (current, compacted) = ReadState();
        var at = Revisions.ResolveRead(revision, current, compacted);
        _getAt.Parameters[0].Value = KeyBytes.Encode(key);
        _getAt.Parameters[1].Value = at;
        using var reader = _getAt.ExecuteReader();
        if (!reader.Read() || reader.GetInt64(3) != 0)
        {
            return null;
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(4), reader.GetInt64(1), reader.GetInt64(0), reader.GetInt64(2));
    }

    public RangeResult Range(RangeRequest request)
    {
        using var transaction = Begin();
        var (current, compacted) = ReadState();
        var at = Revisions.ResolveRead(request.Revision, current, compacted);
        var atCurrent = at == current;
        var hi = KeyBytes.PrefixEnd(request.Prefix);

        var range = atCurrent ? _rangeCurrent : _rangeAt;
        range.Parameters["$lo"].Value = KeyBytes.RangeStart(request.Prefix, request.StartAfter);
        range.Parameters["$hi"].Value = hi;
        range.Parameters["$limit"].Value = request.Limit > 0 ? request.Limit : -1L;
        if (!atCurrent)
        {
            range.Parameters["$revision"].Value = at;
        }

        var items = new List<KeyValue>();
        using (var reader = range.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(new KeyValue(
                    KeyBytes.Decode(reader.GetFieldValue<byte[]>(1)),
                    reader.GetFieldValue<byte[]>(4),
                    reader.GetInt64(2),
                    reader.GetInt64(0),
                    reader.GetInt64(3)));
            }
        }

        long remaining = 0;
        if (request.Limit > 0 && items.Count == request.Limit)
        {
            var count = atCurrent ? _countCurrent : _countAt;
            count.Parameters["$lo"].Value = KeyBytes.Successor(items[^1].Key);
            count.Parameters["$hi"].Value = hi;
            if (!atCurrent)
            {
                count.Parameters["$revision"].Value = at;
            }

            remaining = (long)count.ExecuteScalar()!; // COUNT(*) always yields one integer row
        }

        return new RangeResult(items, at, remaining > 0, remaining);
    }

    public long Count(string prefix)
    {
        using var transaction = Begin();
        _countCurrent.Parameters["$lo"].Value = KeyBytes.Encode(prefix);
        _countCurrent.Parameters["$hi"].Value = KeyBytes.PrefixEnd(prefix);
        return (long)_countCurrent.ExecuteScalar()!; // COUNT(*) always yields one integer row
    }

    public IReadOnlyList<WatchEvent> History(string prefix, long afterRevision, long upToRevision, int limit)
    {
        using var transaction = Begin();
        var (_, compacted) = ReadState();
        Revisions.CheckHistory(afterRevision, compacted);
        var parameters = _history.Parameters;
        parameters[0].Value = afterRevision;
        parameters[1].Value = upToRevision;
        parameters[2].Value = KeyBytes.Encode(prefix);
        parameters[3].Value = KeyBytes.PrefixEnd(prefix);
        parameters[4].Value = limit;

        var page = new List<WatchEvent>();
        using var reader = _history.ExecuteReader();
        while (reader.Read())
        {
            var revision = reader.GetInt64(0);
            var key = KeyBytes.Decode(reader.GetFieldValue<byte[]>(1));
            var deleted = reader.GetInt64(2) != 0;
            var previous = reader.IsDBNull(6)
                ? null
                : new KeyValue(key, reader.GetFieldValue<byte[]>(9), reader.GetInt64(7), reader.GetInt64(6), reader.GetInt64(8));
            page.Add(deleted
                ? new WatchEvent(WatchEventType.Delete, new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, revision, 0), previous)
                : new WatchEvent(WatchEventType.Put, new KeyValue(key, reader.GetFieldValue<byte[]>(5), reader.GetInt64(3), revision, reader.GetInt64(4)), previous));
        }

        return page;
    }

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteTransaction Begin()
    {
        var transaction = _connection.BeginTransaction(deferred: true);
        foreach (var command in _commands)
        {
            command.Transaction = transaction;
        }

        return transaction;
    }

    private (long Current, long Compacted) ReadState()
    {
        using var reader = _state.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
