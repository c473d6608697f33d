using System.Text;
using Navarch.Api;

namespace Navarch.Kubelet.Join;

/// <summary>The agent's kubeconfig: one cluster, user and context named <c>default</c>, credentials embedded, mode 0600.</summary>
internal static class AgentKubeconfig
{
    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Build(Uri server, NodeCredentials credentials) =>
        KubeconfigYaml.Build(server, credentials.Ca, credentials.Certificate, credentials.Key);

    /// <summary>Writes through a temporary file created 0600 and renamed over the target, so no reader sees half a key.</summary>
    public static async Task WriteAsync(string path, Uri server, NodeCredentials credentials, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))
            ?? throw new ArgumentException($"Path '{path}' has no directory.", nameof(path));
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateMode;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(Build(server, credentials)), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
