using System.Diagnostics;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Imports image tarballs (OCI layout or docker save) into containerd's <c>k8s.io</c> namespace, where its CRI plugin
/// sees them, using the <c>ctr</c> tool that ships with containerd.
/// </summary>
public sealed class ContainerdImageImporter(string socketPath, string snapshotter, string ctrPath = "ctr")
{
    /// <summary>The containerd namespace the CRI plugin keeps its images and containers in.</summary>
    public const string CriNamespace = "k8s.io";

    /// <summary>Imports and unpacks the images in <paramref name="tarPath"/> for the configured snapshotter.</summary>
    /// <exception cref="InvalidOperationException">ctr failed; the message has its output.</exception>
    public async Task ImportAsync(string tarPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ctrPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--address", socketPath, "--namespace", CriNamespace, "images", "import", "--snapshotter", snapshotter, tarPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ctrPath}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ctr images import {tarPath} failed with exit code {process.ExitCode}: {output.Trim()}");
        }
    }
}
