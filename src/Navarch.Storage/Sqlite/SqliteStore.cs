using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Storage.Internal;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The embedded store: an SQLite database in WAL mode holding every revision as a row (in the style of kine),
/// written by one group-committing writer and read through a small pool of read-only connections.
/// </summary>
/// <remarks>
/// A write's task completes only after its transaction is committed with <c>synchronous=FULL</c>, so an
/// acknowledged write survives a crash. The revision continues from the database after a restart.
/// </remarks>
public sealed class SqliteStore : IKeyValueStore
{
    private const int ReaderCount = 4;

    private readonly SqliteConnection _writerConnection;
    private readonly SqliteWriter _writer;
    private readonly WatchHub _hub;
    private readonly HistoryReader _history;
    private readonly Channel<SqliteReadConnection> _readers = Channel.CreateBounded<SqliteReadConnection>(ReaderCount);
    private int _disposed;

    private SqliteStore(SqliteConnection writerConnection, string readConnectionString, long revision, long compactRevision, ILogger logger)
    {
        _writerConnection = writerConnection;
        _hub = new WatchHub(revision);
        _history = ReadHistoryAsync;
        try
        {
            for (var i = 0; i < ReaderCount; i++)
            {
                _readers.Writer.TryWrite(new SqliteReadConnection(readConnectionString));
            }
        }
        catch
        {
            while (_readers.Reader.TryRead(out var reader))
            {
                reader.Dispose();
            }

            throw;
        }

        _writer = new SqliteWriter(writerConnection, revision, compactRevision, _hub, logger);
    }

    /// <summary>Transactions committed so far (write batches and compactions); shows how well writes are grouped.</summary>
    internal long CommitCount => _writer.CommitCount;

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/>.</summary>
    public static Task<SqliteStore> OpenAsync(string path, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ct.ThrowIfCancellationRequested();
        logger ??= NullLogger.Instance;
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Our own small set of long-lived connections replaces Microsoft.Data.Sqlite's pool, which would keep
        // the file open after disposal.
        var writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        var readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();

        var connection = new SqliteConnection(writeConnectionString);
        try
        {
            connection.Open();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = SqliteSql.WriterPragmas + SqliteSql.Schema;
                command.ExecuteNonQuery();
                command.CommandText = SqliteSql.State;
                using var reader = command.ExecuteReader();
                reader.Read();
                var revision = reader.GetInt64(0);
                var compactRevision = reader.GetInt64(1);
                reader.Close();
                var store = new SqliteStore(connection, readConnectionString, revision, compactRevision, logger);
                SqliteStoreLog.Opened(logger, fullPath, revision, compactRevision);
                return Task.FromResult(store);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Task.FromResult(_writer.CommittedRevision);
    }

    public Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Task.FromResult(_writer.CompactRevision);
    }

    public async Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var reader = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return reader.Get(key, revision);
        }
        finally
        {
            Return(reader);
        }
    }

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reader = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return reader.Range(request);
        }
        finally
        {
            Return(reader);
        }
    }

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var reader = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return reader.Count(prefix);
        }
        finally
        {
            Return(reader);
        }
    }

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        => EnqueueAsync(WriteKind.Create, key, value.ToArray(), 0, cancellationToken);

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken cancellationToken = default)
        => EnqueueAsync(WriteKind.Update, key, value.ToArray(), expectedModRevision, cancellationToken);

    public Task<WriteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default)
        => EnqueueAsync(WriteKind.Delete, key, [], expectedModRevision, cancellationToken);

    public Task CompactAsync(long revision, CancellationToken cancellationToken = default)
        => EnqueueAsync(WriteKind.Compact, string.Empty, [], revision, cancellationToken);

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ThrowIfDisposed();
        return _hub.WatchAsync(prefix, afterRevision, _history, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _writer.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _hub.Close();
            _writer.Dispose();
            _writerConnection.Dispose();

            // Readers that are rented right now are disposed when they come back (see Return).
            _readers.Writer.TryComplete();
            while (_readers.Reader.TryRead(out var reader))
            {
                reader.Dispose();
            }
        }
    }

    private Task<WriteResult> EnqueueAsync(WriteKind kind, string key, byte[] value, long revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<WriteResult>(cancellationToken);
        }

        return _writer.EnqueueAsync(new WriteRequest(kind, key, value, revision, cancellationToken));
    }

    private async ValueTask<IReadOnlyList<WatchEvent>> ReadHistoryAsync(string prefix, long afterRevision, long upToRevision, int limit, CancellationToken cancellationToken)
    {
        var reader = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return reader.History(prefix, afterRevision, upToRevision, limit);
        }
        finally
        {
            Return(reader);
        }
    }

    private async ValueTask<SqliteReadConnection> RentAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            return await _readers.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteStore));
        }
    }

    private void Return(SqliteReadConnection reader)
    {
        if (!_readers.Writer.TryWrite(reader))
        {
            reader.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
