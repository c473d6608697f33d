using System.Buffers;
using Microsoft.AspNetCore.Http;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Server;

/// <summary>
/// <c>GET /containerLogs/{ns}/{pod}/{container}</c>: streams a container's CRI log file, as the kubelet's
/// ReadLogs does: tail, since, timestamps, limitBytes, the previous attempt, and follow until the container has
/// exited and its file is drained (or the client goes away). The file is read in pooled chunks, never whole.
/// </summary>
internal sealed class ContainerLogsHandler(CriClient cri, PodContainerLocator locator, TimeSpan pollInterval, TimeProvider time)
{
    private const int ChunkSize = 64 * 1024;

    public async Task HandleAsync(HttpContext context, string ns, string pod, string container)
    {
        var cancellationToken = context.RequestAborted;
        var (options, error) = ContainerLogOptions.Parse(context.Request.Query, time.GetUtcNow());
        if (options is null)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest, error ?? "invalid query", cancellationToken).ConfigureAwait(false);
            return;
        }

        var sandbox = await locator.FindSandboxAsync(ns, pod, cancellationToken).ConfigureAwait(false);
        if (sandbox is null)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status404NotFound, $"pod \"{pod}\" does not exist", cancellationToken).ConfigureAwait(false);
            return;
        }

        var attempts = await locator.ListAttemptsAsync(sandbox, container, cancellationToken).ConfigureAwait(false);
        Container target;
        if (options.Previous)
        {
            if (attempts.Count < 2)
            {
                await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest,
                    $"previous terminated container \"{container}\" in pod \"{pod}\" not found", cancellationToken).ConfigureAwait(false);
                return;
            }

            // A previous attempt has exited: there is nothing to follow.
            (target, options) = (attempts[^2], options with { Follow = false });
        }
        else
        {
            if (attempts.Count == 0)
            {
                await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest,
                    $"container \"{container}\" in pod \"{pod}\" is not available", cancellationToken).ConfigureAwait(false);
                return;
            }

            target = attempts[^1];
        }

        var status = await cri.ContainerStatusAsync(target.Id, verbose: false, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; charset=utf-8";
        try
        {
            await StreamAsync(context.Response, status.Status.LogPath, target.Id, options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away while following.
        }
    }

    private async Task StreamAsync(HttpResponse response, string path, string containerId, ContainerLogOptions options, CancellationToken cancellationToken)
    {
        var output = response.BodyWriter;
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        var formatter = new CriLogFormatter(options);
        while (!File.Exists(path))
        {
            if (!options.Follow || !await IsRunningAsync(containerId, cancellationToken).ConfigureAwait(false)) return;
            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        var file = OpenLog(path);
        if (options.TailLines is { } tail)
        {
            file.Position = await FindTailStartAsync(file, tail, cancellationToken).ConfigureAwait(false);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int start = 0, end = 0;
            var exited = false;
            while (!formatter.LimitReached)
            {
                if (start == end)
                {
                    start = end = 0;
                }
                else if (end == buffer.Length)
                {
                    // An entry longer than the buffer's free room: compact, or grow when it alone fills the buffer.
                    var target = start > 0 ? buffer : ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(start, end - start).CopyTo(target);
                    if (!ReferenceEquals(target, buffer))
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = target;
                    }

                    (start, end) = (0, end - start);
                }

                var read = await file.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    // Once the container is seen exited, one more read drains what it wrote last; then stop.
                    if (!options.Follow || exited) break;
                    if (IsRotated(file, path) && File.Exists(path))
                    {
                        // The old file is read to its end: go on with the one the runtime reopened, from its start.
                        await file.DisposeAsync().ConfigureAwait(false);
                        file = OpenLog(path);
                        continue;
                    }

                    exited = !await IsRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
                    if (!exited) await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                end += read;
                int newline;
                while (!formatter.LimitReached && (newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                {
                    formatter.Write(buffer.AsSpan(start, newline), output);
                    start += newline + 1;
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static FileStream OpenLog(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous,
    });

    /// <summary>
    /// Whether the open log was renamed away by rotation: the kernel's name for the open descriptor is no longer
    /// <paramref name="path"/>. Looked at only while following and idle, so it costs one readlink per poll.
    /// </summary>
    private static bool IsRotated(FileStream file, string path)
    {
        try
        {
            var link = File.ResolveLinkTarget("/proc/self/fd/" + file.SafeFileHandle.DangerousGetHandle(), returnFinalTarget: false);
            return link is not null && link.FullName != Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task<bool> IsRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await cri.ContainerStatusAsync(containerId, verbose: false, cancellationToken).ConfigureAwait(false);
            return status.Status.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated;
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            // Removed with its pod while being followed: it has certainly stopped.
            return false;
        }
    }

    /// <summary>The offset of the <paramref name="lines"/>-th entry from the end, found reading backwards in chunks.</summary>
    internal static async Task<long> FindTailStartAsync(FileStream file, long lines, CancellationToken cancellationToken)
    {
        var length = file.Length;
        if (lines == 0) return length;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long seen = 0;
            var position = length;
            while (position > 0)
            {
                var size = (int)Math.Min(ChunkSize, position);
                position -= size;
                file.Position = position;
                await file.ReadExactlyAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                for (var i = size - 1; i >= 0; i--)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    // The newline that ends the last entry does not start another one.
                    if (position + i == length - 1) continue;
                    if (++seen == lines) return position + i + 1;
                }
            }

            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
