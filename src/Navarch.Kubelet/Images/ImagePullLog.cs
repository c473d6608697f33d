using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Images;

internal static partial class ImagePullLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Unable to retrieve pull secret {SecretNamespace}/{Secret} for {Namespace}/{Pod}; the image pull may not succeed")]
    public static partial void SecretUnavailable(ILogger logger, string secretNamespace, string secret, string @namespace, string pod, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {Namespace}/{Pod}: {Reason}: {Message}")]
    public static partial void Event(ILogger logger, string @namespace, string pod, string reason, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the size of pulled image {Image}")]
    public static partial void SizeUnknown(ILogger logger, string image, Exception exception);
}
