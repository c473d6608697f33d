using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Navarch.Storage.Internal;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The single writer: applies queued writes in group commits on one connection from one dedicated thread.
/// </summary>
/// <remarks>
/// Every request queued while a transaction commits joins the next transaction, each with its own compare,
/// so concurrent writers share one fsync. Results are delivered, and events published, only after commit.
/// </remarks>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 256;

    private readonly SqliteConnection _connection;
    private readonly WatchHub _hub;
    private readonly ILogger _logger;
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertCurrent;
    private readonly SqliteCommand _deleteCurrent;
    private readonly SqliteCommand[] _commands;
    private readonly List<WriteRequest> _batch = new(MaxBatch);
    private readonly List<WatchEvent> _events = new(MaxBatch);
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long _revision;
    private long _committedRevision;
    private long _compactRevision;
    private long _commitCount;

    public SqliteWriter(SqliteConnection connection, long revision, long compactRevision, WatchHub hub, ILogger logger)
    {
        _connection = connection;
        _hub = hub;
        _logger = logger;
        _revision = _committedRevision = revision;
        _compactRevision = compactRevision;

        _lookup = Command(SqliteSql.LookupCurrent, ("$name", SqliteType.Blob));
        _insert = Command(
            SqliteSql.InsertRow,
            ("$id", SqliteType.Integer),
            ("$name", SqliteType.Blob),
            ("$created", SqliteType.Integer),
            ("$deleted", SqliteType.Integer),
            ("$create_revision", SqliteType.Integer),
            ("$prev_revision", SqliteType.Integer),
            ("$version", SqliteType.Integer),
            ("$value", SqliteType.Blob));
        _upsertCurrent = Command(SqliteSql.UpsertCurrent, ("$name", SqliteType.Blob), ("$id", SqliteType.Integer));
        _deleteCurrent = Command(SqliteSql.DeleteCurrent, ("$name", SqliteType.Blob));
        _commands = [_lookup, _insert, _upsertCurrent, _deleteCurrent];

        // Microsoft.Data.Sqlite is synchronous, so the writer owns a thread instead of blocking pool threads
        // for every fsync.
        _thread = new Thread(Run) { IsBackground = true, Name = "navarch-sqlite-writer" };
        _thread.Start();
    }

    public long CommittedRevision => Volatile.Read(ref _committedRevision);

    public long CompactRevision => Volatile.Read(ref _compactRevision);

    public long CommitCount => Interlocked.Read(ref _commitCount);

    public Task<WriteResult> EnqueueAsync(WriteRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SqliteStore));
        }

        return request.Completion.Task;
    }

    /// <summary>Stops taking requests, finishes the queued ones and waits for the thread to end.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _stopped.Task;
    }

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }
    }

    private SqliteCommand Command(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        return command;
    }

    private void Run()
    {
        try
        {
            var reader = _queue.Reader;

            // This thread exists to wait for work and then do synchronous I/O, so blocking here is its job.
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_batch.Count < MaxBatch && reader.TryPeek(out var next))
                {
                    if (next.Kind == WriteKind.Compact)
                    {
                        if (_batch.Count > 0)
                        {
                            break;
                        }

                        reader.TryRead(out _);
                        Compact(next);
                        continue;
                    }

                    reader.TryRead(out _);
                    _batch.Add(next);
                }

                if (_batch.Count > 0)
                {
                    CommitBatch();
                }

                _batch.Clear();
            }

            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            // Nothing will serve the queue any more; fail what is waiting instead of leaving it hanging.
            _queue.Writer.TryComplete();
            foreach (var request in _batch)
            {
                request.Completion.TrySetException(ex);
            }

            while (_queue.Reader.TryRead(out var request))
            {
                request.Completion.TrySetException(ex);
            }

            _stopped.TrySetException(ex);
        }
    }

    private void CommitBatch()
    {
        if (TryCommit(_batch, out var error))
        {
            return;
        }

        if (_batch.Count == 1)
        {
            SqliteStoreLog.BatchFailed(_logger, error, 1);
            _batch[0].Completion.TrySetException(error);
            return;
        }

        // One bad request must not fail the others that happened to share its transaction: retry each alone.
        var single = new List<WriteRequest>(1);
        foreach (var request in _batch)
        {
            single.Add(request);
            if (!TryCommit(single, out error))
            {
                SqliteStoreLog.BatchFailed(_logger, error, 1);
                request.Completion.TrySetException(error);
            }

            single.Clear();
        }
    }

    private bool TryCommit(List<WriteRequest> batch, [NotNullWhen(false)] out Exception? error)
    {
        var revision = _revision;
        try
        {
            using (var transaction = _connection.BeginTransaction())
            {
                foreach (var command in _commands)
                {
                    command.Transaction = transaction;
                }

                foreach (var request in batch)
                {
                    request.Result = request.CancellationToken.IsCancellationRequested ? null : Apply(request, ref revision);
                }

                transaction.Commit();
            }
        }
        catch (Exception ex)
        {
            // The transaction rolled back: nothing in the batch was written and the revision did not move.
            _events.Clear();
            error = ex;
            return false;
        }

        _revision = revision;
        Volatile.Write(ref _committedRevision, revision);
        Interlocked.Increment(ref _commitCount);
        _hub.Publish(_events);
        _events.Clear();
        foreach (var request in batch)
        {
            if (request.Result is { } result)
            {
                request.Completion.TrySetResult(result);
            }
            else
            {
                request.Completion.TrySetCanceled(request.CancellationToken);
            }
        }

        error = null;
        return true;
    }

    private WriteResult Apply(WriteRequest request, ref long revision)
    {
        var name = KeyBytes.Encode(request.Key);
        var current = Lookup(request.Key, name);
        switch (request.Kind)
        {
            case WriteKind.Create:
            {
                if (current is not null)
                {
                    return new WriteResult(false, current, revision);
                }

                revision++;
                var kv = new KeyValue(request.Key, request.Value, revision, revision, 1);
                Insert(revision, name, created: true, deleted: false, revision, prevRevision: 0, version: 1, request.Value);
                Upsert(name, revision);
                _events.Add(new WatchEvent(WatchEventType.Put, kv, null));
                return new WriteResult(true, kv, revision);
            }

            case WriteKind.Update:
            {
                if (current is null || current.ModRevision != request.Revision)
                {
                    return new WriteResult(false, current, revision);
                }

                revision++;
                var kv = new KeyValue(request.Key, request.Value, current.CreateRevision, revision, current.Version + 1);
                Insert(revision, name, created: false, deleted: false, current.CreateRevision, current.ModRevision, kv.Version, request.Value);
                Upsert(name, revision);
                _events.Add(new WatchEvent(WatchEventType.Put, kv, current));
                return new WriteResult(true, kv, revision);
            }

            case WriteKind.Delete:
            {
                if (current is null || (request.Revision != 0 && current.ModRevision != request.Revision))
                {
                    return new WriteResult(false, current, revision);
                }

                revision++;
                Insert(revision, name, created: false, deleted: true, createRevision: 0, current.ModRevision, version: 0, []);
                _deleteCurrent.Parameters[0].Value = name;
                _deleteCurrent.ExecuteNonQuery();
                _events.Add(new WatchEvent(WatchEventType.Delete, new KeyValue(request.Key, ReadOnlyMemory<byte>.Empty, 0, revision, 0), current));
                return new WriteResult(true, null, revision);
            }

            default:
                throw new InvalidOperationException($"Unexpected write kind {request.Kind}.");
        }
    }

    private KeyValue? Lookup(string key, byte[] name)
    {
        _lookup.Parameters[0].Value = name;
        using var reader = _lookup.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(3), reader.GetInt64(1), reader.GetInt64(0), reader.GetInt64(2));
    }

    private void Insert(long id, byte[] name, bool created, bool deleted, long createRevision, long prevRevision, long version, byte[] value)
    {
        var parameters = _insert.Parameters;
        parameters[0].Value = id;
        parameters[1].Value = name;
        parameters[2].Value = created ? 1L : 0L;
        parameters[3].Value = deleted ? 1L : 0L;
        parameters[4].Value = createRevision;
        parameters[5].Value = prevRevision;
        parameters[6].Value = version;
        parameters[7].Value = value;
        _insert.ExecuteNonQuery();
    }

    private void Upsert(byte[] name, long id)
    {
        _upsertCurrent.Parameters[0].Value = name;
        _upsertCurrent.Parameters[1].Value = id;
        _upsertCurrent.ExecuteNonQuery();
    }

    private void Compact(WriteRequest request)
    {
        if (request.CancellationToken.IsCancellationRequested)
        {
            request.Completion.TrySetCanceled(request.CancellationToken);
            return;
        }

        try
        {
            Revisions.CheckCompact(request.Revision, _revision, _compactRevision);
            int rows;
            using (var transaction = _connection.BeginTransaction())
            {
                using var command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.Parameters.AddWithValue("$from", Math.Max(0, _compactRevision - 1));
                command.Parameters.AddWithValue("$to", request.Revision - 1);
                command.CommandText = SqliteSql.CompactSuperseded;
                rows = command.ExecuteNonQuery();
                command.CommandText = SqliteSql.CompactDeletes;
                rows += command.ExecuteNonQuery();
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$revision", request.Revision);
                command.CommandText = SqliteSql.SetCompactRevision;
                command.ExecuteNonQuery();
                transaction.Commit();
            }

            Volatile.Write(ref _compactRevision, request.Revision);
            Interlocked.Increment(ref _commitCount);
            SqliteStoreLog.Compacted(_logger, request.Revision, rows);
            request.Completion.TrySetResult(new WriteResult(true, null, _revision));
        }
        catch (Exception ex)
        {
            request.Completion.TrySetException(ex);
        }
    }
}
