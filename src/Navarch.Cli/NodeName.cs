namespace Navarch.Cli;

/// <summary>The node name a machine registers under by default: its host name in lower case, as the kubelet does.</summary>
internal static class NodeName
{
    public static string Default() => Environment.MachineName.ToLowerInvariant();
}
