using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Gc;

/// <summary>
/// Removes unused images as the kubelet's image GC does: when the image filesystem's usage is at or above
/// <see cref="ImageGcOptions.HighThresholdPercent"/>, images no container uses (running or not) are removed, least recently
/// used first, until the usage would be below <see cref="ImageGcOptions.LowThresholdPercent"/>. The sandbox image, pinned
/// images and images first seen less than <see cref="ImageGcOptions.MinAge"/> ago stay. Last use is what this collector has
/// seen across its passes, so one instance should live as long as the kubelet.
/// </summary>
/// <param name="livePodUids">The pods bound to this node; kept for symmetry with the container GC (images in use are found from the runtime's containers).</param>
public sealed class ImageGarbageCollector(
    CriClient cri, ImageGcOptions options, Func<IReadOnlySet<string>> livePodUids, TimeProvider time, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<string, (DateTimeOffset FirstSeen, DateTimeOffset LastUsed)> _records = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<GcResult> CollectAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        _ = livePodUids;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CollectOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<GcResult> CollectOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var images = await cri.ListImagesAsync(null, cancellationToken).ConfigureAwait(false);
        var inUse = await ImagesInUseAsync(cancellationToken).ConfigureAwait(false);
        var sandbox = await cri.ImageStatusAsync(options.SandboxImage, cancellationToken).ConfigureAwait(false);

        // Keep the records fresh on every pass, as the kubelet's detectImages does, so "last used" means something.
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            present.Add(image.Id);
            var record = _records.TryGetValue(image.Id, out var known) ? known : (FirstSeen: now, LastUsed: now);
            if (IsUsed(image, inUse))
            {
                record.LastUsed = now;
            }

            _records[image.Id] = record;
        }

        foreach (var gone in _records.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _records.Remove(gone);
        }

        var usage = options.UsageProbe is { } probe
            ? await probe(cancellationToken).ConfigureAwait(false)
            : ImageFilesystemUsage.Of(options.ImageFilesystemPath);
        if (usage.UsedPercent < options.HighThresholdPercent)
        {
            return GcResult.Empty;
        }

        var toFree = usage.CapacityBytes * (100 - options.LowThresholdPercent) / 100 - usage.AvailableBytes;
        GcLog.ImageGcStarted(_logger, usage.UsedPercent, options.HighThresholdPercent, toFree);
        var candidates = images
            .Where(image => !image.Pinned && image.Id != sandbox?.Id && !image.RepoTags.Contains(options.SandboxImage) && !IsUsed(image, inUse))
            .Where(image => now - _records[image.Id].FirstSeen >= options.MinAge)
            .OrderBy(image => _records[image.Id].LastUsed)
            .ThenBy(image => _records[image.Id].FirstSeen)
            .ToList();

        var removed = new List<string>();
        var errors = new List<string>();
        ulong freed = 0;
        foreach (var image in candidates)
        {
            if ((long)freed >= toFree)
            {
                break;
            }

            try
            {
                await cri.RemoveImageAsync(image.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.NotFound)
            {
                GcLog.RemoveFailed(_logger, "image", image.Id, e);
                errors.Add($"failed to remove image {image.Id}: rpc error: code = {e.StatusCode} desc = {e.Status.Detail}");
                continue;
            }

            _records.Remove(image.Id);
            removed.Add(image.Id);
            freed += image.Size;
            GcLog.ImageRemoved(_logger, image.RepoTags.FirstOrDefault() ?? image.Id, image.Size);
        }

        if ((long)freed < toFree)
        {
            // The kubelet's message when it cannot get below the low threshold.
            var message = $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {freed} bytes eligible to free.";
            GcLog.ImageGcFailed(_logger, message);
            errors.Add(message);
        }

        return new GcResult([], [], removed, freed, errors);
    }

    /// <summary>Every image reference a container names, whatever its state: an exited container may restart.</summary>
    private async Task<HashSet<string>> ImagesInUseAsync(CancellationToken cancellationToken)
    {
        var references = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in await cri.ListContainersAsync(null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var reference in new[] { container.ImageRef, container.ImageId, container.Image?.Image, container.Image?.UserSpecifiedImage })
            {
                if (!string.IsNullOrEmpty(reference))
                {
                    references.Add(reference);
                }
            }
        }

        return references;
    }

    private static bool IsUsed(Image image, HashSet<string> inUse) =>
        inUse.Contains(image.Id) || image.RepoTags.Any(inUse.Contains) || image.RepoDigests.Any(inUse.Contains);
}
