using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// The services of a namespace for service env variables, listed at most once per time-to-live and shared by the
/// containers created meanwhile (a burst of pods makes one request per namespace, not one per container), as the
/// kubelet's service lister keeps them from a watch instead of asking per container.
/// </summary>
internal sealed class ServiceListCache(IKubernetes client, TimeProvider time, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The namespace's services; a failed list is not kept, so the next container asks again.</summary>
    public async Task<IReadOnlyList<V1Service>> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = _entries.AddOrUpdate(
            ns,
            _ => new Entry(now, ListCoreAsync(ns)),
            (_, existing) => now - existing.At < ttl && !existing.List.IsFaulted && !existing.List.IsCanceled ? existing : new Entry(now, ListCoreAsync(ns)));
        return await entry.List.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<V1Service>> ListCoreAsync(string ns)
    {
        // Not tied to one caller's token: other containers wait on the same list.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var list = await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: timeout.Token).ConfigureAwait(false);
        return [.. list.Items ?? []];
    }

    private sealed record Entry(DateTimeOffset At, Task<IReadOnlyList<V1Service>> List);
}
