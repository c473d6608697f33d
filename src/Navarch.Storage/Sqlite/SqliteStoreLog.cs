using Microsoft.Extensions.Logging;

namespace Navarch.Storage.Sqlite;

internal static partial class SqliteStoreLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened SQLite store {Path} at revision {Revision} (compacted at {CompactRevision})")]
    public static partial void Opened(ILogger logger, string path, long revision, long compactRevision);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Compacted SQLite store at revision {Revision}, removed {Rows} rows")]
    public static partial void Compacted(ILogger logger, long revision, int rows);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "SQLite write transaction of {Count} requests failed")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count);
}
