using Microsoft.Extensions.Logging;

namespace Navarch.Storage.Etcd;

internal static partial class EtcdStoreLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to etcd at {Endpoints}, revision {Revision}")]
    public static partial void Connected(ILogger logger, string endpoints, long revision);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Watch on {Prefix} lost its stream; resuming from revision {Revision} in {DelayMs} ms")]
    public static partial void WatchResuming(ILogger logger, string prefix, long revision, int delayMs, Exception? exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Watch on {Prefix} from revision {Revision} ended: history compacted up to {CompactRevision}")]
    public static partial void WatchCompacted(ILogger logger, string prefix, long revision, long compactRevision);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "etcd canceled the watch on {Prefix}: {Reason}; resuming from revision {Revision}")]
    public static partial void WatchCanceled(ILogger logger, string prefix, string reason, long revision);
}
