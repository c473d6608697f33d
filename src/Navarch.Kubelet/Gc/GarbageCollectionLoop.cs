using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Kubelet.Gc;

/// <summary>
/// Runs the container GC every <see cref="ContainerPeriod"/> and the image GC every <see cref="ImagePeriod"/> (the kubelet's
/// ContainerGCPeriod of 1 min and ImageGCPeriod of 5 min) until stopped. A failed pass is logged and the next one runs on time.
/// </summary>
public sealed class GarbageCollectionLoop(
    ContainerGarbageCollector containers, ImageGarbageCollector images, TimeProvider time, ILogger? logger = null)
{
    public static readonly TimeSpan ContainerPeriod = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan ImagePeriod = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; the first passes come one period after the start.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        RepeatAsync(ContainerPeriod, containers.CollectAsync, "container", cancellationToken),
        RepeatAsync(ImagePeriod, images.CollectAsync, "image", cancellationToken));

    private async Task RepeatAsync(TimeSpan period, Func<CancellationToken, Task<GcResult>> collect, string kind, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
                // Each collector logs its own failed removals; the result is for callers that run a pass themselves.
                await collect(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException or UnauthorizedAccessException)
            {
                GcLog.PassFailed(_logger, kind, e);
            }
        }
    }
}
