using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Logs;

internal static partial class LogRotationLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not rotate the log of container {ContainerId}")]
    public static partial void RotateFailed(ILogger logger, string containerId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container log rotation pass failed; retrying next period")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
