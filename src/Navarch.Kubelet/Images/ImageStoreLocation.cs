using System.Text.RegularExpressions;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Where a node's images live: the CRI socket of its containerd and the snapshotter images are unpacked for, found the
/// way <c>navarch agent</c> lays them out (<c>&lt;agent&gt;/containerd/containerd.sock</c> and the snapshotter in its
/// <c>config.toml</c>), or given as an existing runtime endpoint.
/// </summary>
public sealed partial record ImageStoreLocation(string SocketPath, string Snapshotter)
{
    /// <summary>The snapshotter assumed for a containerd we did not configure: containerd's own default.</summary>
    public const string DefaultSnapshotter = "overlayfs";

    /// <param name="agentDirectory">The agent's directory, <c>&lt;data-dir&gt;/agent</c>.</param>
    /// <param name="runtimeEndpoint">An existing CRI socket (with or without <c>unix://</c>), or null for the supervised containerd.</param>
    public static ImageStoreLocation Resolve(string agentDirectory, string? runtimeEndpoint)
    {
        if (!string.IsNullOrEmpty(runtimeEndpoint))
        {
            var socket = runtimeEndpoint.StartsWith("unix://", StringComparison.Ordinal) ? runtimeEndpoint["unix://".Length..] : runtimeEndpoint;
            return new ImageStoreLocation(socket, DefaultSnapshotter);
        }

        var containerd = Path.Combine(agentDirectory, "containerd");
        var config = Path.Combine(containerd, "config.toml");
        var snapshotter = File.Exists(config) && SnapshotterLine().Match(File.ReadAllText(config)) is { Success: true } match
            ? match.Groups[1].Value
            : DefaultSnapshotter;
        return new ImageStoreLocation(Path.Combine(containerd, "containerd.sock"), snapshotter);
    }

    [GeneratedRegex("""^\s*snapshotter\s*=\s*"([^"]+)"\s*$""", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotterLine();
}
