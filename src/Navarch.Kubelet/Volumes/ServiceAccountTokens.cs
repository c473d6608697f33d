using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Kubelet.Volumes;

/// <summary>
/// Service account tokens for projected volumes, requested through the TokenRequest API bound to the pod, and kept
/// until they are older than 80% of their lifetime or 24 hours, as the kubelet's token manager does.
/// </summary>
internal sealed class ServiceAccountTokens(IKubernetes client, TimeProvider time)
{
    private static readonly TimeSpan MaxTokenAge = TimeSpan.FromHours(24);
    private readonly ConcurrentDictionary<(string PodUid, string ServiceAccount, string Audience, long Seconds), Token> _tokens = new();

    /// <summary>The pod's current token for <paramref name="audience"/> (empty: the API server's audiences).</summary>
    public async Task<string> GetAsync(V1Pod pod, string audience, long expirationSeconds, CancellationToken cancellationToken)
    {
        var ns = string.IsNullOrEmpty(pod.Metadata.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
        var serviceAccount = string.IsNullOrEmpty(pod.Spec?.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var key = (pod.Metadata.Uid, serviceAccount, audience, expirationSeconds);
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && now < cached.RefreshAt)
        {
            return cached.Value;
        }

        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = string.IsNullOrEmpty(audience) ? [] : [audience],
                ExpirationSeconds = expirationSeconds,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        Authenticationv1TokenRequest response;
        try
        {
            response = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccount, ns, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new VolumeSetupException($"failed to fetch token: {e.Response.Content ?? e.Message}", e);
        }

        var token = response.Status?.Token;
        if (string.IsNullOrEmpty(token))
        {
            throw new VolumeSetupException("failed to fetch token: the TokenRequest has no token");
        }

        var expiry = response.Status?.ExpirationTimestamp is { } stamp
            ? new DateTimeOffset(DateTime.SpecifyKind(stamp, DateTimeKind.Utc))
            : now.AddSeconds(expirationSeconds);
        var lifetime = TimeSpan.FromSeconds(response.Spec?.ExpirationSeconds ?? expirationSeconds);
        var issued = expiry - lifetime;
        var refreshAt = expiry - (lifetime * 0.2);
        if (issued + MaxTokenAge < refreshAt)
        {
            refreshAt = issued + MaxTokenAge;
        }

        _tokens[key] = new Token(token, refreshAt);
        return token;
    }

    /// <summary>Forgets the tokens of a pod that is gone.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys)
        {
            if (key.PodUid == podUid)
            {
                _tokens.TryRemove(key, out _);
            }
        }
    }

    private sealed record Token(string Value, DateTimeOffset RefreshAt);
}
