using Microsoft.Extensions.Logging;

namespace Navarch.Kubelet.Node;

internal static partial class NodeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Registered node {Node}")]
    public static partial void Registered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unable to register node {Node} with the API server")]
    public static partial void RegistrationFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error updating node status for {Node}, will retry")]
    public static partial void StatusUpdateFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to renew the lease of node {Node}, will retry")]
    public static partial void LeaseRenewFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to read node {Node} for its pod CIDR, will retry")]
    public static partial void PodCidrReadFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote CNI config {Path} for pod CIDR {PodCidr}")]
    public static partial void CniConfigWritten(ILogger logger, string path, string podCidr);
}
