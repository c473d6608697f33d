using System.Globalization;
using System.IO.Compression;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Logs;

/// <summary>
/// Keeps running containers' CRI log files bounded, as the kubelet's container log manager: a live log at or over
/// <see cref="ContainerLogRotationOptions.MaxSize"/> is renamed to <c>&lt;log&gt;.&lt;yyyyMMdd-HHmmss&gt;</c> and the runtime
/// reopens it; rotated files but the newest are gzipped; at most <see cref="ContainerLogRotationOptions.MaxFiles"/> files
/// are kept per container. <c>kubectl logs</c> reads the live file only, as upstream.
/// </summary>
public sealed class ContainerLogRotator
{
    public const string TimestampFormat = "yyyyMMdd-HHmmss";
    private const string CompressedSuffix = ".gz";
    private const string TemporarySuffix = ".tmp";

    private readonly CriClient _cri;
    private readonly ContainerLogRotationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ContainerLogRotator(CriClient cri, ContainerLogRotationOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(cri);
        _cri = cri;
        _options = options ?? new ContainerLogRotationOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Rotates on every period until cancelled; a failed pass is logged and the next one runs on time.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Period, _time, cancellationToken).ConfigureAwait(false);
                await RotateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                LogRotationLog.PassFailed(_logger, e);
            }
        }
    }

    /// <summary>One pass over the running containers; returns the IDs of those whose log was rotated.</summary>
    public async Task<IReadOnlyList<string>> RotateAsync(CancellationToken cancellationToken)
    {
        var running = new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } };
        var rotated = new List<string>();
        foreach (var container in await _cri.ListContainersAsync(running, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var status = await _cri.ContainerStatusAsync(container.Id, verbose: false, cancellationToken).ConfigureAwait(false);
                if (status.Status?.LogPath is not { Length: > 0 } log || !File.Exists(log) || new FileInfo(log).Length < _options.MaxSize)
                {
                    continue;
                }

                if (await RotateAsync(container.Id, log, cancellationToken).ConfigureAwait(false))
                {
                    rotated.Add(container.Id);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                || (e is RpcException && !cancellationToken.IsCancellationRequested))
            {
                LogRotationLog.RotateFailed(_logger, container.Id, e);
            }
        }

        return rotated;
    }

    /// <summary>The rotated files of <paramref name="log"/>, oldest first (their timestamps sort as they were made).</summary>
    public static List<string> RotatedFiles(string log)
    {
        var directory = Path.GetDirectoryName(log)!;
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // Filtered by prefix, not by a "0.log.*" pattern: .NET's patterns let ".*" match the bare "0.log" too.
        var prefix = Path.GetFileName(log) + ".";
        var files = Directory.EnumerateFiles(directory).Where(file => Path.GetFileName(file).StartsWith(prefix, StringComparison.Ordinal)).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private async Task<bool> RotateAsync(string containerId, string log, CancellationToken cancellationToken)
    {
        var rotated = RotatedFiles(log);
        foreach (var leftover in rotated.Where(file => file.EndsWith(TemporarySuffix, StringComparison.Ordinal)))
        {
            // A compression cut short: its source is still there.
            File.Delete(leftover);
        }

        rotated.RemoveAll(file => file.EndsWith(TemporarySuffix, StringComparison.Ordinal));

        // Room for the file about to be rotated: the live one and it count against MaxFiles.
        var excess = rotated.Count - (_options.MaxFiles - 2);
        for (var i = 0; i < excess; i++)
        {
            File.Delete(rotated[i]);
        }

        rotated.RemoveRange(0, Math.Max(0, excess));
        foreach (var file in rotated.Where(file => !file.EndsWith(CompressedSuffix, StringComparison.Ordinal)))
        {
            await CompressAsync(file, cancellationToken).ConfigureAwait(false);
        }

        var target = log + "." + _time.GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        if (File.Exists(target) || File.Exists(target + CompressedSuffix))
        {
            // Rotated already within this second; the next pass does it.
            return false;
        }

        File.Move(log, target);
        try
        {
            await _cri.ReopenContainerLogAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // As the kubelet: the runtime still writes to the renamed file, so it goes back to its name.
            File.Move(target, log);
            throw;
        }

        return true;
    }

    private static async Task CompressAsync(string file, CancellationToken cancellationToken)
    {
        var temporary = file + CompressedSuffix + TemporarySuffix;
        await using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
        await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        await using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            await input.CopyToAsync(gzip, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, file + CompressedSuffix);
        File.Delete(file);
    }
}
