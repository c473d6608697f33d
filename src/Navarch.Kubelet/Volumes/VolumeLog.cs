using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Volumes;

internal static partial class VolumeLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Volume {Volume} of pod {PodUid} updated ({Files} files)")]
    public static partial void VolumeUpdated(ILogger logger, string volume, string podUid, int files);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service account token for {Namespace}/{ServiceAccount} requested, expires {Expiry}")]
    public static partial void TokenRequested(ILogger logger, string @namespace, string serviceAccount, DateTimeOffset expiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volumes of pod {PodUid} torn down")]
    public static partial void TornDown(ILogger logger, string podUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unmounting {Path} failed with errno {Errno}")]
    public static partial void UnmountFailed(ILogger logger, string path, int errno);
}
