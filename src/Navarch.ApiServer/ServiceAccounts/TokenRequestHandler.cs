using System.Text.Json;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// <c>POST .../serviceaccounts/{name}/token</c>: issues a signed token for the service account, as kube-apiserver's
/// TokenREST does — audiences default to the API audiences, expirationSeconds to 3600 (at least 10 minutes), and the
/// token may be bound to a Pod (running as this service account), a Secret or a Node, which must exist (with the
/// given UID, when one is given). Answers 201 with the TokenRequest and its status.
/// </summary>
internal sealed class TokenRequestHandler(
    ObjectRepository repository,
    ClusterObjectLookup objects,
    ServiceAccountKey key,
    ServiceAccountTokenSettings settings,
    TimeProvider time)
{
    public const string Group = "authentication.k8s.io";
    public const string Kind = "TokenRequest";

    /// <summary>Authentication/v1's default for spec.expirationSeconds.</summary>
    public const long DefaultExpirationSeconds = 3600;

    /// <summary>The shortest lifetime a token may be asked for (ValidateTokenRequest's 10 minutes).</summary>
    public const long MinExpirationSeconds = 10 * 60;

    /// <summary>The longest (ValidateTokenRequest's 2^32 seconds).</summary>
    public const long MaxExpirationSeconds = 1L << 32;

    /// <summary>
    /// The lifetime the kubelet asks for projected tokens (an hour and 7 seconds): such pod-bound tokens for the API
    /// audiences are extended to a year with a warnafter, as kube-apiserver's --service-account-extend-token-expiration.
    /// </summary>
    public const long WarnOnlyBoundTokenExpirationSeconds = 3607;

    public const long ExpirationExtensionSeconds = 365L * 24 * 60 * 60;

    public async Task CreateAsync(RequestContext request)
    {
        var info = request.Info;
        var ns = info.Namespace ?? throw ApiException.BadRequest("a token is requested for a namespaced service account");
        var name = info.Name ?? throw ApiException.BadRequest("a token is requested for a named service account");
        var tokenRequest = await ReadAsync(request).ConfigureAwait(false);
        tokenRequest.Metadata ??= new V1ObjectMeta();
        tokenRequest.Spec ??= new V1TokenRequestSpec { Audiences = [] };
        var meta = tokenRequest.Metadata;
        if (meta.NamespaceProperty is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw ApiException.BadRequest($"namespace of the provided object (\"{bodyNamespace}\") does not match the namespace sent on the request (\"{ns}\")");
        }

        if (meta.Name is { Length: > 0 } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"name of the provided object (\"{bodyName}\") does not match the name sent on the request (\"{name}\")");
        }

        var account = await repository.GetRequiredAsync(info.Definition, info.Definition.Key(ns, name), name, request.Cancellation).ConfigureAwait(false);
        var spec = tokenRequest.Spec;
        if (spec.Audiences is not { Count: > 0 })
        {
            spec.Audiences = [.. settings.ApiAudiences];
        }

        spec.ExpirationSeconds ??= DefaultExpirationSeconds;
        meta.Name = name;
        meta.NamespaceProperty = ns;

        // Taken before the token is made, so the status' expiration is never after the token's exp.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        meta.CreationTimestamp = now.UtcDateTime;
        tokenRequest.Status = null;
        Validate(spec);

        var bound = await ResolveBoundObjectAsync(spec.BoundObjectRef, ns, name, request.Cancellation).ConfigureAwait(false);
        var expiration = spec.ExpirationSeconds.Value;
        DateTimeOffset? warnAfter = null;
        if (bound.Pod is not null && expiration == WarnOnlyBoundTokenExpirationSeconds && spec.Audiences.Any(settings.ApiAudiences.Contains))
        {
            warnAfter = now.AddSeconds(expiration);
            expiration = ExpirationExtensionSeconds;
        }

        var claims = new ServiceAccountTokenClaims
        {
            Issuer = settings.Issuer,
            Audiences = [.. spec.Audiences],
            IssuedAt = now,
            NotBefore = now,
            Expiry = now.AddSeconds(expiration),
            Id = Guid.NewGuid().ToString(),
            Namespace = ns,
            ServiceAccount = new BoundObject(name, account.Metadata.Uid ?? ""),
            Pod = bound.Pod,
            Secret = bound.Secret,
            Node = bound.Node,
            WarnAfter = warnAfter,
        };
        tokenRequest.Status = new V1TokenRequestStatus
        {
            Token = ServiceAccountJwt.Encode(claims, key),
            ExpirationTimestamp = now.AddSeconds(spec.ExpirationSeconds.Value).UtcDateTime,
        };
        await ResponseWriter.WriteAsync(request.Http, StatusCodes.Status201Created, ApiJson.SerializeToUtf8Bytes(tokenRequest)).ConfigureAwait(false);
    }

    private static async Task<Authenticationv1TokenRequest> ReadAsync(RequestContext request)
    {
        var (_, body) = await RequestBody.ReadNodeAsync(request.Http.Request, Kind, request.Cancellation).ConfigureAwait(false);
        Authenticationv1TokenRequest? parsed;
        try
        {
            parsed = ApiJson.Deserialize(body, typeof(Authenticationv1TokenRequest)) as Authenticationv1TokenRequest;
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body is not a TokenRequest: {e.Message}");
        }

        parsed ??= new Authenticationv1TokenRequest();
        parsed.ApiVersion = $"{Group}/v1";
        parsed.Kind = Kind;
        return parsed;
    }

    /// <summary>As ValidateTokenRequest; the object has no name in the error, as kube-apiserver reports it.</summary>
    private static void Validate(V1TokenRequestSpec spec)
    {
        var seconds = spec.ExpirationSeconds ?? DefaultExpirationSeconds;
        if (seconds < MinExpirationSeconds)
        {
            throw ApiException.Invalid(Group, Kind, "",
                [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")]);
        }

        if (seconds > MaxExpirationSeconds)
        {
            throw ApiException.Invalid(Group, Kind, "",
                [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds")]);
        }
    }

    private async Task<(BoundObject? Pod, BoundObject? Secret, BoundObject? Node)> ResolveBoundObjectAsync(
        V1BoundObjectReference? reference, string ns, string serviceAccount, CancellationToken cancellationToken)
    {
        if (reference is null)
        {
            return (null, null, null);
        }

        var (group, version) = SplitApiVersion(reference.ApiVersion ?? "");
        var refName = reference.Name ?? "";
        switch (group, reference.Kind)
        {
            case ("", "Pod"):
            {
                var pod = (V1Pod)await GetAsync(objects.Pods, ns, refName, cancellationToken).ConfigureAwait(false);
                if (pod.Spec?.ServiceAccountName != serviceAccount)
                {
                    throw ApiException.BadRequest(
                        $"cannot bind token for serviceaccount \"{serviceAccount}\" to pod running with different serviceaccount name.");
                }

                CheckUid(reference, pod.Metadata.Uid, "Pod");
                BoundObject? node = null;

                // The pod's node goes into the token for information (ServiceAccountTokenPodNodeInfo), when it exists.
                if (pod.Spec.NodeName is { Length: > 0 } nodeName
                    && await repository.GetAsync(objects.Nodes, objects.Nodes.Key(null, nodeName), cancellationToken).ConfigureAwait(false) is { } found)
                {
                    node = new BoundObject(nodeName, found.Object.Metadata.Uid ?? "");
                }

                return (new BoundObject(refName, pod.Metadata.Uid ?? ""), null, node);
            }

            case ("", "Secret"):
            {
                var secret = await GetAsync(objects.Secrets, ns, refName, cancellationToken).ConfigureAwait(false);
                CheckUid(reference, secret.Metadata.Uid, "Secret");
                return (null, new BoundObject(refName, secret.Metadata.Uid ?? ""), null);
            }

            case ("", "Node"):
            {
                var node = await GetAsync(objects.Nodes, null, refName, cancellationToken).ConfigureAwait(false);
                CheckUid(reference, node.Metadata.Uid, "Node");
                return (null, null, new BoundObject(refName, node.Metadata.Uid ?? ""));
            }

            default:
                throw ApiException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={reference.Kind}");
        }
    }

    private Task<k8s.IKubernetesObject<V1ObjectMeta>> GetAsync(ResourceDefinition definition, string? ns, string name, CancellationToken cancellationToken) =>
        repository.GetRequiredAsync(definition, definition.Key(ns, name), name, cancellationToken);

    private static void CheckUid(V1BoundObjectReference reference, string? actual, string kind)
    {
        if (reference.Uid is { Length: > 0 } expected && expected != actual)
        {
            throw ApiException.Conflict("", kind, reference.Name ?? "",
                $"the UID in the bound object reference ({expected}) does not match the UID in record. The object might have been deleted and then recreated");
        }
    }

    private static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
