using System.Diagnostics;
using System.IO.Compression;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Imports image tarballs (OCI layout or docker save, plain or gzip-compressed) into containerd's <c>k8s.io</c>
/// namespace, where its CRI plugin sees them, using the <c>ctr</c> tool that ships with containerd.
/// </summary>
public sealed class ContainerdImageImporter(string socketPath, string snapshotter, string ctrPath = "ctr")
{
    /// <summary>The containerd namespace the CRI plugin keeps its images and containers in.</summary>
    public const string CriNamespace = "k8s.io";

    /// <summary>Imports and unpacks the images in <paramref name="tarPath"/> for the configured snapshotter.</summary>
    /// <returns>The image names ctr reported, e.g. <c>docker.io/library/busybox:latest</c>.</returns>
    /// <exception cref="InvalidOperationException">ctr failed; the message has its output.</exception>
    public async Task<IReadOnlyList<string>> ImportAsync(string tarPath, CancellationToken cancellationToken)
    {
        // containerd 1.6's ctr reads only plain tar, so a gzip tarball is decompressed on the way in through stdin.
        var gzip = IsGzip(tarPath);
        var start = new ProcessStartInfo(ctrPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = gzip,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--address", socketPath, "--namespace", CriNamespace, "images", "import", "--snapshotter", snapshotter, gzip ? "-" : tarPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ctrPath}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (gzip)
            {
                await using (var input = process.StandardInput.BaseStream)
                {
                    await using var file = File.OpenRead(tarPath);
                    await using var decompressed = new GZipStream(file, CompressionMode.Decompress);
                    try
                    {
                        await decompressed.CopyToAsync(input, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException) when (process.HasExited)
                    {
                        // ctr stopped reading because it failed; its exit code and output below say why.
                    }
                }
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ctr images import {tarPath} failed with exit code {process.ExitCode}: {(output + errors).Trim()}");
        }

        return ParseImported(output);
    }

    /// <summary>ctr prints <c>unpacking NAME (sha256:...)...done</c> for each image it imported.</summary>
    internal static IReadOnlyList<string> ParseImported(string output)
    {
        var names = new List<string>();
        foreach (var line in output.Split('\n'))
        {
            const string prefix = "unpacking ";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var end = line.IndexOf(" (", prefix.Length, StringComparison.Ordinal);
                names.Add(end > 0 ? line[prefix.Length..end] : line[prefix.Length..].Trim());
            }
        }

        return names;
    }

    private static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
