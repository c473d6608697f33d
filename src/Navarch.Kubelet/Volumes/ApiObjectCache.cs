using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Kubelet.Volumes;

/// <summary>
/// ConfigMaps and Secrets read for volumes, each kept for a short time-to-live, as the kubelet's TTL-based configmap
/// and secret managers do: a pod sync every second reads an object at most once per TTL, and an update shows up in the
/// pod's files within the TTL plus one sync. Absence (404) is cached too.
/// </summary>
internal sealed class ApiObjectCache(IKubernetes client, TimeProvider time, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<(string Kind, string Namespace, string Name), Entry> _entries = new();

    public async Task<V1ConfigMap?> ConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        (V1ConfigMap?)await GetAsync("configmap", ns, name,
            async () => await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    public async Task<V1Secret?> SecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        (V1Secret?)await GetAsync("secret", ns, name,
            async () => await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Forgets entries older than the TTL (they would be read again anyway), so deleted objects do not pile up.</summary>
    public void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.ReadAt >= ttl)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private async Task<object?> GetAsync(string kind, string ns, string name, Func<Task<object>> read)
    {
        var key = (kind, ns, name);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && now - cached.ReadAt < ttl)
        {
            return cached.Value;
        }

        object? value;
        try
        {
            value = await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            value = null;
        }
        catch (HttpOperationException e)
        {
            throw new VolumeSetupException($"couldn't get {kind} {ns}/{name}: {e.Response.Content ?? e.Message}", e);
        }

        _entries[key] = new Entry(value, now);
        return value;
    }

    private sealed record Entry(object? Value, DateTimeOffset ReadAt);
}
