using Microsoft.Extensions.Logging;

namespace Navarch.Client.Informers;

internal static partial class InformerLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to list {Resource}: {Error}")]
    public static partial void ListFailed(ILogger logger, string resource, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} from resourceVersion {ResourceVersion} failed, resuming after a back-off: {Error}")]
    public static partial void WatchFailed(ILogger logger, string resource, string resourceVersion, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource}: resourceVersion {ResourceVersion} expired (410 Gone); relisting")]
    public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Resource} closed at resourceVersion {ResourceVersion} after {Events} events")]
    public static partial void WatchClosed(ILogger logger, string resource, string resourceVersion, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler for {Resource} failed on {Kind}")]
    public static partial void HandlerFailed(ILogger logger, string resource, string kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Informer for {Resource} synced with {Count} objects")]
    public static partial void Synced(ILogger logger, string resource, int count);
}
