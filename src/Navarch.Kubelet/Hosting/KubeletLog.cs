using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Hosting;

internal static partial class KubeletLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Kubelet for node {Node} started on runtime {RuntimeVersion}")]
    public static partial void Started(ILogger logger, string node, string runtimeVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering node {Node} failed; retrying in the background")]
    public static partial void RegistrationDeferred(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported image tarball {Path}")]
    public static partial void ImageImported(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} started")]
    public static partial void PodStarted(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syncing pod {Namespace}/{Name} failed, will retry")]
    public static partial void PodSyncFailed(ILogger logger, string @namespace, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} killed with a grace period of {GraceSeconds} s")]
    public static partial void PodKilled(ILogger logger, string @namespace, string name, long graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod worker for {Namespace}/{Name} ended with an error")]
    public static partial void WorkerFailed(ILogger logger, string @namespace, string name, Exception exception);
}
