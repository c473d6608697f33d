using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Gc;

internal static partial class GcLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Container GC removed {Containers} containers and {Sandboxes} sandboxes")]
    public static partial void ContainersCollected(ILogger logger, int containers, int sandboxes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GC could not remove {Kind} {Id}")]
    public static partial void RemoveFailed(ILogger logger, string kind, string id, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image filesystem usage {UsedPercent}% is at or above the high threshold {HighPercent}%; freeing {Bytes} bytes")]
    public static partial void ImageGcStarted(ILogger logger, int usedPercent, int highPercent, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image GC removed image {Image} ({Size} bytes)")]
    public static partial void ImageRemoved(ILogger logger, string image, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image GC: {Message}")]
    public static partial void ImageGcFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} GC pass failed; retrying next period")]
    public static partial void PassFailed(ILogger logger, string kind, Exception exception);
}
